//! One test's world, shared by the admin-bootstrap, user-model and xtask tests: a database made from
//! credere-backend's DDL, a pool of its own in the emulator, the recording proxy, and direct looks at both.

use aws_sdk_cognitoidentityprovider::Client as Sdk;
use aws_sdk_cognitoidentityprovider::types::UsernameAttributeType;
use cognito::{Cognito, ConnectOptions};
use pool_spec::Tags;
use testkit::{RecordingProxy, TestDatabase};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use user_model::diesel::connection::SimpleConnection;
use user_model::diesel::prelude::*;
use user_model::{DatabaseUrl, User, UserType};

/// credere-backend's DDL, as its own migrations leave it (the fixture's header says from where).
pub const CREDERE_BACKEND_DDL: &str = include_str!("../fixtures/credere_backend.sql");

/// One test's world: its database, its pool, a proxy in front of the emulator, and clients.
pub struct World {
    /// A fresh database with credere-backend's DDL.
    pub database: TestDatabase,
    /// Records the calls the code under test makes.
    pub proxy: RecordingProxy,
    /// The raw SDK, for the test's own setup and checks. It goes through the proxy too, since each proxy is
    /// an emulated AWS account of its own (so no other test ever sees this world's pools); clear the
    /// recording after setting up.
    pub sdk: Sdk,
    /// The client the code under test uses, through the proxy.
    pub cognito: Cognito,
    /// The test's pool.
    pub pool_id: String,
}

/// The region every world's clients use.
const REGION: &str = "us-east-1";

/// A world with a pool of a unique name, in an emulated account of its own (its proxy's), where pools with
/// the spec's names can be created without meeting another test's.
pub async fn world() -> World {
    let database = ddl_database();
    let endpoint = testkit::cognito_endpoint();
    let proxy = RecordingProxy::start(&endpoint)
        .await
        .expect("starting the recording proxy");
    let sdk = sdk(&proxy.endpoint(), REGION).await;
    let cognito = Cognito::connect(&options(&proxy.endpoint(), REGION)).await;
    let pool_id = create_pool(&sdk, &testkit::unique_name("admin"), &Tags::new()).await;
    proxy.clear();
    World {
        database,
        proxy,
        sdk,
        cognito,
        pool_id,
    }
}

/// The connection options every test uses: the given endpoint and region, default retries.
pub fn options(endpoint: &str, region: &str) -> ConnectOptions {
    ConnectOptions {
        endpoint_url: Some(endpoint.to_owned()),
        region: Some(region.to_owned()),
        ..Default::default()
    }
}

/// A raw SDK client, built as the commands build theirs.
pub async fn sdk(endpoint: &str, region: &str) -> Sdk {
    Sdk::new(&cognito::load_sdk_config(&options(endpoint, region)).await)
}

/// A fresh database with credere-backend's DDL applied directly (not the workspace's migrations).
pub fn ddl_database() -> TestDatabase {
    let database = testkit::database();
    connect(&database)
        .batch_execute(CREDERE_BACKEND_DDL)
        .expect("applying credere_backend.sql");
    database
}

/// A plain connection to a test database.
pub fn connect(database: &TestDatabase) -> PgConnection {
    let url = DatabaseUrl::parse(database.url()).expect("testkit hands out postgres URLs");
    user_model::connect(&url).expect("connecting to the test database")
}

/// Creates a pool that signs in by email, as the spec's pools do.
pub async fn create_pool(sdk: &Sdk, name: &str, tags: &Tags) -> String {
    let mut request = sdk
        .create_user_pool()
        .pool_name(name)
        .username_attributes(UsernameAttributeType::Email);
    for (key, value) in tags {
        request = request.user_pool_tags(key, value);
    }
    let output = request.send().await.expect("creating a test pool");
    output
        .user_pool()
        .and_then(|pool| pool.id())
        .expect("CreateUserPool returns the pool's ID")
        .to_owned()
}

/// Runs `sql` on a test database as the cluster's superuser.
pub fn execute(database: &TestDatabase, sql: &str) {
    connect(database)
        .batch_execute(sql)
        .unwrap_or_else(|error| panic!("running {sql}: {error}"));
}

/// A login role of its own on the test cluster (trust authentication: no password), set up in one database by
/// `setup` (SQL run as the superuser, `{role}` standing for the role's name). Dropped with this value.
pub struct Role {
    name: String,
    url: String,
    database_url: String,
}

impl Role {
    /// Creates the role and runs `setup` in `database`.
    pub fn create(database: &TestDatabase, setup: &str) -> Self {
        let name = testkit::unique_name("role").replace('-', "_");
        let url = database.url().replacen("://postgres@", &format!("://{name}@"), 1);
        assert_ne!(url, database.url(), "testkit's URL shape changed: {}", database.url());
        execute(database, &format!("CREATE ROLE {name} LOGIN"));
        let role = Self {
            url,
            database_url: database.url().to_owned(),
            name,
        };
        execute(database, &setup.replace("{role}", &role.name));
        role
    }

