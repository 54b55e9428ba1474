//! AWS's published answers, read by the tool's own code.
//!
//! awscli ships example outputs captured from AWS (`awscli/examples/cognito-idp/*.rst`, see
//! [`testkit::aws_published_answer`]). moto answers in its own shape (no `sub` in a pool's schema, no legacy
//! `UnusedAccountValidityDays`, none of the members a pool made years ago lacks), so what the tool reads was only
//! ever tested against moto. Here every operation the `cognito` crate reads is answered, through a proxy with no
//! emulator behind it ([`testkit::RecordingProxy::answering_only`]), with what AWS published, and the public API
//! must read it without error and read it right: the examples' own values come back.
//!
//! | Operation              | Read by                                          | Example (awscli)             |
//! |------------------------|--------------------------------------------------|------------------------------|
//! | ListUserPools          | `find_pool`, `prepare`                           | list-user-pools              |
//! | DescribeUserPool       | `observe`, `find_pool` (by ID), `prepare`,       | describe-user-pool           |
//! |                        | `temporary_password_validity_days`               |                              |
//! | GetUserPoolMfaConfig   | `observe`, `prepare`                             | get-user-pool-mfa-config     |
//! | ListUserPoolClients    | `observe`, `prepare`                             | list-user-pool-clients       |
//! | DescribeUserPoolClient | `observe`, `prepare`                             | describe-user-pool-client    |
//! | AdminGetUser           | `user_access`, `get_user`, `user_mfa`            | admin-get-user               |
//! | ListUsers              | `list_all_users`                                 | list-users                   |
//! | AdminCreateUser        | `create_user`                                    | admin-create-user            |
//! | CreateUserPool         | `apply` (a creation)                             | create-user-pool (the first) |
//! | SetUserPoolMfaConfig   | `apply` (answer unread)                          | set-user-pool-mfa-config     |
//! | CreateUserPoolClient   | `apply` (a creation)                             | create-user-pool-client      |
//!
//! Last, a pool shaped like AWS's answer but holding each spec's values must plan as converged: what the spec does
//! not manage (the `sub` AWS reports as required, the legacy validity member, Lambda triggers, …) must not make a
//! difference.

use std::collections::BTreeSet;
use std::time::{Duration, SystemTime};

use cognito::{Cognito, ConnectOptions, ListedUser, MfaState, RateLimit};
use pool_spec::{
    ClientSettings, DeletionProtection, DesiredState, EmailConfiguration, EmailSpec, MfaConfiguration, MfaSettings,
    PasswordPolicy, PlanFeature, PoolSettings, PoolSpec, PreventUserExistenceErrors, RecoveryMechanism, Tags,
    TokenValidity, UserPoolTier, Validity,
};
use serde_json::{Value, json};
use testkit::{RecordingProxy, aws_published_answer};

/// The examples' pools are in us-west-2 (`us-west-2_EXAMPLE`), and the crate refuses a pool ID of another region
/// than the client's without a call.
const REGION: &str = "us-west-2";
/// The pool the admin-get-user and admin-create-user examples ran against (their `Command::` lines).
const USER_EXAMPLES_POOL: &str = "us-west-2_aaaaaaaaa";

async fn connect(proxy: &RecordingProxy) -> Cognito {
    let options = ConnectOptions {
        region: Some(REGION.to_owned()),
        endpoint_url: Some(proxy.endpoint()),
        ..ConnectOptions::default()
    };
    Cognito::connect(&options).await
}

fn names(values: &[&str]) -> BTreeSet<String> {
    values.iter().map(|value| (*value).to_owned()).collect()
}

fn text<'a>(value: &'a Value, what: &str) -> &'a str {
    value
        .as_str()
        .unwrap_or_else(|| panic!("{what} is not a string: {value}"))
}

/// Answers a listing with `first` (a published page, whose `token` member asks for more) and then, for the request
/// that carries a token, `last` (which carries none).
fn answer_listing(proxy: &RecordingProxy, operation: &str, token: &'static str, first: Value, last: Value) {
    assert!(
        first[token].is_string(),
        "the published {operation} page has no {token}: {first}"
    );
    proxy.answer_with(operation, move |request| {
        if request.get(token).is_some() {
            last.clone()
        } else {
            first.clone()
        }
    });
}

