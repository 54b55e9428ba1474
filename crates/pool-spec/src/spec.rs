//! The spec of one environment, its two built-in values, and its resolution into the state a plan compares.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::admin::AdminDefaults;
use crate::environment::Environment;
use crate::settings::{
    ClientSettings, DeletionProtection, EmailConfiguration, MfaConfiguration, MfaSettings, PasswordPolicy,
    PoolSettings, PreventUserExistenceErrors, RecoveryMechanism, Tags, TokenValidity, UserPoolTier, Validity,
};
use crate::validate::SpecError;

/// Tag key that marks a pool as managed by this workspace.
pub const MANAGED_BY_TAG: &str = "managed-by";
/// Value of [`MANAGED_BY_TAG`].
pub const MANAGED_BY_VALUE: &str = "credere-cognito";
/// Tag key that names the pool's environment.
pub const ENVIRONMENT_TAG: &str = "environment";

/// The SES identity Credere's production email is sent from.
pub const SES_IDENTITY: &str = "credere@noreply.open-contracting.org";
/// The sender users see on Credere's production email.
pub const SES_FROM: &str = "Credere por Open Contracting Partnership <credere@noreply.open-contracting.org>";

/// Everything this workspace decides about one environment's user pool, app client and first administrator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoolSpec {
    /// Which deployment this is.
    pub environment: Environment,
    /// The pool's settings.
    pub pool: PoolSettings,
    /// How the pool sends email; the SES identity ARN is only known at provision time.
    pub email: EmailSpec,
    /// The pool's MFA.
    pub mfa: MfaSettings,
    /// The pool's tags.
    pub tags: Tags,
    /// The app client credere-backend uses.
    pub client: ClientSettings,
    /// How the first administrator is created.
    pub admin: AdminDefaults,
}

/// How a pool sends email, as the spec states it (before the account and region are known).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "email_sending_account", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum EmailSpec {
    /// `COGNITO_DEFAULT`: Cognito's own sender.
    CognitoDefault,
    /// `DEVELOPER`: through SES, from a verified identity of the account.
    Developer {
        /// The verified SES identity (an address or domain), e.g. `credere@noreply.open-contracting.org`.
        ses_identity: String,
        /// `From`: the sender shown to users.
        from: String,
    },
}

/// The spec of `environment`.
pub fn for_environment(environment: Environment) -> PoolSpec {
    match environment {
        Environment::Production => production(),
        Environment::Development => development(),
    }
}

/// Credere's production pool: `credere-production`, email through SES, deletion protection on.
pub fn production() -> PoolSpec {
    base(
        Environment::Production,
        "credere-production",
        EmailSpec::Developer {
            ses_identity: SES_IDENTITY.to_owned(),
            from: SES_FROM.to_owned(),
        },
        DeletionProtection::Active,
    )
}

/// Credere's development pool: `credere`, Cognito's default email, no deletion protection.
pub fn development() -> PoolSpec {
    base(
        Environment::Development,
        "credere",
        EmailSpec::CognitoDefault,
        DeletionProtection::Inactive,
    )
}

/// What both environments share; the arguments are what differs.
fn base(environment: Environment, name: &str, email: EmailSpec, deletion_protection: DeletionProtection) -> PoolSpec {
    let email_only = || BTreeSet::from(["email".to_owned()]);
    PoolSpec {
        environment,
        pool: PoolSettings {
            name: name.to_owned(),
            username_attributes: email_only(),
            case_sensitive_usernames: false,
            required_attributes: email_only(),
            auto_verified_attributes: email_only(),
            password_policy: PasswordPolicy {
                minimum_length: 14,
                require_uppercase: false,
                require_lowercase: false,
                require_numbers: false,
                require_symbols: false,
                temporary_password_validity_days: 7,
                password_history_size: None,
            },
            admin_create_user_only: true,
            account_recovery: vec![RecoveryMechanism::VerifiedEmail],
            deletion_protection,
            // Credere needs nothing above Lite: TOTP, a password policy and email.
            tier: UserPoolTier::Lite,
            attributes_require_verification_before_update: email_only(),
        },
        email,
        mfa: MfaSettings {
            configuration: MfaConfiguration::On,
            software_token_enabled: true,
            sms_enabled: false,
            email_enabled: false,
        },
        tags: Tags::from([
            (MANAGED_BY_TAG.to_owned(), MANAGED_BY_VALUE.to_owned()),
            (ENVIRONMENT_TAG.to_owned(), environment.as_str().to_owned()),
        ]),
        client: ClientSettings {
            name: name.to_owned(),
            generate_secret: true,
            explicit_auth_flows: [
                "ALLOW_REFRESH_TOKEN_AUTH",
                "ALLOW_USER_SRP_AUTH",
                "ALLOW_ADMIN_USER_PASSWORD_AUTH",
                "ALLOW_CUSTOM_AUTH",
                "ALLOW_USER_PASSWORD_AUTH",
            ]
            .map(str::to_owned)
            .into(),
            token_validity: TokenValidity {
                refresh: Validity::days(30),
                access: Validity::minutes(60),
                id: Validity::minutes(60),
            },
            auth_session_validity_minutes: 3,
            prevent_user_existence_errors: PreventUserExistenceErrors::Enabled,
            enable_token_revocation: true,
        },
        admin: AdminDefaults::CREDERE,
    }
}

