//! The scenarios on a seeded pool: `audit`, `users export`, and `users import` of the exported file into a fresh
//! empty pool, with a database holding a row for each user.

use std::path::Path;

use anyhow::Context;
use testkit::RecordingProxy;

use super::{Sample, measure, measure_accepting, migrated_database, provisioned_development};

/// AdminCreateUser calls in flight while seeding a pool. One: moto answers concurrent AdminCreateUser calls
/// with HTTP 500 now and then (its user store is not guarded against threads), which AWS would not.
const SEEDERS: usize = 1;

/// `--max-rps` of the imports: far above what the emulator answers (a few hundred calls a second on this
/// kind of machine), so the emulator, not the client-side limit, sets the pace. The default, 20, would make an
/// import of N users last at least N / 20 seconds whatever the emulator does.
pub(super) const IMPORT_MAX_RPS: &str = "1000";

/// A development pool holding `users` users, and a database holding one row for each.
pub(super) struct SeededPool {
    pub(super) proxy: RecordingProxy,
    pool_id: String,
    /// The rows of the users, the first an OCP administrator.
    rows: Vec<user_model::NewUser>,
    database: testkit::TestDatabase,
}

impl SeededPool {
    /// Creates the users with the cognito crate's own AdminCreateUser, then inserts their rows.
    pub(super) fn seed(
        runtime: &tokio::runtime::Runtime,
        services: &testkit::Services,
        users: usize,
    ) -> anyhow::Result<Self> {
        let proxy = provisioned_development(runtime, services)?;
        let pool_id = development_pool_id(runtime, &proxy)?;
        let made = runtime.block_on(async {
            let cognito = connect(&proxy).await;
            let admin = pool_spec::development().admin;
            let mut seeders = tokio::task::JoinSet::new();
            for seeder in 0..SEEDERS {
                let (cognito, pool_id) = (cognito.clone(), pool_id.clone());
                seeders.spawn(async move {
                    let mut made = Vec::new();
                    for index in (seeder..users).step_by(SEEDERS) {
                        let email = format!("user{index}@example.org");
                        made.push((index, cognito.create_user(&pool_id, &email, &admin).await?));
                    }
                    Ok::<_, anyhow::Error>(made)
                });
            }
            let mut made = Vec::with_capacity(users);
            while let Some(part) = seeders.join_next().await {
                made.extend(part??);
            }
            made.sort_by_key(|(index, _)| *index);
            Ok::<_, anyhow::Error>(made)
        })?;
        let rows: Vec<user_model::NewUser> = made
            .into_iter()
            .map(|(index, user)| user_model::NewUser {
                user_type: if index == 0 {
                    user_model::UserType::Ocp
                } else {
                    user_model::UserType::Fi
                },
                language: user_model::Language::Es,
                email: user.email.unwrap_or_default(),
                name: format!("User {index}"),
                external_id: user.username,
                lender_id: None,
                notification_preferences: None,
            })
            .collect();
        let database = database_with(services, &rows)?;
        Ok(Self {
            proxy,
            pool_id,
            rows,
            database,
        })
    }

    /// One audit of the pool, which must succeed (exit 0 or 2).
    pub(super) fn measure_audit(&self, runtime: &tokio::runtime::Runtime) -> anyhow::Result<Sample> {
        let endpoint = self.proxy.endpoint();
        let args = [
            "audit",
            "--pool-id",
            &self.pool_id,
            "--database-url",
            self.database.url(),
            "--endpoint-url",
            &endpoint,
            "--output",
            "json",
        ];
        measure_accepting(runtime, &self.proxy, &args, &[0, 2])
    }

    /// One `users export` of the pool into `file`, replacing it, which must succeed.
    pub(super) fn measure_export(&self, runtime: &tokio::runtime::Runtime, file: &Path) -> anyhow::Result<Sample> {
        let endpoint = self.proxy.endpoint();
        let file = file.to_str().context("a UTF-8 temporary path")?;
        let args = [
            "users",
            "export",
            "--pool-id",
            &self.pool_id,
            "--out",
            file,
            "--force",
            "--endpoint-url",
            &endpoint,
            "--output",
            "json",
        ];
        measure(runtime, &self.proxy, &args)
    }

    /// `users import` of `file` (this pool's export) into a freshly provisioned empty development pool, behind a
    /// proxy of its own with `latency`, and a fresh database holding this pool's rows: the first run creates every
    /// user and relinks every row, the second finds everything in place.
    pub(super) fn measure_import(
        &self,
        runtime: &tokio::runtime::Runtime,
        services: &testkit::Services,
        file: &Path,
        latency: std::time::Duration,
    ) -> anyhow::Result<(Sample, Sample)> {
        let proxy = provisioned_development(runtime, services)?;
        let target = development_pool_id(runtime, &proxy)?;
        let database = database_with(services, &self.rows)?;
        proxy.set_latency(latency);
        let endpoint = proxy.endpoint();
        let args = [
            "users",
            "import",
            "--from",
            file.to_str().context("a UTF-8 temporary path")?,
            "--pool-id",
            &target,
            "--database-url",
            database.url(),
            "--endpoint-url",
            &endpoint,
            "--max-rps",
            IMPORT_MAX_RPS,
            "--yes",
            "--output",
            "json",
        ];
        let imported = measure(runtime, &proxy, &args)?;
        let again = measure(runtime, &proxy, &args)?;
        Ok((imported, again))
    }
}

async fn connect(proxy: &RecordingProxy) -> cognito::Cognito {
    cognito::Cognito::connect(&cognito::ConnectOptions {
        endpoint_url: Some(proxy.endpoint()),
        ..cognito::ConnectOptions::default()
    })
    .await
}

/// The ID of the development pool `provision` made behind `proxy`.
fn development_pool_id(runtime: &tokio::runtime::Runtime, proxy: &RecordingProxy) -> anyhow::Result<String> {
    runtime.block_on(async {
        let spec = pool_spec::development();
        let pool = connect(proxy)
            .await
            .find_pool(&spec.pool.name, &spec.tags, None)
            .await?
            .context("the development pool just provisioned")?;
        Ok(pool.id)
    })
}

/// A fresh migrated database holding `rows`, inserted in one transaction.
fn database_with(services: &testkit::Services, rows: &[user_model::NewUser]) -> anyhow::Result<testkit::TestDatabase> {
    use user_model::diesel::{Connection, RunQueryDsl};
    let (database, url) = migrated_database(services)?;
    user_model::connect(&url)?.transaction(|conn| {
        for chunk in rows.chunks(1_000) {
            user_model::diesel::insert_into(user_model::schema::credere_user::table)
                .values(chunk.to_vec())
                .execute(conn)?;
        }
        Ok::<_, user_model::diesel::result::Error>(())
    })?;
    Ok(database)
}