    /// The role's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The test database's URL, connecting as this role.
    pub fn url(&self) -> &str {
        &self.url
    }
}

impl Drop for Role {
    fn drop(&mut self) {
        // Its privileges and objects first (they live in the test database), then the role itself.
        if let Ok(mut conn) = PgConnection::establish(&self.database_url) {
            let _ = conn.batch_execute(&format!(
                "DROP OWNED BY {0} CASCADE; DROP ROLE IF EXISTS {0}",
                self.name
            ));
        }
    }
}

/// Every row of `credere_user`, by id.
pub fn rows(database: &TestDatabase) -> Vec<User> {
    use user_model::schema::credere_user::dsl::*;
    credere_user
        .order(id)
        .select(User::as_select())
        .load(&mut connect(database))
        .expect("reading credere_user")
}

/// Inserts a row directly, as an earlier hand-made bootstrap or credere-backend would have.
pub fn insert_row(database: &TestDatabase, email: &str, external_id: &str, user_type: UserType) -> User {
    let new = user_model::NewUser {
        user_type,
        language: user_model::Language::Es,
        email: email.to_owned(),
        name: "Existing".to_owned(),
        external_id: external_id.to_owned(),
        lender_id: None,
        notification_preferences: None,
    };
    user_model::insert(&mut connect(database), &new).expect("inserting a row")
}

/// The Usernames of the pool's users with this email.
pub async fn cognito_usernames(sdk: &Sdk, pool_id: &str, email: &str) -> Vec<String> {
    let output = sdk
        .list_users()
        .user_pool_id(pool_id)
        .filter(format!("email = \"{email}\""))
        .send()
        .await
        .expect("listing the pool's users");
    output
        .users()
        .iter()
        .filter_map(|user| user.username())
        .map(str::to_owned)
        .collect()
}

/// The operations recorded that change something in Cognito.
pub fn mutations(proxy: &RecordingProxy) -> Vec<String> {
    proxy
        .operations()
        .into_iter()
        .filter(|operation| !is_read(operation))
        .collect()
}

fn is_read(operation: &str) -> bool {
    ["List", "Describe", "Get", "AdminGet"]
        .iter()
        .any(|prefix| operation.starts_with(prefix))
}

/// A request for the world's pool and database with sensible defaults.
pub fn request(world: &World, email: &str) -> admin_bootstrap::Request {
    admin_bootstrap::Request {
        email: email.to_owned(),
        name: "Ada Admin".to_owned(),
        language: "es".to_owned(),
        pool_id: Some(world.pool_id.clone()),
        database_url: Some(world.database.url().to_owned()),
        ..Default::default()
    }
}

/// A unique, valid email.
pub fn email() -> String {
    format!("{}@example.org", testkit::unique_name("admin"))
}

/// A one-shot HTTP server: answers the first request with `status` and hands back its raw text.
pub async fn one_request_server(status: u16) -> (String, tokio::task::JoinHandle<String>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let handle = tokio::spawn(async move {
        let (mut stream, _) = listener.accept().await.unwrap();
        let received = read_request(&mut stream).await;
        answer(&mut stream, status).await;
        received
    });
    (format!("http://{address}"), handle)
}

/// Reads one HTTP request from `stream`: the head, then as much body as Content-Length says; its raw text.
pub async fn read_request(stream: &mut tokio::net::TcpStream) -> String {
    let mut received = Vec::new();
    let mut buffer = [0u8; 4096];
    loop {
        let read = stream.read(&mut buffer).await.unwrap();
        received.extend_from_slice(&buffer[..read]);
        let text = String::from_utf8_lossy(&received).to_string();
        if let Some((head, body)) = text.split_once("\r\n\r\n") {
            let length = head
                .lines()
                .find_map(|line| {
                    line.to_ascii_lowercase()
                        .strip_prefix("content-length:")
                        .map(str::to_owned)
                })
                .and_then(|value| value.trim().parse::<usize>().ok())
                .unwrap_or(0);
            if body.len() >= length {
                return String::from_utf8(received).unwrap();
            }
        }
        assert!(read > 0, "the client closed before sending the whole request");
    }
}

/// Answers a request read from `stream` with `status` and an empty JSON object, then closes.
pub async fn answer(stream: &mut tokio::net::TcpStream, status: u16) {
    let response = format!("HTTP/1.1 {status} Whatever\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{{}}");
    stream.write_all(response.as_bytes()).await.unwrap();
}
