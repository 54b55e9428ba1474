//! The AWS connection flags every Cognito command shares, and `-v` logging of API calls.

/// How to reach AWS: the standard credential chain, optionally a profile, a region and an endpoint.
#[derive(Debug, Clone, clap::Args)]
pub struct AwsArgs {
    /// Named profile from ~/.aws/config (default: AWS_PROFILE, else the standard credential chain).
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,
    /// AWS region (default: AWS_REGION or the profile's, else us-east-1).
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,
    /// Send Cognito and STS calls to this endpoint instead of AWS's, e.g. a local emulator.
    /// AWS_ENDPOINT_URL is honoured too.
    #[arg(long, value_name = "URL")]
    pub endpoint_url: Option<String>,
    /// Log each API call (operation, duration, retries) to stderr. Never logs a secret.
    #[arg(short, long)]
    pub verbose: bool,
}

impl AwsArgs {
    /// The connection options, and `-v` logging turned on when asked for.
    pub fn connect_options(&self) -> cognito::ConnectOptions {
        if self.verbose {
            // Only the call logger's events: request and response bodies may hold secrets.
            let _ = tracing_subscriber::fmt()
                .with_env_filter("cognito=debug,admin_bootstrap=debug")
                .with_writer(std::io::stderr)
                .with_target(false)
                .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
                .try_init();
        }
        cognito::ConnectOptions {
            profile: self.profile.clone(),
            region: self.region.clone(),
            endpoint_url: self.endpoint_url.clone(),
            ..cognito::ConnectOptions::default()
        }
    }

    /// Connects, after making sure a `--profile` names a real profile: an unknown one would silently
    /// fall through to other credentials (or none), which is the wrong account or a baffling error. A profile's
    /// credential_process runs here, once, before any call.
    pub async fn connect(&self, options: &cognito::ConnectOptions) -> anyhow::Result<cognito::Cognito> {
        if let Some(profile) = &options.profile {
            let known = cognito::known_profiles().await;
            if !known.contains(profile) {
                let known = if known.is_empty() {
                    "none".to_owned()
                } else {
                    known.join(", ")
                };
                anyhow::bail!(
                    "no AWS profile named `{profile}` in the shared config or credentials files (profiles found: \
                     {known}); check the spelling, or create it with `aws configure --profile {profile}`"
                );
            }
        }
        let cognito = cognito::Cognito::connect(options).await;
        cognito.run_credential_helper().await?;
        Ok(cognito)
    }
}

/// A Tokio runtime for one command.
pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread().enable_all().build()?)
}