/// The second request of a listing carried the published page's token: the tool pages as AWS asks it to.
fn assert_paged_with(proxy: &RecordingProxy, operation: &str, token: &str, published: &Value) {
    let calls = proxy.calls_of(operation);
    assert_eq!(calls.len(), 2, "{operation}: the published page, then the last one");
    assert!(calls[0].request_json().unwrap().get(token).is_none());
    assert_eq!(calls[1].request_json().unwrap()[token], published[token]);
}

/// The published pool, its MFA and a client list whose second page names the published client, all answered;
/// the names and IDs are the examples' own. The describe-user-pool-client example comes from another pool
/// (`us-west-2_aaaaaaaaa`): its `UserPoolId` is set to the described pool's, so the answers agree.
struct PublishedPool {
    pool: Value,
    mfa: Value,
    clients: Value,
    client: Value,
}

impl PublishedPool {
    fn load() -> Self {
        let pool = aws_published_answer("describe-user-pool");
        let mut client = aws_published_answer("describe-user-pool-client");
        client["UserPoolClient"]["UserPoolId"] = pool["UserPool"]["Id"].clone();
        Self {
            pool,
            mfa: aws_published_answer("get-user-pool-mfa-config"),
            clients: aws_published_answer("list-user-pool-clients"),
            client,
        }
    }

    fn id(&self) -> &str {
        text(&self.pool["UserPool"]["Id"], "UserPool.Id")
    }

    fn client_id(&self) -> &str {
        text(&self.client["UserPoolClient"]["ClientId"], "UserPoolClient.ClientId")
    }

    fn client_name(&self) -> &str {
        text(
            &self.client["UserPoolClient"]["ClientName"],
            "UserPoolClient.ClientName",
        )
    }

    /// A last page of ListUserPoolClients, shaped like the published entries, naming the described client.
    fn last_clients_page(&self) -> Value {
        let mut entry = self.clients["UserPoolClients"][0].clone();
        entry["ClientId"] = json!(self.client_id());
        entry["ClientName"] = json!(self.client_name());
        entry["UserPoolId"] = json!(self.id());
        json!({ "UserPoolClients": [entry] })
    }

    fn answer(&self, proxy: &RecordingProxy) {
        proxy.answer("DescribeUserPool", self.pool.clone());
        proxy.answer("GetUserPoolMfaConfig", self.mfa.clone());
        answer_listing(
            proxy,
            "ListUserPoolClients",
            "NextToken",
            self.clients.clone(),
            self.last_clients_page(),
        );
        proxy.answer("DescribeUserPoolClient", self.client.clone());
        proxy.answer("ListUserPoolClientSecrets", one_secret(self.client_id()));
        // The pool has a domain: its managed-login version is the domain's.
        proxy.answer(
            "DescribeUserPoolDomain",
            aws_published_answer("describe-user-pool-domain"),
        );
    }
}

/// ListUserPoolClientSecrets naming one secret of `client_id`. awscli 1.46.3 publishes no example of this call:
/// the answer is shaped by botocore's `ListUserPoolClientSecretsResponse` (an ID `<client-id>--<epoch-create-time>`
/// and a creation date, never a value).
fn one_secret(client_id: &str) -> Value {
    json!({"ClientSecrets": [{
        "ClientSecretId": format!("{client_id}--1548097957000"),
        "ClientSecretCreateDate": 1548097957.0,
    }]})
}

