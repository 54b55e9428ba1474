//! What a Credere service would run at start-up: load the spec of its environment, observe the live
//! pool, and refuse to start when the pool has drifted from the spec.
//!
//! ```sh
//! cargo run -p cognito --example refuse_on_drift -- development
//! ```
//! Credentials, region and endpoint come from the standard AWS chain (`AWS_PROFILE`, `AWS_REGION`,
//! `AWS_ENDPOINT_URL`, …). Production also needs `SES_IDENTITY_ARN`, or the caller may read its account.
//! Exit codes: 0 the pool matches, 2 it drifted (the differences are printed), 1 it could not be checked.

// A command-line program reports on stdout.
#![allow(clippy::print_stdout)]

use std::process::ExitCode;

use cognito::{Cognito, ConnectOptions};
use pool_spec::Environment;

#[tokio::main]
async fn main() -> ExitCode {
    let environment = std::env::args().nth(1).unwrap_or_default();
    let ses_identity_arn = std::env::var("SES_IDENTITY_ARN").ok();
    ExitCode::from(check(&environment, &ConnectOptions::default(), ses_identity_arn.as_deref()).await)
}

/// Checks the live pool of `environment` against its spec; returns the exit code.
pub async fn check(environment: &str, options: &ConnectOptions, ses_identity_arn: Option<&str>) -> u8 {
    let environment: Environment = match environment.parse() {
        Ok(environment) => environment,
        Err(error) => {
            eprintln!("usage: refuse_on_drift production|development ({error})");
            return 1;
        }
    };
    let spec = pool_spec::for_environment(environment);
    let cognito = Cognito::connect(options).await;
    let prepared = match cognito.prepare(&spec, ses_identity_arn, None).await {
        Ok(prepared) => prepared,
        Err(error) => {
            eprintln!("cannot check the {environment} pool: {error}");
            return 1;
        }
    };
    if prepared.plan.is_converged() {
        println!("the {environment} pool `{}` matches its spec: starting", spec.pool.name);
        return 0;
    }
    eprintln!(
        "refusing to start: the {environment} pool `{}` differs from its spec",
        spec.pool.name
    );
    for line in prepared.plan.to_string().lines() {
        eprintln!("  {line}");
    }
    eprintln!("run `cargo xtask provision --env {environment}` to converge it");
    2
}

/// The example run as a Credere service would run it, against the emulator.
#[cfg(test)]
mod tests {
    #[test]
    fn refuses_to_start_until_the_pool_matches_its_spec() {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let proxy = runtime
            .block_on(testkit::RecordingProxy::start(&testkit::cognito_endpoint()))
            .unwrap();
        let options = cognito::ConnectOptions {
            endpoint_url: Some(proxy.endpoint()),
            ..cognito::ConnectOptions::default()
        };

        assert_eq!(
            runtime.block_on(super::check("development", &options, None)),
            2,
            "no pool yet"
        );
        assert_eq!(
            runtime.block_on(super::check("staging", &options, None)),
            1,
            "not an environment"
        );

        runtime.block_on(async {
            let cognito = cognito::Cognito::connect(&options).await;
            let prepared = cognito.prepare(&pool_spec::development(), None, None).await.unwrap();
            cognito.apply(prepared.plan.action().unwrap()).await.unwrap();
        });
        assert_eq!(
            runtime.block_on(super::check("development", &options, None)),
            0,
            "provisioned"
        );
        // Reads only: the example never changes the pool it checks.
        let before = proxy.operations().len();
        runtime.block_on(super::check("development", &options, None));
        assert!(
            proxy.operations()[before..]
                .iter()
                .all(|operation| !operation.starts_with("Create")
                    && !operation.starts_with("Update")
                    && !operation.starts_with("Set"))
        );
    }
}
