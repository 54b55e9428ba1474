//! Building the SDK clients once, from aws-config, the way every command and test builds them.

use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_config::environment::region::EnvironmentVariableRegionProvider;
use aws_config::imds::region::ImdsRegionProvider;
use aws_config::meta::region::RegionProviderChain;
use aws_config::profile::region::ProfileFileRegionProvider;
use aws_config::provider_config::ProviderConfig;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_smithy_http_client::proxy::ProxyConfig;
use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode};
use aws_smithy_http_client::{Builder as HttpClientBuilder, ConnectorBuilder};
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::http::SharedHttpClient;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::{
    BeforeSerializationInterceptorContextRef, BeforeTransmitInterceptorContextRef, FinalizerInterceptorContextRef,
};
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::{ConfigBag, Storable, StoreReplace};

use crate::credential_helper::{CREDENTIAL_HELPER_TIMEOUT, CredentialHelper, HelperProvider};

/// The region used when neither `--region`, the environment nor the profile names one.
pub const FALLBACK_REGION: &str = "us-east-1";

/// How to reach Cognito. Everything is optional: the defaults are aws-config's standard chain.
#[derive(Debug, Clone)]
pub struct ConnectOptions {
    /// A named profile from `~/.aws/config` (`--profile`); else `AWS_PROFILE` or the default chain.
    pub profile: Option<String>,
    /// The region (`--region`); else the environment or profile's, else [`FALLBACK_REGION`].
    pub region: Option<String>,
    /// A different endpoint (`--endpoint-url`), e.g. the emulator in tests. aws-config also honours
    /// `AWS_ENDPOINT_URL` by itself.
    pub endpoint_url: Option<String>,
    /// The limit for one attempt of one call.
    pub attempt_timeout: Duration,
    /// Attempts per call, the first included; throttling and transient errors are retried with backoff.
    pub max_attempts: u32,
}

impl Default for ConnectOptions {
    fn default() -> Self {
        Self {
            profile: None,
            region: None,
            endpoint_url: None,
            attempt_timeout: Duration::from_secs(10),
            max_attempts: 5,
        }
    }
}

/// Loads the shared SDK configuration: credentials, region, endpoint, retries, timeouts and the
/// call logger that `-v` shows. The one way this workspace builds AWS clients.
pub async fn load_sdk_config(options: &ConnectOptions) -> SdkConfig {
    configure(options).await.0
}

/// [`load_sdk_config`], and the profile's credential helper when its credentials come from one: run here, not by
/// aws-config (see `credential_helper.rs`), unless the environment holds credentials, which come first.
async fn configure(options: &ConnectOptions) -> (SdkConfig, Option<Arc<CredentialHelper>>) {
    let from_environment = std::env::var_os("AWS_ACCESS_KEY_ID").is_some_and(|key| !key.is_empty());
    let helper = if from_environment {
        None
    } else {
        CredentialHelper::of_profile(options.profile.as_deref(), CREDENTIAL_HELPER_TIMEOUT)
            .await
            .map(Arc::new)
    };
    // aws-config's DefaultRegionChain, spelled out: its IMDS step needs an HTTP client, which only a
    // ProviderConfig can give it now that the SDK has no default one.
    let http_client = https_client();
    let providers = ProviderConfig::default().with_http_client(http_client.clone());
    let mut profile_region = ProfileFileRegionProvider::builder().configure(&providers);
    if let Some(profile) = &options.profile {
        profile_region = profile_region.profile_name(profile);
    }
    let region = RegionProviderChain::first_try(options.region.clone().map(Region::new))
        .or_else(EnvironmentVariableRegionProvider::new())
        .or_else(profile_region.build())
        .or_else(ImdsRegionProvider::builder().configure(&providers).build())
        .or_else(Region::from_static(FALLBACK_REGION));
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .http_client(http_client)
        .region(region)
        .retry_config(
            RetryConfig::standard()
                .with_max_attempts(options.max_attempts.max(1))
                .with_initial_backoff(Duration::from_millis(100)),
        )
        .timeout_config(
            TimeoutConfig::builder()
                .operation_attempt_timeout(options.attempt_timeout)
                .build(),
        );
    if let Some(profile) = &options.profile {
        loader = loader.profile_name(profile);
    }
    if let Some(endpoint) = &options.endpoint_url {
        loader = loader.endpoint_url(endpoint);
    }
    if let Some(helper) = &helper {
        loader = loader.credentials_provider(HelperProvider(Arc::clone(helper)));
    }
    (loader.load().await, helper)
}