#[tokio::test]
async fn a_published_pool_its_mfa_and_its_client_are_read_as_aws_sent_them() {
    let published = PublishedPool::load();
    let proxy = RecordingProxy::answering_only().await.unwrap();
    published.answer(&proxy);
    let cognito = connect(&proxy).await;

    let live = cognito.observe(published.id(), published.client_name()).await.unwrap();

    assert_eq!(live.id, "us-west-2_EXAMPLE");
    assert_eq!(
        live.arn.as_deref(),
        Some("arn:aws:cognito-idp:us-west-2:123456789012:userpool/us-west-2_EXAMPLE")
    );
    assert_eq!(
        live.unreadable,
        cognito::Unreadable::default(),
        "this SDK reads every member AWS published"
    );
    let pool = &live.observed.pool;
    assert_eq!(pool.name, "MyUserPool");
    assert_eq!(
        pool.password_policy,
        PasswordPolicy {
            minimum_length: 8,
            require_uppercase: true,
            require_lowercase: true,
            require_numbers: true,
            require_symbols: true,
            temporary_password_validity_days: 1,
            password_history_size: None,
        }
    );
    assert!(pool.username_attributes.is_empty(), "the example signs in by username");
    assert!(
        pool.case_sensitive_usernames,
        "no UsernameConfiguration: case sensitive"
    );
    assert_eq!(pool.auto_verified_attributes, names(&["email"]));
    assert!(!pool.admin_create_user_only);
    assert_eq!(pool.account_recovery, [RecoveryMechanism::VerifiedEmail]);
    assert_eq!(pool.deletion_protection, DeletionProtection::Active);
    assert!(pool.attributes_require_verification_before_update.is_empty());
    // Which attributes are required (AWS reports `sub` as required in every pool): see
    // `aws_s_sub_is_not_read_as_a_required_attribute`.
    assert_eq!(
        live.observed.email,
        EmailConfiguration::Developer {
            source_arn: "arn:aws:ses:us-west-2:123456789012:identity/admin@example.com".into(),
            from: String::new(),
        }
    );
    assert!(live.observed.tags.is_empty());
    assert_eq!(
        live.observed.mfa,
        MfaSettings {
            configuration: MfaConfiguration::Optional,
            software_token_enabled: true,
            sms_enabled: true,
            email_enabled: true,
        }
    );
    assert_eq!(pool.tier, UserPoolTier::Essentials, "no UserPoolTier: AWS's default");
    assert_eq!(
        live.observed.plan_features,
        BTreeSet::from([PlanFeature::AccessTokenCustomisation, PlanFeature::ThreatProtection]),
        "a V2_0 pre token generation trigger and ENFORCED threat protection; the domain is classic"
    );

    let client = live.client.as_ref().expect("the client named in the last page");
    assert_eq!(client.id, "38fjsnc484p94kpqsnet7mpld0");
    assert_eq!(
        client.secret.value().map(cognito::ExposeSecret::expose_secret),
        Some("CLIENT_SECRET")
    );
    assert_eq!(
        client.secrets,
        [cognito::ClientSecretInfo {
            id: "38fjsnc484p94kpqsnet7mpld0--1548097957000".into(),
            created: Some("2019-01-21T19:12:37Z".into()),
        }]
    );
    let settings = live.observed.client.as_ref().unwrap();
    assert_eq!(settings.name, "MyApp");
    assert!(settings.generate_secret);
    assert_eq!(
        settings.explicit_auth_flows,
        names(&["ADMIN_NO_SRP_AUTH", "USER_PASSWORD_AUTH"]),
        "legacy flow names are kept as AWS sent them"
    );
    assert_eq!(
        settings.token_validity.refresh,
        Validity::days(30),
        "no TokenValidityUnits: refresh tokens count in days"
    );
    assert_eq!(
        settings.prevent_user_existence_errors,
        PreventUserExistenceErrors::Legacy
    );
    assert!(!settings.enable_token_revocation);
    // The example reports no AccessTokenValidity, IdTokenValidity or AuthSessionValidity: AWS's documented defaults.
    assert!(settings.token_validity.access.same_duration(Validity::minutes(60)));
    assert!(settings.token_validity.id.same_duration(Validity::minutes(60)));
    assert_eq!(settings.auth_session_validity_minutes, 3);

    assert_paged_with(&proxy, "ListUserPoolClients", "NextToken", &published.clients);
    let described = proxy.calls_of("DescribeUserPoolClient")[0].request_json().unwrap();
    assert_eq!(
        (described["UserPoolId"].as_str(), described["ClientId"].as_str()),
        (Some(published.id()), Some(published.client_id()))
    );
}

