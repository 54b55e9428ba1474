//! The workspace's one HTTP/TLS stack (the SDK's hyper 1 client, rustls on ring) over real TLS, for both of its
//! uses: the Cognito calls and credere-backend's `POST /users/forgot-password`. A TLS front with a test CA's
//! certificate (`fixtures/tls`, valid for `localhost` and 127.0.0.1) sits before the recording proxy and before a
//! one-request backend. Untrusted, the certificate is refused and nothing reaches either; trusted through
//! `SSL_CERT_FILE` (read by rustls-native-certs, as the platform's roots are), both are reached. Either way the
//! crypto provider is the one the code names, not a process-wide default: nothing panics for want of one.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use admin_bootstrap::{ResetOutcome, ResetTarget};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/tls")
        .join(name)
}

/// Terminates TLS on a loopback port and forwards the plain bytes to `upstream` (`http://host:port`).
struct TlsFront {
    port: u16,
    /// Connections whose handshake completed, i.e. that were forwarded.
    forwarded: Arc<AtomicUsize>,
}

impl TlsFront {
    async fn start(upstream: &str) -> Self {
        let upstream: SocketAddr = upstream
            .strip_prefix("http://")
            .and_then(|address| address.trim_end_matches('/').parse().ok())
            .unwrap_or_else(|| panic!("not an http://address:port URL: {upstream}"));
        let certificate = CertificateDer::from_pem_file(fixture("localhost.pem")).expect("reading localhost.pem");
        let key = PrivateKeyDer::from_pem_file(fixture("localhost.key")).expect("reading localhost.key");
        let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
        let config = ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("ring supports the default TLS versions")
            .with_no_client_auth()
            .with_single_cert(vec![certificate], key)
            .expect("the fixture's key matches its certificate");
        let acceptor = TlsAcceptor::from(Arc::new(config));
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let forwarded = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&forwarded);
        tokio::spawn(async move {
            loop {
                let (client, _) = listener.accept().await.unwrap();
                let (acceptor, counter) = (acceptor.clone(), Arc::clone(&counter));
                tokio::spawn(async move {
                    // A refused handshake is what the untrusted case expects: nothing to forward.
                    let Ok(mut client) = acceptor.accept(client).await else {
                        return;
                    };
                    counter.fetch_add(1, Ordering::SeqCst);
                    let mut server = TcpStream::connect(upstream).await.unwrap();
                    let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                });
            }
        });
        Self { port, forwarded }
    }

    fn url(&self) -> String {
        format!("https://localhost:{}", self.port)
    }

    fn forwarded(&self) -> usize {
        self.forwarded.load(Ordering::SeqCst)
    }
}

#[tokio::test]
async fn the_backend_call_refuses_a_certificate_from_an_unknown_ca() {
    let (backend, _recorded) = test_support::one_request_server(200).await;
    let front = TlsFront::start(&backend).await;
    let target = ResetTarget::parse(&front.url()).unwrap();

    let outcome = admin_bootstrap::send_password_reset(&target, "ada@example.org").await;

    let ResetOutcome::Unreachable { url, reason } = outcome else {
        panic!("an untrusted certificate was accepted: {outcome:?}");
    };
    assert_eq!(url, format!("{}/users/forgot-password", front.url()));
    assert!(
        reason.contains("UnknownIssuer"),
        "the reason names the certificate: {reason}"
    );
    assert_eq!(front.forwarded(), 0, "a request went past a refused handshake");
}

#[tokio::test]
async fn cognito_and_the_backend_are_reached_over_https_only_when_the_ca_is_trusted() {
    let world = test_support::world().await;
    let (backend, recorded) = test_support::one_request_server(200).await;
    let cognito_front = TlsFront::start(&world.proxy.endpoint()).await;
    let backend_front = TlsFront::start(&backend).await;
    let email = test_support::email();
    let (cognito_url, backend_url) = (cognito_front.url(), backend_front.url());
    let args = [
        "admin",
        "--email",
        &email,
        "--name",
        "Ada Admin",
        "--pool-id",
        &world.pool_id,
        "--database-url",
        world.database.url(),
        "--endpoint-url",
        &cognito_url,
        "--region",
        "us-east-1",
        "--send-reset",
        "--backend-url",
        &backend_url,
        "--yes",
    ];
    world.proxy.clear();

    // The platform's roots do not hold the test CA: the first Cognito call fails on the certificate.
    let untrusted = crate::support::xtask(&args).await;
    let printed = untrusted.output();
    assert_ne!(untrusted.code, 0, "an untrusted certificate was accepted: {printed}");
    assert!(
        printed.contains("UnknownIssuer"),
        "the error names the certificate: {printed}"
    );
    assert_eq!(
        cognito_front.forwarded(),
        0,
        "a Cognito call went past a refused handshake"
    );
    assert!(world.proxy.calls().is_empty(), "{:?}", world.proxy.operations());

    // Trusting the test CA the way a maintainer trusts a corporate one: every call goes through.
    let ca_file = fixture("ca.pem");
    let trusted = crate::support::xtask_with_env(&args, &[("SSL_CERT_FILE", ca_file.to_str().unwrap())]).await;
    trusted.assert_code(0);
    assert!(
        world
            .proxy
            .operations()
            .iter()
            .any(|operation| operation == "AdminCreateUser"),
        "{:?}",
        world.proxy.operations()
    );
    assert!(cognito_front.forwarded() > 0);
    assert_eq!(backend_front.forwarded(), 1);
    let request = recorded.await.unwrap();
    assert!(request.starts_with("POST /users/forgot-password "), "{request}");
    assert!(request.ends_with(&format!("{{\"username\":\"{email}\"}}")), "{request}");
}