/// The SDK's hyper 1 HTTPS client as its default one is built (`aws-smithy-runtime`'s `default_https_client`:
/// platform root certificates, `HTTPS_PROXY`/`NO_PROXY` from the environment), but with rustls on ring rather than
/// aws-lc-rs, whose C library dominated a cold build. The crypto provider is named here, not taken from a
/// process-wide default, so no other crate's choice can change it. aws-config hands it to the credential providers
/// (SSO, web identity, IMDS) too.
fn https_client() -> SharedHttpClient {
    HttpClientBuilder::new().build_with_connector_fn(|settings, components| {
        let mut connector = ConnectorBuilder::default().tls_provider(tls::Provider::Rustls(CryptoMode::Ring));
        connector.set_connector_settings(settings.cloned());
        if let Some(components) = components {
            connector.set_sleep_impl(components.sleep_impl());
        }
        connector.proxy_config(ProxyConfig::from_env()).build()
    })
}

/// The profiles defined in the shared AWS config and credentials files (`AWS_CONFIG_FILE` and
/// `AWS_SHARED_CREDENTIALS_FILE` honoured), read as aws-config reads them. A profile name that is not
/// among them would silently fall through to the next credential source, so commands check first.
///
/// `aws_config::profile::load` is aws-config's one public way to read the files as its credential chain does, and
/// it takes the process's file system and environment as `aws_types::os_shim_internal` types: no public
/// constructor exists, so that internal module is used here and nowhere else (an SDK upgrade that changes it breaks
/// only this function, at compile time).
pub async fn known_profiles() -> Vec<String> {
    load_profiles(None)
        .await
        .map(|profiles| profiles.profiles().map(str::to_owned).collect())
        .unwrap_or_default()
}

/// The shared config and credentials files as aws-config reads them, with `selected` (else `AWS_PROFILE`, else
/// `default`) as the selected profile; `None` when they cannot be read.
pub(crate) async fn load_profiles(selected: Option<&str>) -> Option<aws_config::profile::ProfileSet> {
    use aws_types::os_shim_internal::{Env, Fs};
    let files = aws_runtime::env_config::file::EnvConfigFiles::default();
    let selected = selected.map(|name| std::borrow::Cow::Owned(name.to_owned()));
    aws_config::profile::load(&Fs::real(), &Env::real(), &files, selected)
        .await
        .ok()
}

/// Logs every API call at `debug` level: operation, duration and retries. Never the request or
/// response, which may hold a client secret or a password.
#[derive(Debug)]
pub(crate) struct CallLogger;

#[derive(Debug, Clone)]
struct CallStarted {
    at: Instant,
    attempts: u32,
}

impl Storable for CallStarted {
    type Storer = StoreReplace<Self>;
}

impl Intercept for CallLogger {
    fn name(&self) -> &'static str {
        "CallLogger"
    }

    fn read_before_execution(
        &self,
        _context: &BeforeSerializationInterceptorContextRef<'_>,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        cfg.interceptor_state().store_put(CallStarted {
            at: Instant::now(),
            attempts: 0,
        });
        Ok(())
    }

    fn read_before_attempt(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if let Some(started) = cfg.load::<CallStarted>().cloned() {
            cfg.interceptor_state().store_put(CallStarted {
                attempts: started.attempts + 1,
                ..started
            });
        }
        Ok(())
    }

    fn read_after_execution(
        &self,
        context: &FinalizerInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let operation = cfg.load::<Metadata>().map_or("unknown", Metadata::name);
        let outcome = match context.output_or_error() {
            Some(Ok(_)) => "ok",
            Some(Err(_)) => "error",
            None => "unfinished",
        };
        if let Some(started) = cfg.load::<CallStarted>() {
            tracing::debug!(
                operation,
                duration_ms = started.at.elapsed().as_millis() as u64,
                retries = started.attempts.saturating_sub(1),
                outcome,
                "Cognito API call"
            );
        }
        Ok(())
    }
}

/// Connected clients for Cognito and STS, built once per command from one [`ConnectOptions`].
#[derive(Debug, Clone)]
pub struct Cognito {
    pub(crate) idp: aws_sdk_cognitoidentityprovider::Client,
    pub(crate) sts: aws_sdk_sts::Client,
    region: String,
    pub(crate) credential_helper: Option<Arc<CredentialHelper>>,
}

impl Cognito {
    /// Loads the configuration (see [`load_sdk_config`]) and builds the clients, each logging its calls.
    pub async fn connect(options: &ConnectOptions) -> Self {
        let (config, credential_helper) = configure(options).await;
        let region = config.region().map_or(FALLBACK_REGION, Region::as_ref).to_owned();
        let idp = aws_sdk_cognitoidentityprovider::config::Builder::from(&config)
            .interceptor(CallLogger)
            .build();
        let sts = aws_sdk_sts::config::Builder::from(&config)
            .interceptor(CallLogger)
            .build();
        Self {
            idp: aws_sdk_cognitoidentityprovider::Client::from_conf(idp),
            sts: aws_sdk_sts::Client::from_conf(sts),
            region,
            credential_helper,
        }
    }

    /// The region the clients talk to.
    pub fn region(&self) -> &str {
        &self.region
    }
}