/// "Except for sub, standard attributes are optional by default": AWS reports `sub` as `Required` in every pool,
/// and it is AWS's, never a spec's. Read as a required attribute, it would make every real pool conflict with its
/// spec (required attributes never change after creation).
#[tokio::test]
async fn aws_s_sub_is_not_read_as_a_required_attribute() {
    let published = PublishedPool::load();
    let sub = published.pool["UserPool"]["SchemaAttributes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|attribute| attribute["Name"] == "sub")
        .unwrap();
    assert_eq!(sub["Required"], true, "AWS reports sub as required: {sub}");
    let proxy = RecordingProxy::answering_only().await.unwrap();
    published.answer(&proxy);
    let cognito = connect(&proxy).await;

    let live = cognito.observe(published.id(), published.client_name()).await.unwrap();

    assert_eq!(live.observed.pool.required_attributes, names(&["email"]));
}

#[tokio::test]
async fn published_pools_are_found_by_name_across_pages_and_by_id() {
    let published = PublishedPool::load();
    let pools = aws_published_answer("list-user-pools");
    let proxy = RecordingProxy::answering_only().await.unwrap();
    answer_listing(
        &proxy,
        "ListUserPools",
        "NextToken",
        pools.clone(),
        json!({"UserPools": []}),
    );
    proxy.answer("DescribeUserPool", published.pool.clone());
    let cognito = connect(&proxy).await;

    let found = cognito.find_pool("user pool 2", &Tags::new(), None).await.unwrap();
    assert_eq!(
        found,
        Some(cognito::FoundPool {
            id: "us-west-2_EXAMPLE2".into(),
            name: "user pool 2".into(),
            passed_over: Vec::new(),
        })
    );
    assert_paged_with(&proxy, "ListUserPools", "NextToken", &pools);
    proxy.clear();
    assert_eq!(cognito.find_pool("credere", &Tags::new(), None).await.unwrap(), None);

    let by_id = cognito
        .find_pool("MyUserPool", &Tags::new(), Some(published.id()))
        .await
        .unwrap();
    assert_eq!(by_id.map(|pool| pool.id).as_deref(), Some("us-west-2_EXAMPLE"));
    let error = cognito
        .find_pool("credere", &Tags::new(), Some(published.id()))
        .await
        .unwrap_err();
    assert!(
        matches!(&error, cognito::Error::PoolNameMismatch { actual, .. } if actual == "MyUserPool"),
        "{error}"
    );
}

#[tokio::test]
async fn the_published_temporary_password_validity_is_read() {
    let published = PublishedPool::load();
    let proxy = RecordingProxy::answering_only().await.unwrap();
    proxy.answer("DescribeUserPool", published.pool.clone());
    let cognito = connect(&proxy).await;

    let facts = cognito.user_facts(published.id()).await.unwrap();

    assert_eq!(facts.temporary_password_validity_days, 1);
    assert_eq!(
        facts.estimated_users,
        published.pool["UserPool"]["EstimatedNumberOfUsers"].as_u64().unwrap()
    );
}

#[tokio::test]
async fn a_published_user_is_read_by_admin_get_user() {
    let proxy = RecordingProxy::answering_only().await.unwrap();
    proxy.answer("AdminGetUser", aws_published_answer("admin-get-user"));
    let cognito = connect(&proxy).await;
    let email = "jane@example.com";

    let access = cognito.user_access(USER_EXAMPLES_POOL, email).await.unwrap();
    let user = cognito.get_user(USER_EXAMPLES_POOL, email).await.unwrap();
    let limit = RateLimit::per_second(std::num::NonZeroU32::new(100).unwrap());
    let mfa = cognito
        .user_mfa(USER_EXAMPLES_POOL, &access.user.username, &limit)
        .await
        .unwrap();

    assert_eq!(
        access.user,
        cognito::CognitoUser {
            username: "4320de44-2322-4620-999b-5e2e1c8df013".into(),
            sub: "4320de44-2322-4620-999b-5e2e1c8df013".into(),
            email: Some(email.into()),
            enabled: true,
            status: "FORCE_CHANGE_PASSWORD".into(),
        }
    );
    assert!(!access.authenticator_listed, "the example lists no MFA setting");
    assert_eq!(user, access.user);
    assert_eq!(mfa, Some(MfaState::default()));
    let requests: Vec<Value> = proxy
        .calls_of("AdminGetUser")
        .iter()
        .map(|call| call.request_json().unwrap())
        .collect();
    assert_eq!(
        requests[0],
        json!({"UserPoolId": USER_EXAMPLES_POOL, "Username": email})
    );
    assert_eq!(requests[2]["Username"], "4320de44-2322-4620-999b-5e2e1c8df013");
}

#[tokio::test]
async fn a_published_create_user_answer_is_read() {
    let proxy = RecordingProxy::answering_only().await.unwrap();
    proxy.answer("AdminCreateUser", aws_published_answer("admin-create-user"));
    let cognito = connect(&proxy).await;

    let user = cognito
        .create_user(
            USER_EXAMPLES_POOL,
            "diego@example.com",
            &pool_spec::AdminDefaults::CREDERE,
        )
        .await
        .unwrap();

    // The example's pool signs in by username, so Cognito kept the one it was sent.
    assert_eq!(
        user,
        cognito::CognitoUser {
            username: "diego".into(),
            sub: "7325c1de-b05b-4f84-b321-9adc6e61f4a2".into(),
            email: Some("diego@example.com".into()),
            enabled: true,
            status: "FORCE_CHANGE_PASSWORD".into(),
        }
    );
    let request = proxy.calls_of("AdminCreateUser")[0].request_json().unwrap();
    assert_eq!(request["UserPoolId"], USER_EXAMPLES_POOL);
}

/// A creation reads the new pool's ID and ARN from CreateUserPool's answer, and the client's ID and secret from
/// CreateUserPoolClient's. The create-user-pool example predates pool ARNs in the answer, so none is read.
#[tokio::test]
async fn a_creation_reads_the_published_create_answers() {
    let spec = pool_spec::development();
    let proxy = RecordingProxy::answering_only().await.unwrap();
    proxy.answer("ListUserPools", json!({"UserPools": []}));
    let cognito = connect(&proxy).await;
    let prepared = cognito.prepare(&spec, None, None).await.unwrap();
    assert!(prepared.plan.creates_pool(), "{}", prepared.plan);

    let created_pool = aws_published_answer("create-user-pool");
    let pool_id = text(&created_pool["UserPool"]["Id"], "UserPool.Id").to_owned();
    let mut created_client = aws_published_answer("create-user-pool-client");
    created_client["UserPoolClient"]["UserPoolId"] = json!(pool_id);
    // After the create, the listing that looks for a concurrent twin finds the new pool alone.
    let mut listed = aws_published_answer("list-user-pools")["UserPools"][1].clone();
    listed["Id"] = json!(pool_id);
    listed["Name"] = json!(spec.pool.name);
    proxy.answer("ListUserPools", json!({"UserPools": [listed]}));
    proxy.answer("CreateUserPool", created_pool);
    proxy.answer("SetUserPoolMfaConfig", aws_published_answer("set-user-pool-mfa-config"));
    let client_id = text(&created_client["UserPoolClient"]["ClientId"], "UserPoolClient.ClientId").to_owned();
    proxy.answer("CreateUserPoolClient", created_client);
    proxy.answer("ListUserPoolClientSecrets", one_secret(&client_id));

    let applied = cognito.apply(prepared.plan.action().unwrap()).await.unwrap();

    assert_eq!(applied.pool_id, "us-west-2_aaaaaaaaa");
    assert_eq!(applied.pool_arn, None);
    assert_eq!(applied.client_id, "123abc456defEXAMPLE");
    assert_eq!(
        applied.client_secret.value().map(cognito::ExposeSecret::expose_secret),
        Some("this1234is5678my91011example1213client1415secret")
    );
    for operation in ["SetUserPoolMfaConfig", "CreateUserPoolClient"] {
        let request = proxy.calls_of(operation)[0].request_json().unwrap();
        assert_eq!(request["UserPoolId"], json!(pool_id), "{operation}");
    }
    assert_eq!(proxy.calls_of("CreateUserPool").len(), 1);
}

/// ListUsers is split into sixteen `sub ^= "…"` parts; each part is answered with the published users whose `sub`
/// starts so, on a page that carries the published `PaginationToken`, and a request with the token gets the
/// (empty) last page. Every published user must come back once, as AWS described them.
#[tokio::test]
async fn published_users_are_listed_once_each_across_the_sixteen_sub_prefixes() {
    let page = aws_published_answer("list-users");
    let token = page["PaginationToken"].clone();
    assert!(token.is_string(), "the published page asks for more: {page}");
    let users = page["Users"].as_array().unwrap().clone();
    let proxy = RecordingProxy::answering_only().await.unwrap();
    let answered = users.clone();
    proxy.answer_with("ListUsers", move |request| {
        if request.get("PaginationToken").is_some() {
            return json!({"Users": []});
        }
        let filter = text(&request["Filter"], "Filter");
        let prefix = filter
            .strip_prefix("sub ^= \"")
            .and_then(|rest| rest.strip_suffix('"'))
            .unwrap_or_else(|| panic!("a sub prefix filter: {filter}"));
        let matching: Vec<&Value> =
            answered
                .iter()
                .filter(|user| {
                    user["Attributes"].as_array().unwrap().iter().any(|attribute| {
                        attribute["Name"] == "sub" && text(&attribute["Value"], "sub").starts_with(prefix)
                    })
                })
                .collect();
        json!({"Users": matching, "PaginationToken": token})
    });
    let cognito = connect(&proxy).await;
    let limit = RateLimit::per_second(std::num::NonZeroU32::new(1000).unwrap());

    let scan = cognito.list_all_users("us-west-2_EXAMPLE", &limit, &()).await.unwrap();

    let mut listed = scan.users.clone();
    listed.sort_by(|a, b| a.username.cmp(&b.username));
    let at = |seconds: u64, millis: u64| SystemTime::UNIX_EPOCH + Duration::from_millis(seconds * 1000 + millis);
    let user = |username: &str, sub: &str, email: &str, status: &str, modified: SystemTime| ListedUser {
        username: username.into(),
        sub: Some(sub.into()),
        email: Some(email.into()),
        email_verified: false,
        enabled: true,
        status: status.into(),
        last_modified: Some(modified),
        created: None,
        attributes: Vec::new(),
    };
    let expected = [
        user(
            "testuser",
            "eaad0219-2117-439f-8d46-4db20e59268f",
            "testuser@example.com",
            "CONFIRMED",
            at(1_689_030_181, 630),
        ),
        user(
            "testuser2",
            "3b994cfd-0b07-4581-be46-3c82f9a70c90",
            "testuser2@example.com",
            "UNCONFIRMED",
            at(1_684_427_979, 201),
        ),
        user(
            "testuser3@example.com",
            "5929e0d1-4c34-42d1-9b79-a5ecacfe66f7",
            "testuser3@example.com",
            "UNCONFIRMED",
            at(1_684_427_823, 641),
        ),
    ];
    assert_eq!(listed.len(), expected.len(), "{listed:#?}");
    for (listed, expected) in listed.iter().zip(&expected) {
        // Epoch seconds with a fraction, read through a binary float: equal within a millisecond.
        let nanos = |time: Option<SystemTime>| time.unwrap().duration_since(SystemTime::UNIX_EPOCH).unwrap().as_nanos();
        let (listed_at, expected_at) = (nanos(listed.last_modified), nanos(expected.last_modified));
        assert!(
            listed_at.abs_diff(expected_at) < 1_000_000,
            "{}: {listed_at} ns, AWS said {expected_at} ns",
            expected.username
        );
        let same_time = ListedUser {
            last_modified: expected.last_modified,
            created: None,
            attributes: Vec::new(),
            ..listed.clone()
        };
        assert_eq!(&same_time, expected);
        // Every attribute, in AWS's order, and the creation date, as published.
        let published = users
            .iter()
            .find(|user| user["Username"] == expected.username.as_str())
            .unwrap();
        let attributes: Vec<(String, Option<String>)> = published["Attributes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|attribute| {
                (
                    text(&attribute["Name"], "Name").to_owned(),
                    attribute["Value"].as_str().map(str::to_owned),
                )
            })
            .collect();
        assert_eq!(listed.attributes, attributes, "{}", expected.username);
        let published_created = (published["UserCreateDate"].as_f64().unwrap() * 1e9) as u128;
        assert!(
            nanos(listed.created).abs_diff(published_created) < 1_000_000,
            "{}",
            expected.username
        );
    }
    assert_eq!(scan.calls, 32, "each part's published page, then its last page");
    let paged: Vec<Value> = proxy
        .calls_of("ListUsers")
        .iter()
        .filter_map(|call| call.request_json().unwrap().get("PaginationToken").cloned())
        .collect();
    assert_eq!(paged.len(), 16);
    assert!(paged.iter().all(|sent| *sent == page["PaginationToken"]), "{paged:?}");
}

