//! Bad input, table-driven: each case is refused with its reason, and none makes a mutating Cognito call
//! or writes a row. Cases that pass validation run the whole workflow against the real services.

use admin_bootstrap::{Request, bootstrap};
use pool_spec::Environment;
use test_support::{mutations, rows, world};

#[tokio::test]
async fn bad_input_is_refused_with_its_reason_and_changes_nothing() {
    let world = world().await;
    let spec = pool_spec::development();
    let dev_pool = test_support::create_pool(&world.sdk, &spec.pool.name, &spec.tags).await;
    world.proxy.clear();
    let other_pool = world.pool_id.clone();
    let good = test_support::request(&world, "admin@example.org");
    let long_local = format!("{}@example.org", "a".repeat(65));
    let long_email = format!("{}@{}.example.org", "a".repeat(60), "b".repeat(60));

    let email = |email: &str| Request {
        email: email.to_owned(),
        ..good.clone()
    };
    let name = |name: &str| Request {
        name: name.to_owned(),
        ..good.clone()
    };
    let language = |language: &str| Request {
        language: language.to_owned(),
        ..good.clone()
    };
    let database = |url: &str| Request {
        database_url: Some(url.to_owned()),
        ..good.clone()
    };
    let pool = |environment: Option<Environment>, pool_id: Option<&str>| Request {
        environment,
        pool_id: pool_id.map(str::to_owned),
        ..good.clone()
    };
    let cases: Vec<(&str, Request, &str)> = vec![
        ("empty email", email(""), "email is empty"),
        ("whitespace email", email("   \t "), "email is empty"),
        ("no at sign", email("plainaddress"), "not a valid email"),
        ("no local part", email("@example.org"), "not a valid email"),
        ("no domain", email("admin@"), "not a valid email"),
        ("two at signs", email("admin@@example.org"), "not a valid email"),
        ("no top-level domain", email("admin@localhost"), "not a valid email"),
        ("domain literal", email("admin@[127.0.0.1]"), "not a valid email"),
        ("display name", email("Ada <admin@example.org>"), "not a valid email"),
        ("space in local part", email("ad min@example.org"), "not a valid email"),
        ("space in domain", email("admin@exa mple.org"), "not a valid email"),
        ("empty domain label", email("admin@example..org"), "not a valid email"),
        ("leading dot", email(".admin@example.org"), "not a valid email"),
        ("double dot", email("ad..min@example.org"), "not a valid email"),
        ("local part over 64", email(&long_local), "not a valid email"),
        ("email over 128", email(&long_email), "at most 128"),
        ("newline in email", email("ad\nmin@example.org"), "control character"),
        ("NUL in email", email("admin@example.org\0x"), "control character"),
        // Issue 19, item 17: lower-casing would turn these into other ASCII addresses than the one typed.
        (
            "Kelvin sign in email",
            email("\u{212A}im@example.org"),
            "U+212A lower-cases to the ASCII `k`",
        ),
        ("dotted capital I in domain", email("kim@example.\u{0130}o"), "U+0130"),
        ("empty name", name(""), "name is empty"),
        ("whitespace name", name("   "), "name is empty"),
        ("tab and newline name", name("\t\n"), "name is empty"),
        ("newline in name", name("Ada\nAdmin"), "control character"),
        ("bell in name", name("Ada\u{7}"), "control character"),
        (
            "escape sequence in name",
            name("Ada \u{1b}[31mred"),
            "control character",
        ),
        ("NUL in name", name("Ada\0"), "control character"),
        ("name over 255", name(&"n".repeat(256)), "at most 255"),
        ("zero-width space name", name("\u{200B}"), "no visible character"),
        (
            "word joiner, BOM and spaces name",
            name(" \u{2060}\u{FEFF} \u{200B} "),
            "no visible character",
        ),
        ("Hangul filler name", name("\u{3164}\u{3164}"), "no visible character"),
        ("variation selector name", name("\u{FE0F}"), "no visible character"),
        (
            "right-to-left override",
            name("Ada \u{202E}nimdA"),
            "format character U+202E",
        ),
        (
            "left-to-right embedding",
            name("\u{202A}Ada"),
            "format character U+202A",
        ),
        (
            "first-strong isolate",
            name("Ada \u{2068}x\u{2069}"),
            "format character U+2068",
        ),
        ("zero-width joiner", name("Ad\u{200D}a"), "format character U+200D"),
        ("byte-order mark", name("\u{FEFF}Ada Admin"), "format character U+FEFF"),
        ("soft hyphen", name("Ada\u{AD}Admin"), "format character U+00AD"),
        (
            "override in email",
            email("admin\u{202E}@example.org"),
            "format character U+202E",
        ),
        (
            "zero-width space in email",
            email("ad\u{200B}min@example.org"),
            "format character U+200B",
        ),
        ("unsupported language", language("fr"), "unknown language"),
        ("upper-case language", language("ES"), "unknown language"),
        ("empty language", language(""), "unknown language"),
        ("regional language", language("es-CO"), "unknown language"),
        ("no pool", pool(None, None), "no pool given"),
        (
            "malformed pool id",
            pool(None, Some("not-a-pool-id")),
            "not a Cognito user pool ID",
        ),
        (
            "pool id without id part",
            pool(None, Some("us-east-1_")),
            "not a Cognito user pool ID",
        ),
        (
            "pool id with symbols",
            pool(None, Some("us-east-1_ab!c")),
            "not a Cognito user pool ID",
        ),
        (
            "env and another pool's id",
            pool(Some(Environment::Development), Some(&other_pool)),
            "is named",
        ),
        (
            "env and an unknown pool id",
            pool(Some(Environment::Development), Some("eu-north-1_Nope123")),
            "no user pool",
        ),
        (
            "env and another env's pool",
            pool(Some(Environment::Production), Some(&dev_pool)),
            "is named `credere`",
        ),
        (
            "no database",
            Request {
                database_url: None,
                ..good.clone()
            },
            "no database given",
        ),
        (
            "mysql database",
            database("mysql://u:pw@localhost/credere"),
            "only postgresql://",
        ),
        (
            "sqlite database",
            database("sqlite:///tmp/credere.db"),
            "only postgresql://",
        ),
        (
            "SQLAlchemy database",
            database("postgresql+psycopg2://u@localhost/credere"),
            "only postgresql://",
        ),
        ("not a URL", database("credere on localhost"), "not a valid URL"),
        (
            "bad connect timeout",
            database("postgresql://localhost/credere?connect_timeout=soon"),
            "whole number",
        ),
        (
            "non-http backend",
            Request {
                reset_backend_url: Some("ftp://backend.example.org".into()),
                ..good.clone()
            },
            "not an http",
        ),
    ];
    let labels: std::collections::BTreeSet<&str> = cases.iter().map(|(label, ..)| *label).collect();
    assert_eq!(
        labels.len(),
        cases.len(),
        "a label used twice: a failure must name one case"
    );

    for (label, request, reason) in &cases {
        let outcome = match request.validate() {
            Err(error) => error.to_string(),
            Ok(input) => match bootstrap(&input, &world.cognito).await {
                Err(error) => testkit::error_chain(&error),
                Ok(report) => panic!("{label}: accepted: {report:?}"),
            },
        };
        assert!(outcome.contains(reason), "{label}: expected {reason:?} in {outcome:?}");
        assert!(!outcome.contains(":pw@"), "{label}: a password leaked: {outcome}");
    }
    assert_eq!(
        mutations(&world.proxy),
        Vec::<String>::new(),
        "no case changed anything in Cognito"
    );
    assert!(rows(&world.database).is_empty(), "no case wrote a row");

    // The same request, corrected, goes through: the refusals were about the input, not the setup.
    bootstrap(&good.validate().unwrap(), &world.cognito)
        .await
        .expect("the good request");
}