/// The domain of [`SES_IDENTITY`] (`noreply.open-contracting.org`): the identity verified in SES where the
/// domain, not the address, was verified, which Cognito then accepts as the source only by the domain's ARN.
pub fn ses_identity_domain() -> &'static str {
    SES_IDENTITY.rsplit_once('@').map_or(SES_IDENTITY, |(_, domain)| domain)
}

/// The ARN of an SES identity (an address or a domain): `arn:aws:ses:{region}:{account_id}:identity/{identity}`.
pub fn ses_identity_arn(region: &str, account_id: &str, identity: &str) -> String {
    format!("arn:aws:ses:{region}:{account_id}:identity/{identity}")
}

/// Whether `arn` is an SES identity ARN (`arn:PARTITION:ses:REGION:ACCOUNT_ID:identity/NAME`) whose
/// identity may send as `address`: the address itself, its domain, or a parent domain (SES lets a
/// verified domain send from any address under it). Domains compare case-insensitively.
pub fn ses_identity_covers(arn: &str, address: &str) -> bool {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let [prefix, partition, service, region, account, resource] = parts[..] else {
        return false;
    };
    let well_formed = prefix == "arn"
        && partition.starts_with("aws")
        && service == "ses"
        && !region.is_empty()
        && account.len() == 12
        && account.bytes().all(|byte| byte.is_ascii_digit());
    let Some(identity) = resource.strip_prefix("identity/").filter(|_| well_formed) else {
        return false;
    };
    let (address, identity) = (address.to_ascii_lowercase(), identity.to_ascii_lowercase());
    if identity == address {
        return true;
    }
    let domain = address.rsplit_once('@').map_or(address.as_str(), |(_, domain)| domain);
    !identity.is_empty() && !identity.contains('@') && (domain == identity || domain.ends_with(&format!(".{identity}")))
}

/// The complete desired state of one environment, as UpdateUserPool, SetUserPoolMfaConfig and
/// UpdateUserPoolClient send it: a validated spec with its SES identity ARN filled in.
///
/// Only [`PoolSpec::resolve`] makes one, so holding one means the spec passed validation: its fields are
/// read through accessors and it does not deserialise (a value read back would skip the validation).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DesiredState {
    environment: Environment,
    pool: PoolSettings,
    email: EmailConfiguration,
    mfa: MfaSettings,
    tags: Tags,
    client: ClientSettings,
}

impl DesiredState {
    /// Which deployment this is.
    pub fn environment(&self) -> Environment {
        self.environment
    }

    /// The pool's settings.
    pub fn pool(&self) -> &PoolSettings {
        &self.pool
    }

    /// The pool's email, with a concrete `SourceArn` when sending through SES.
    pub fn email(&self) -> &EmailConfiguration {
        &self.email
    }

    /// The pool's MFA.
    pub fn mfa(&self) -> &MfaSettings {
        &self.mfa
    }

    /// The pool's tags.
    pub fn tags(&self) -> &Tags {
        &self.tags
    }

    /// The app client.
    pub fn client(&self) -> &ClientSettings {
        &self.client
    }
}