/// The described pool with what `desired` manages set over it, and everything else as AWS published it:
/// `sub` stays required, `UnusedAccountValidityDays`, Lambda triggers, messages, the SMS set-up and the add-ons
/// stay. Each spec type is taken apart whole, so a setting added to the spec cannot be forgotten here.
fn spec_shaped_pool(published: &Value, desired: &DesiredState) -> Value {
    let mut answer = published.clone();
    let pool = &mut answer["UserPool"];
    let PoolSettings {
        name,
        username_attributes,
        case_sensitive_usernames,
        required_attributes,
        auto_verified_attributes,
        password_policy,
        admin_create_user_only,
        account_recovery,
        deletion_protection,
        tier,
        attributes_require_verification_before_update,
    } = desired.pool();
    pool["Name"] = json!(name);
    pool["UsernameAttributes"] = json!(username_attributes);
    pool["UsernameConfiguration"]["CaseSensitive"] = json!(case_sensitive_usernames);
    let schema = pool["SchemaAttributes"].as_array_mut().unwrap();
    for attribute in schema.iter_mut().filter(|attribute| attribute["Name"] != "sub") {
        let name = text(&attribute["Name"], "SchemaAttributes.Name").to_owned();
        attribute["Required"] = json!(required_attributes.contains(&name));
    }
    for required in required_attributes {
        assert!(
            schema.iter().any(|attribute| attribute["Name"] == required.as_str()),
            "the published schema has no {required}"
        );
    }
    pool["AutoVerifiedAttributes"] = json!(auto_verified_attributes);
    let PasswordPolicy {
        minimum_length,
        require_uppercase,
        require_lowercase,
        require_numbers,
        require_symbols,
        temporary_password_validity_days,
        password_history_size,
    } = password_policy;
    let policy = &mut pool["Policies"]["PasswordPolicy"];
    policy["MinimumLength"] = json!(minimum_length);
    policy["RequireUppercase"] = json!(require_uppercase);
    policy["RequireLowercase"] = json!(require_lowercase);
    policy["RequireNumbers"] = json!(require_numbers);
    policy["RequireSymbols"] = json!(require_symbols);
    policy["TemporaryPasswordValidityDays"] = json!(temporary_password_validity_days);
    match password_history_size {
        Some(size) => policy["PasswordHistorySize"] = json!(size),
        None => {
            policy.as_object_mut().unwrap().remove("PasswordHistorySize");
        }
    }
    pool["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] = json!(admin_create_user_only);
    pool["AccountRecoverySetting"]["RecoveryMechanisms"] = account_recovery
        .iter()
        .zip(1..)
        .map(|(mechanism, priority)| json!({"Priority": priority, "Name": mechanism.as_str()}))
        .collect();
    pool["DeletionProtection"] = json!(deletion_protection.as_str());
    pool["UserPoolTier"] = json!(tier.as_str());
    // What the spec's plan lacks is off, as AWS requires of a pool on that plan.
    for feature in PlanFeature::ALL.into_iter().filter(|feature| !tier.offers(*feature)) {
        match feature {
            PlanFeature::PasswordlessSignIn => {
                pool["Policies"]["SignInPolicy"] = json!({"AllowedFirstAuthFactors": ["PASSWORD"]});
            }
            PlanFeature::AccessTokenCustomisation => {
                pool["LambdaConfig"]["PreTokenGenerationConfig"]["LambdaVersion"] = json!("V1_0");
            }
            // The published domain serves the classic hosted UI.
            PlanFeature::ManagedLogin => {}
            PlanFeature::DynamicClientRegistration => {
                pool.as_object_mut().unwrap().remove("DcrConfiguration");
            }
            PlanFeature::CustomAcrNames => {
                pool.as_object_mut().unwrap().remove("AcrConfiguration");
            }
            PlanFeature::ThreatProtection => pool["UserPoolAddOns"] = json!({"AdvancedSecurityMode": "OFF"}),
        }
    }
    pool["UserAttributeUpdateSettings"]["AttributesRequireVerificationBeforeUpdate"] =
        json!(attributes_require_verification_before_update);
    pool["MfaConfiguration"] = json!(desired.mfa().configuration.as_str());
    let email = &mut pool["EmailConfiguration"];
    match desired.email() {
        EmailConfiguration::Developer { source_arn, from } => {
            email["EmailSendingAccount"] = json!("DEVELOPER");
            email["SourceArn"] = json!(source_arn);
            email["From"] = json!(from);
        }
        EmailConfiguration::CognitoDefault => {
            email["EmailSendingAccount"] = json!("COGNITO_DEFAULT");
            let email = email.as_object_mut().unwrap();
            email.remove("SourceArn");
            email.remove("From");
        }
    }
    let live_tags: Tags = serde_json::from_value(pool["UserPoolTags"].clone()).unwrap();
    pool["UserPoolTags"] = json!(pool_spec::with_tags(&live_tags, desired.tags()));
    answer
}

/// GetUserPoolMfaConfig's published answer with the spec's MFA; WebAuthn, which the spec does not manage, stays.
fn spec_shaped_mfa(published: &Value, mfa: &MfaSettings) -> Value {
    let MfaSettings {
        configuration,
        software_token_enabled,
        sms_enabled,
        email_enabled,
    } = mfa;
    let mut answer = published.clone();
    answer["MfaConfiguration"] = json!(configuration.as_str());
    answer["SoftwareTokenMfaConfiguration"]["Enabled"] = json!(software_token_enabled);
    if !sms_enabled {
        answer.as_object_mut().unwrap().remove("SmsMfaConfiguration");
    }
    if !email_enabled {
        answer.as_object_mut().unwrap().remove("EmailMfaConfiguration");
    }
    answer
}

/// DescribeUserPoolClient's published answer with the spec's client settings; read and write attributes and the
/// rest stay.
fn spec_shaped_client(published: &Value, pool_id: &str, client: &ClientSettings) -> Value {
    let ClientSettings {
        name,
        generate_secret,
        explicit_auth_flows,
        token_validity: TokenValidity { refresh, access, id },
        auth_session_validity_minutes,
        prevent_user_existence_errors,
        enable_token_revocation,
    } = client;
    let mut answer = published.clone();
    let described = &mut answer["UserPoolClient"];
    described["UserPoolId"] = json!(pool_id);
    described["ClientName"] = json!(name);
    if !generate_secret {
        described.as_object_mut().unwrap().remove("ClientSecret");
    }
    described["ExplicitAuthFlows"] = json!(explicit_auth_flows);
    described["RefreshTokenValidity"] = json!(refresh.amount);
    described["AccessTokenValidity"] = json!(access.amount);
    described["IdTokenValidity"] = json!(id.amount);
    described["TokenValidityUnits"] = json!({
        "RefreshToken": refresh.unit.as_str(),
        "AccessToken": access.unit.as_str(),
        "IdToken": id.unit.as_str(),
    });
    described["AuthSessionValidity"] = json!(auth_session_validity_minutes);
    described["PreventUserExistenceErrors"] = json!(prevent_user_existence_errors.as_str());
    described["EnableTokenRevocation"] = json!(enable_token_revocation);
    answer
}

/// A pool with `spec`'s values in AWS's shape, found by name on the second page of the published pool list, with
/// its client on the second page of the published client list: `prepare` must plan nothing.
async fn assert_spec_shaped_answers_converge(spec: PoolSpec) {
    let published = PublishedPool::load();
    let pool_id = published.id().to_owned();
    assert_eq!(cognito::pool_region(&pool_id), Some(REGION));
    let arn = text(&published.pool["UserPool"]["Arn"], "UserPool.Arn");
    let account = arn.split(':').nth(4).unwrap();
    let ses_arn = match &spec.email {
        EmailSpec::Developer { ses_identity, .. } => Some(pool_spec::ses_identity_arn(REGION, account, ses_identity)),
        EmailSpec::CognitoDefault => None,
    };
    let desired = spec.resolve(ses_arn.as_deref()).unwrap();

    let pools = aws_published_answer("list-user-pools");
    let mut entry = pools["UserPools"][1].clone();
    entry["Id"] = json!(pool_id);
    entry["Name"] = json!(desired.pool().name);
    let mut client = published.client.clone();
    client["UserPoolClient"]["ClientName"] = json!(desired.client().name);
    let shaped = PublishedPool {
        pool: spec_shaped_pool(&published.pool, &desired),
        mfa: spec_shaped_mfa(&published.mfa, desired.mfa()),
        clients: published.clients.clone(),
        client: spec_shaped_client(&client, &pool_id, desired.client()),
    };
    let proxy = RecordingProxy::answering_only().await.unwrap();
    answer_listing(
        &proxy,
        "ListUserPools",
        "NextToken",
        pools,
        json!({"UserPools": [entry]}),
    );
    shaped.answer(&proxy);
    let cognito = connect(&proxy).await;

    let prepared = cognito.prepare(&spec, ses_arn.as_deref(), None).await.unwrap();

    assert!(
        prepared.plan.is_converged(),
        "{}: a pool holding the spec's values in AWS's shape must need nothing:\n{}",
        spec.environment,
        prepared.plan
    );
    let live = prepared.plan.live().unwrap();
    assert_eq!(live.id, pool_id);
    assert_eq!(
        live.client.as_ref().map(|client| client.id.as_str()),
        Some(published.client_id())
    );
    assert_eq!(live.unreadable, cognito::Unreadable::default());
    let mut operations = proxy.operations();
    operations.sort();
    assert_eq!(
        operations,
        [
            "DescribeUserPool",
            "DescribeUserPoolClient",
            // The published pool has a domain: is it on managed login?
            "DescribeUserPoolDomain",
            "GetUserPoolMfaConfig",
            "ListUserPoolClientSecrets",
            "ListUserPoolClients",
            "ListUserPoolClients",
            "ListUserPools",
            "ListUserPools",
        ]
    );
}

#[tokio::test]
async fn a_pool_shaped_like_aws_s_answer_with_production_s_values_is_converged() {
    assert_spec_shaped_answers_converge(pool_spec::production()).await;
}

#[tokio::test]
async fn a_pool_shaped_like_aws_s_answer_with_development_s_values_is_converged() {
    assert_spec_shaped_answers_converge(pool_spec::development()).await;
}
