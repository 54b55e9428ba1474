//! The `refuse_on_drift` example, run as a Credere service would run it, against the emulator.

#[allow(dead_code)] // Its `main` is the example's entry point; the test calls `check`.
#[path = "../examples/refuse_on_drift.rs"]
mod example;

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
        runtime.block_on(example::check("development", &options, None)),
        2,
        "no pool yet"
    );
    assert_eq!(
        runtime.block_on(example::check("staging", &options, None)),
        1,
        "not an environment"
    );

    runtime.block_on(async {
        let cognito = cognito::Cognito::connect(&options).await;
        let prepared = cognito.prepare(&pool_spec::development(), None, None).await.unwrap();
        cognito.apply(prepared.plan.action().unwrap()).await.unwrap();
    });
    assert_eq!(
        runtime.block_on(example::check("development", &options, None)),
        0,
        "provisioned"
    );
    // Reads only: the example never changes the pool it checks.
    let before = proxy.operations().len();
    runtime.block_on(example::check("development", &options, None));
    assert!(
        proxy.operations()[before..]
            .iter()
            .all(|operation| !operation.starts_with("Create")
                && !operation.starts_with("Update")
                && !operation.starts_with("Set"))
    );
}