#[tokio::test]
async fn a_pool_of_another_region_is_named_with_the_region_to_pass() {
    let world = world().await;
    // A real pool, in eu-west-1 of the same emulated account: only the region is wrong.
    let ireland = test_support::sdk(&world.proxy.endpoint(), "eu-west-1").await;
    let pool_id = test_support::create_pool(&ireland, &testkit::unique_name("ireland"), &Default::default()).await;
    assert!(
        pool_id.starts_with("eu-west-1_"),
        "moto names pools by region: {pool_id}"
    );
    world.proxy.clear();
    let email = test_support::email();
    let asked = Request {
        pool_id: Some(pool_id.clone()),
        ..test_support::request(&world, &email)
    };
    let by_id = bootstrap(&asked.validate().unwrap(), &world.cognito).await.unwrap_err();
    let by_env = Request {
        environment: Some(Environment::Development),
        ..asked.clone()
    };
    let by_env = bootstrap(&by_env.validate().unwrap(), &world.cognito)
        .await
        .unwrap_err();
    // The flag to pass (`--region eu-west-1`) is xtask's hint for this error.
    for error in [testkit::error_chain(&by_id), testkit::error_chain(&by_env)] {
        assert!(
            error.contains(&format!(
                "no user pool `{pool_id}` in us-east-1; pool IDs start with their region (`eu-west-1_…`): this \
                 pool is in eu-west-1"
            )),
            "{error}"
        );
    }
    assert_eq!(
        world.proxy.operations(),
        Vec::<String>::new(),
        "refused before any call"
    );
    assert!(rows(&world.database).is_empty());

    // The advice is right: the same request in the region it names goes through.
    let in_ireland = cognito::Cognito::connect(&test_support::options(&world.proxy.endpoint(), "eu-west-1")).await;
    let report = bootstrap(&asked.validate().unwrap(), &in_ireland)
        .await
        .expect("in eu-west-1");
    assert_eq!(report.pool_id, pool_id);

    // A pool ID of this region that does not exist: Cognito's ResourceNotFoundException, named the same way.
    let unknown = Request {
        pool_id: Some("us-east-1_Nope123".into()),
        ..test_support::request(&world, &test_support::email())
    };
    let error = bootstrap(&unknown.validate().unwrap(), &world.cognito)
        .await
        .unwrap_err();
    let error = testkit::error_chain(&error);
    assert!(
        error.contains("no user pool `us-east-1_Nope123` in us-east-1; check the ID"),
        "{error}"
    );
    assert!(!error.contains("ResourceNotFoundException"), "{error}");
}