/// Why a spec cannot become a desired state.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResolveError {
    /// The spec breaks Cognito's limits.
    #[error(transparent)]
    Invalid(#[from] SpecError),
    /// The spec sends email through SES and no identity ARN was given.
    #[error(
        "the {environment} pool sends email through the SES identity `{identity}`, whose ARN is needed: \
         give it, or build arn:aws:ses:REGION:ACCOUNT_ID:identity/{identity} from the caller's account and region"
    )]
    MissingSesSourceArn {
        /// The environment being resolved.
        environment: Environment,
        /// The spec's SES identity.
        identity: String,
    },
    /// The given ARN is not an SES identity that may send as the spec's address.
    #[error(
        "the SES ARN `{arn}` names no identity that may send as `{identity}`: expected \
         arn:aws:ses:REGION:ACCOUNT_ID:identity/{identity}, or the identity of its domain or a parent domain"
    )]
    WrongSesIdentity {
        /// The ARN that was given.
        arn: String,
        /// The spec's SES identity.
        identity: String,
    },
}

impl PoolSpec {
    /// Validates the spec and fills in the SES identity ARN, giving the state a plan compares and an
    /// apply sends.
    ///
    /// `ses_source_arn` is required when the spec sends email through SES (build it with
    /// [`ses_identity_arn`]) and must end in `:identity/{ses_identity}`; it is ignored when the spec
    /// uses Cognito's default email, so a caller can pass whatever it has.
    pub fn resolve(&self, ses_source_arn: Option<&str>) -> Result<DesiredState, ResolveError> {
        self.validate()?;
        let email = match &self.email {
            EmailSpec::CognitoDefault => EmailConfiguration::CognitoDefault,
            EmailSpec::Developer { ses_identity, from } => {
                let arn = ses_source_arn.ok_or_else(|| ResolveError::MissingSesSourceArn {
                    environment: self.environment,
                    identity: ses_identity.clone(),
                })?;
                if !ses_identity_covers(arn, ses_identity) {
                    return Err(ResolveError::WrongSesIdentity {
                        arn: arn.to_owned(),
                        identity: ses_identity.clone(),
                    });
                }
                EmailConfiguration::Developer {
                    source_arn: arn.to_owned(),
                    from: from.clone(),
                }
            }
        };
        Ok(DesiredState {
            environment: self.environment,
            pool: self.pool.clone(),
            email,
            mfa: self.mfa.clone(),
            tags: self.tags.clone(),
            client: self.client.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_identity_domain_is_the_addresss() {
        assert_eq!(ses_identity_domain(), "noreply.open-contracting.org");
        assert!(ses_identity_covers(
            &ses_identity_arn("us-east-1", "123456789012", ses_identity_domain()),
            SES_IDENTITY
        ));
    }

    #[test]
    fn environments_differ_only_in_name_email_deletion_protection_and_environment_tag() {
        let (production, development) = (production(), development());
        assert_eq!(production.pool.name, "credere-production");
        assert_eq!(production.client.name, "credere-production");
        assert_eq!(development.pool.name, "credere");
        assert_eq!(development.client.name, "credere");
        assert_eq!(production.pool.deletion_protection, DeletionProtection::Active);
        assert_eq!(development.pool.deletion_protection, DeletionProtection::Inactive);
        assert_eq!(development.email, EmailSpec::CognitoDefault);
        assert_eq!(production.tags["environment"], "production");
        assert_eq!(development.tags["environment"], "development");

        let mut aligned = development.clone();
        aligned.environment = production.environment;
        aligned.pool.name.clone_from(&production.pool.name);
        aligned.client.name.clone_from(&production.client.name);
        aligned.pool.deletion_protection = production.pool.deletion_protection.clone();
        aligned.email = production.email.clone();
        aligned.tags.clone_from(&production.tags);
        assert_eq!(aligned, production);
    }

    #[test]
    fn states_what_the_console_sets_silently() {
        for spec in [production(), development()] {
            assert!(!spec.pool.case_sensitive_usernames);
            assert_eq!(spec.pool.account_recovery, [RecoveryMechanism::VerifiedEmail]);
            assert!(spec.pool.auto_verified_attributes.iter().eq(["email"]));
            assert!(spec.pool.required_attributes.iter().eq(["email"]));
            assert_eq!(spec.client.token_validity.refresh, Validity::days(30));
            assert_eq!(spec.client.token_validity.access, Validity::minutes(60));
            assert_eq!(spec.client.token_validity.id, Validity::minutes(60));
            assert_eq!(spec.client.auth_session_validity_minutes, 3);
            assert_eq!(
                spec.client.prevent_user_existence_errors,
                PreventUserExistenceErrors::Enabled
            );
            assert!(spec.client.enable_token_revocation);
            assert_eq!(spec.tags["managed-by"], "credere-cognito");
        }
    }

    #[test]
    fn for_environment_gives_that_environments_spec() {
        for environment in Environment::ALL {
            assert_eq!(for_environment(environment).environment, environment);
        }
    }

    #[test]
    fn builds_the_ses_identity_arn() {
        assert_eq!(
            ses_identity_arn("us-east-1", "123456789012", SES_IDENTITY),
            "arn:aws:ses:us-east-1:123456789012:identity/credere@noreply.open-contracting.org"
        );
    }

    #[test]
    fn production_resolves_with_the_ses_arn_and_refuses_without_it() {
        let arn = ses_identity_arn("eu-west-1", "123456789012", SES_IDENTITY);
        let desired = production().resolve(Some(&arn)).unwrap();
        assert_eq!(
            desired.email(),
            &EmailConfiguration::Developer {
                source_arn: arn,
                from: SES_FROM.to_owned()
            }
        );

        let missing = production().resolve(None).unwrap_err();
        assert!(matches!(missing, ResolveError::MissingSesSourceArn { .. }));
        assert!(missing.to_string().contains("whose ARN is needed"), "{missing}");

        let other = ses_identity_arn("eu-west-1", "123456789012", "someone@example.org");
        assert!(matches!(
            production().resolve(Some(&other)),
            Err(ResolveError::WrongSesIdentity { .. })
        ));
    }

    #[test]
    fn an_identity_of_the_address_its_domain_or_a_parent_domain_may_send() {
        let arn = |identity: &str| format!("arn:aws:ses:eu-west-1:123456789012:identity/{identity}");
        for (identity, covers) in [
            (SES_IDENTITY, true),
            ("CREDERE@noreply.open-contracting.org", true),
            ("noreply.open-contracting.org", true),
            ("NoReply.Open-Contracting.org", true),
            ("open-contracting.org", true),
            ("org", true),
            ("contracting.org", false),
            ("other@noreply.open-contracting.org", false),
            ("noreply.open-contracting.org.evil.com", false),
            ("", false),
        ] {
            assert_eq!(ses_identity_covers(&arn(identity), SES_IDENTITY), covers, "{identity}");
        }
        for malformed in [
            "arn:aws:ses:eu-west-1:123:identity/noreply.open-contracting.org",
            "arn:aws:sns:eu-west-1:123456789012:identity/noreply.open-contracting.org",
            "arn:aws:ses:eu-west-1:123456789012:configuration-set/noreply.open-contracting.org",
            "noreply.open-contracting.org",
            "arn:aws:ses::123456789012:identity/noreply.open-contracting.org",
        ] {
            assert!(!ses_identity_covers(malformed, SES_IDENTITY), "{malformed}");
        }
        assert!(ses_identity_covers(
            "arn:aws-us-gov:ses:us-gov-west-1:123456789012:identity/open-contracting.org",
            SES_IDENTITY
        ));
        let domain = arn("noreply.open-contracting.org");
        assert!(production().resolve(Some(&domain)).is_ok());
    }

    #[test]
    fn development_resolves_to_cognito_default_email_with_or_without_an_arn() {
        let arn = ses_identity_arn("eu-west-1", "123456789012", SES_IDENTITY);
        for given in [None, Some(arn.as_str())] {
            let desired = development().resolve(given).unwrap();
            assert_eq!(desired.email(), &EmailConfiguration::CognitoDefault);
            assert_eq!(desired.pool(), &development().pool);
            assert_eq!(desired.client(), &development().client);
        }
    }

    #[test]
    fn an_invalid_spec_does_not_resolve() {
        let mut spec = development();
        spec.pool.password_policy.minimum_length = 5;
        assert!(matches!(spec.resolve(None), Err(ResolveError::Invalid(_))));
    }

    #[test]
    fn round_trips_through_json() {
        for spec in [production(), development()] {
            let json = serde_json::to_string_pretty(&spec).unwrap();
            let back: PoolSpec = serde_json::from_str(&json).unwrap();
            assert_eq!(back, spec);
        }
    }
}
