//! Finding a pool and observing it, its MFA and its app client, in pool-spec's shape.

use std::collections::BTreeSet;

use aws_sdk_cognitoidentityprovider::types::{
    AccountRecoverySettingType, AdvancedSecurityModeType, AuthFactorType, DeletionProtectionType,
    EmailSendingAccountType, PreTokenGenerationLambdaVersionType, PreventUserExistenceErrorTypes,
    RecoveryOptionNameType, TimeUnitsType, UserPoolClientType, UserPoolMfaType, UserPoolTierType, UserPoolType,
};
use pool_spec::{
    AWS_OWNED_ATTRIBUTES, ClientSettings, CustomAttribute, DeletionProtection, EmailConfiguration, MfaConfiguration,
    MfaSettings, Observed, PasswordPolicy, PlanFeature, PoolSettings, PreventUserExistenceErrors, RecoveryMechanism,
    Tags, TimeUnit, TokenValidity, UserPoolTier, Validity,
};

use crate::unknown::{RawAnswer, RawResource};
use crate::{ClientSecretInfo, Cognito, Error, ExposeSecret, KnownSecret, PoolSummary, SecretString};

/// ListUserPools accepts at most 60 per page.
const PAGE_SIZE: i32 = 60;

/// A pool found by name (and, among several of one name, by tags), or by ID.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundPool {
    /// The pool ID, e.g. `us-east-1_AbCdEf123`.
    pub id: String,
    /// The pool name.
    pub name: String,
    /// Other pools of the same name, passed over because only this one carries the spec's tags.
    /// They are left alone; callers should say so, since a maintainer may not know they exist.
    pub passed_over: Vec<String>,
}

/// A live pool as Cognito holds it: the spec-shaped observation plus the IDs and the raw settings that
/// updates must carry over.
#[derive(Debug, Clone)]
pub struct LivePool {
    /// The pool ID.
    pub id: String,
    /// The pool ARN.
    pub arn: Option<String>,
    /// The app client with the spec's name; `None` when the pool has none.
    pub client: Option<LiveClient>,
    /// What the pool holds, in the spec's shape.
    pub observed: Observed,
    /// Live settings this SDK cannot read, so an update would reset them.
    pub unreadable: Unreadable,
    pub(crate) raw_pool: UserPoolType,
}

/// The app client of a [`LivePool`], as DescribeUserPoolClient and ListUserPoolClientSecrets reported it.
#[derive(Debug, Clone)]
pub struct LiveClient {
    /// The client ID.
    pub id: String,
    /// The secrets it holds, oldest first: none for a public client, two while a rotation is under way.
    pub secrets: Vec<ClientSecretInfo>,
    /// The secret as far as this run knows it.
    pub secret: KnownSecret,
    /// What an update starts from.
    pub(crate) raw: UserPoolClientType,
}

/// Two descriptions of a pool are equal when an update built from either would be the same: everything
/// described counts (so a Lambda trigger added in the console does), but the estimated number of users, which
/// moves with every sign-up and no update sends.
impl PartialEq for LivePool {
    fn eq(&self, other: &Self) -> bool {
        let without_count = |pool: &UserPoolType| {
            let mut pool = pool.clone();
            pool.estimated_number_of_users = 0;
            pool
        };
        self.id == other.id
            && self.arn == other.arn
            && self.client == other.client
            && self.observed == other.observed
            && self.unreadable == other.unreadable
            && without_count(&self.raw_pool) == without_count(&other.raw_pool)
    }
}

/// Equal when described alike; the secrets (which exist, and the value when known) are part of the description.
impl PartialEq for LiveClient {
    fn eq(&self, other: &Self) -> bool {
        let value = |client: &LiveClient| client.secret.value().map(|secret| secret.expose_secret().to_owned());
        self.id == other.id && self.raw == other.raw && self.secrets == other.secrets && value(self) == value(other)
    }
}

impl AsRef<Observed> for LivePool {
    fn as_ref(&self) -> &Observed {
        &self.observed
    }
}

/// Set members of the described pool and client that this SDK does not know: AWS added them after it
/// was generated. An update cannot send them back, so one that needs an update is refused.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Unreadable {
    /// Top-level members of DescribeUserPool's `UserPool`, e.g. `DcrConfiguration`.
    pub pool: Vec<String>,
    /// Top-level members of DescribeUserPoolClient's `UserPoolClient`.
    pub client: Vec<String>,
}

impl LivePool {
    /// The pool's name.
    pub fn name(&self) -> &str {
        self.raw_pool.name().unwrap_or_default()
    }

    /// The custom attributes of the pool's schema, as DescribeUserPool reported them.
    pub fn custom_attributes(&self) -> Vec<CustomAttribute> {
        self.raw_pool
            .schema_attributes()
            .iter()
            .filter_map(|attribute| {
                let name = attribute.name()?;
                CustomAttribute::is_custom(name).then(|| CustomAttribute {
                    name: name.to_owned(),
                    data_type: attribute
                        .attribute_data_type()
                        .map_or_else(String::new, |data_type| data_type.as_str().to_owned()),
                    mutable: attribute.mutable(),
                })
            })
            .collect()
    }

    /// How many users the pool reported (`EstimatedNumberOfUsers`).
    pub fn estimated_users(&self) -> u64 {
        crate::scan::estimated_users(&self.raw_pool)
    }

    /// The pool's IDs and client secret as they are now, for a pool that needs no change.
    pub fn as_applied(&self) -> crate::Applied {
        crate::Applied {
            pool_id: self.id.clone(),
            pool_arn: self.arn.clone(),
            client_id: self.client.as_ref().map(|client| client.id.clone()).unwrap_or_default(),
            client_secret: self
                .client
                .as_ref()
                .map_or(KnownSecret::None, |client| client.secret.clone()),
        }
    }
}

impl Cognito {
    /// Finds the pool to manage. With `pool_id`, that pool (which must carry `name`). Otherwise the pools
    /// named `name`: none → `None`; one → it, tagged or not (Credere's pools were made by hand);
    /// several → the one whose tags include `tags`, else [`Error::AmbiguousPool`].
    pub async fn find_pool(&self, name: &str, tags: &Tags, pool_id: Option<&str>) -> Result<Option<FoundPool>, Error> {
        if let Some(id) = pool_id {
            let pool = self.describe_pool(id).await?;
            let actual = pool.name.unwrap_or_default();
            if actual != name {
                return Err(Error::PoolNameMismatch {
                    id: id.to_owned(),
                    actual,
                    expected: name.to_owned(),
                });
            }
            return Ok(Some(FoundPool {
                id: id.to_owned(),
                name: actual,
                passed_over: Vec::new(),
            }));
        }
        let candidates = self.list_named(name).await?;
        if candidates.len() <= 1 {
            return Ok(candidates.into_iter().next().map(|pool| FoundPool {
                id: pool.id,
                name: name.to_owned(),
                passed_over: Vec::new(),
            }));
        }
        let tagged = self.only_tagged(&candidates, tags).await?;
        match tagged.as_slice() {
            [pool] => Ok(Some(FoundPool {
                id: pool.id.clone(),
                name: name.to_owned(),
                passed_over: candidates
                    .iter()
                    .filter(|candidate| candidate.id != pool.id)
                    .map(|candidate| candidate.id.clone())
                    .collect(),
            })),
            _ => Err(Error::AmbiguousPool {
                name: name.to_owned(),
                ids: candidates.into_iter().map(|pool| pool.id).collect(),
            }),
        }
    }

    /// Every pool named `name`, oldest first (ListUserPools, all pages).
    pub(crate) async fn list_named(&self, name: &str) -> Result<Vec<PoolSummary>, Error> {
        let mut pages = self
            .idp
            .list_user_pools()
            .max_results(PAGE_SIZE)
            .into_paginator()
            .items()
            .send();
        let mut found = Vec::new();
        while let Some(pool) = pages.next().await {
            let pool = pool.map_err(Error::api("ListUserPools"))?;
            if pool.name() == Some(name) {
                found.push((
                    pool.creation_date().copied(),
                    PoolSummary {
                        id: pool.id.ok_or_else(|| Error::missing("ListUserPools", "UserPools.Id"))?,
                        created: pool
                            .creation_date
                            .and_then(|date| date.fmt(aws_smithy_types::date_time::Format::DateTime).ok()),
                    },
                ));
            }
        }
        found.sort_by(|(a, _), (b, _)| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
        Ok(found.into_iter().map(|(_, pool)| pool).collect())
    }

    /// Those of `pools` whose tags include `tags` (DescribeUserPool for each, concurrently).
    pub(crate) async fn only_tagged(&self, pools: &[PoolSummary], tags: &Tags) -> Result<Vec<PoolSummary>, Error> {
        let described = futures_util::future::join_all(pools.iter().map(|pool| self.describe_pool(&pool.id))).await;
        let mut tagged = Vec::new();
        for (pool, described) in pools.iter().zip(described) {
            let pool_tags: Tags = described?.user_pool_tags.unwrap_or_default().into_iter().collect();
            if pool_spec::carries_tags(&pool_tags, tags) {
                tagged.push(pool.clone());
            }
        }
        Ok(tagged)
    }

    /// The pools named `name` that carry `tags`, oldest first.
    pub(crate) async fn pools_tagged(&self, name: &str, tags: &Tags) -> Result<Vec<PoolSummary>, Error> {
        let candidates = self.list_named(name).await?;
        self.only_tagged(&candidates, tags).await
    }

    /// Observes the pool, its MFA and the app client named `client_name`. The three independent reads
    /// run concurrently, so this costs two sequential round trips.
    pub async fn observe(&self, pool_id: &str, client_name: &str) -> Result<LivePool, Error> {
        self.observe_with(pool_id, Some(client_name)).await
    }

    /// Observes the pool and its MFA, not its app client (whose description holds the client secret): what a
    /// reader of users needs, with no right to the secret.
    pub async fn observe_without_client(&self, pool_id: &str) -> Result<LivePool, Error> {
        self.observe_with(pool_id, None).await
    }

    async fn observe_with(&self, pool_id: &str, client_name: Option<&str>) -> Result<LivePool, Error> {
        let client_id = async {
            match client_name {
                Some(name) => self.client_id(pool_id, name).await,
                None => Ok(None),
            }
        };
        let ((pool, raw_pool), mfa, client_id) =
            tokio::try_join!(self.describe_pool_whole(pool_id), self.mfa(pool_id), client_id)?;
        let client = async {
            match client_id {
                Some(id) => {
                    let ((raw, answer), secrets) = tokio::try_join!(
                        self.describe_client_whole(pool_id, &id),
                        self.client_secrets(pool_id, &id)
                    )?;
                    let described = raw.client_secret().map(SecretString::from);
                    let secret = KnownSecret::from_client(&secrets, described.as_ref());
                    Ok(Some((
                        LiveClient {
                            id,
                            secrets,
                            secret,
                            raw,
                        },
                        answer,
                    )))
                }
                None => Ok::<_, Error>(None),
            }
        };
        // Managed login is a setting of the pool's domain, not of the pool: one more read, only for a pool
        // that has a domain, alongside the client's.
        let (client, managed_login) = tokio::try_join!(client, self.managed_login(&pool))?;
        let mut plan_features = plan_features(&pool, &raw_pool);
        if managed_login {
            plan_features.insert(PlanFeature::ManagedLogin);
        }
        let observed = Observed {
            pool: pool_settings(&pool)?,
            email: email_configuration(&pool)?,
            mfa,
            tags: pool
                .user_pool_tags()
                .map(|tags| tags.clone().into_iter().collect())
                .unwrap_or_default(),
            client: client
                .as_ref()
                .map(|(client, answer)| client_settings(&client.raw, answer, !client.secrets.is_empty()))
                .transpose()?,
            plan_features,
        };
        let unreadable = Unreadable {
            pool: raw_pool.blocking_members("UserPoolType", UserPoolType::SCHEMA),
            client: client.as_ref().map_or_else(Vec::new, |(_, answer)| {
                answer.blocking_members("UserPoolClientType", UserPoolClientType::SCHEMA)
            }),
        };
        Ok(LivePool {
            id: pool_id.to_owned(),
            arn: pool.arn().map(str::to_owned),
            client: client.map(|(client, _)| client),
            observed,
            unreadable,
            raw_pool: pool,
        })
    }

    pub(crate) async fn describe_pool(&self, id: &str) -> Result<UserPoolType, Error> {
        Ok(self.describe_pool_whole(id).await?.0)
    }

    /// DescribeUserPool, with the answer as AWS sent it (members this SDK cannot read included).
    async fn describe_pool_whole(&self, id: &str) -> Result<(UserPoolType, RawResource), Error> {
        self.check_pool_region(id)?;
        let raw = RawAnswer::default();
        let output = self
            .idp
            .describe_user_pool()
            .user_pool_id(id)
            .customize()
            .interceptor(raw.clone())
            .send()
            .await
            .map_err(|error| {
                if error
                    .as_service_error()
                    .is_some_and(|error| error.is_resource_not_found_exception())
                {
                    Error::PoolNotFound(self.no_such_pool(id))
                } else {
                    Error::api("DescribeUserPool")(error)
                }
            })?;
        let pool = output
            .user_pool
            .ok_or_else(|| Error::missing("DescribeUserPool", "UserPool"))?;
        Ok((pool, raw.resource("UserPool")))
    }

    /// Whether the pool's domain serves managed login (DescribeUserPoolDomain's `ManagedLoginVersion` 2);
    /// no call for a pool without a domain.
    async fn managed_login(&self, pool: &UserPoolType) -> Result<bool, Error> {
        let Some(domain) = pool.custom_domain().or(pool.domain()) else {
            return Ok(false);
        };
        let output = self
            .idp
            .describe_user_pool_domain()
            .domain(domain)
            .send()
            .await
            .map_err(Error::api("DescribeUserPoolDomain"))?;
        Ok(output
            .domain_description()
            .and_then(|description| description.managed_login_version())
            .is_some_and(|version| version >= 2))
    }

    pub(crate) async fn mfa(&self, pool_id: &str) -> Result<MfaSettings, Error> {
        let output = self
            .idp
            .get_user_pool_mfa_config()
            .user_pool_id(pool_id)
            .send()
            .await
            .map_err(Error::api("GetUserPoolMfaConfig"))?;
        Ok(MfaSettings {
            configuration: match output.mfa_configuration() {
                Some(UserPoolMfaType::On) => MfaConfiguration::On,
                Some(UserPoolMfaType::Optional) => MfaConfiguration::Optional,
                Some(UserPoolMfaType::Off) | None => MfaConfiguration::Off,
                Some(other) => return Err(unexpected("GetUserPoolMfaConfig", "MfaConfiguration", other.as_str())),
            },
            software_token_enabled: output
                .software_token_mfa_configuration()
                .is_some_and(|config| config.enabled()),
            sms_enabled: output.sms_mfa_configuration().is_some(),
            email_enabled: output.email_mfa_configuration().is_some(),
        })
    }

    pub(crate) async fn client_id(&self, pool_id: &str, name: &str) -> Result<Option<String>, Error> {
        let mut pages = self
            .idp
            .list_user_pool_clients()
            .user_pool_id(pool_id)
            .max_results(PAGE_SIZE)
            .into_paginator()
            .items()
            .send();
        let mut ids = Vec::new();
        while let Some(client) = pages.next().await {
            let client = client.map_err(Error::api("ListUserPoolClients"))?;
            if client.client_name() == Some(name)
                && let Some(id) = client.client_id()
            {
                ids.push(id.to_owned());
            }
        }
        if ids.len() > 1 {
            return Err(Error::AmbiguousClient {
                pool_id: pool_id.to_owned(),
                name: name.to_owned(),
                ids,
            });
        }
        Ok(ids.pop())
    }

    pub(crate) async fn describe_client(&self, pool_id: &str, client_id: &str) -> Result<UserPoolClientType, Error> {
        Ok(self.describe_client_whole(pool_id, client_id).await?.0)
    }

    /// DescribeUserPoolClient, with the answer as AWS sent it (members this SDK cannot read included).
    async fn describe_client_whole(
        &self,
        pool_id: &str,
        client_id: &str,
    ) -> Result<(UserPoolClientType, RawResource), Error> {
        let raw = RawAnswer::default();
        let output = self
            .idp
            .describe_user_pool_client()
            .user_pool_id(pool_id)
            .client_id(client_id)
            .customize()
            .interceptor(raw.clone())
            .send()
            .await
            .map_err(Error::api("DescribeUserPoolClient"))?;
        let client = output
            .user_pool_client
            .ok_or_else(|| Error::missing("DescribeUserPoolClient", "UserPoolClient"))?;
        Ok((client, raw.resource("UserPoolClient")))
    }
}

fn unexpected(operation: &'static str, field: &'static str, value: &str) -> Error {
    Error::Unexpected {
        operation,
        field,
        value: value.to_owned(),
    }
}

fn names<T: AsRef<str>>(values: impl IntoIterator<Item = T>) -> BTreeSet<String> {
    values.into_iter().map(|value| value.as_ref().to_owned()).collect()
}

/// A number Cognito reported, as the spec's unsigned type; a negative one is an error, never clamped.
fn unsigned(operation: &'static str, field: &'static str, value: i32) -> Result<u32, Error> {
    u32::try_from(value).map_err(|_| unexpected(operation, field, &value.to_string()))
}

fn pool_settings(pool: &UserPoolType) -> Result<PoolSettings, Error> {
    const DESCRIBE: &str = "DescribeUserPool";
    let policy = pool.policies().and_then(|policies| policies.password_policy());
    Ok(PoolSettings {
        name: pool.name().unwrap_or_default().to_owned(),
        username_attributes: names(pool.username_attributes().iter().map(|attribute| attribute.as_str())),
        // A pool created without UsernameConfiguration has case-sensitive usernames.
        case_sensitive_usernames: pool
            .username_configuration()
            .is_none_or(|config| config.case_sensitive()),
        // AWS reports `sub` as required in every pool: it is Cognito's, never the spec's.
        required_attributes: pool
            .schema_attributes()
            .iter()
            .filter(|attribute| attribute.required() == Some(true))
            .filter_map(|attribute| attribute.name())
            .filter(|name| !AWS_OWNED_ATTRIBUTES.contains(name))
            .map(str::to_owned)
            .collect(),
        auto_verified_attributes: names(
            pool.auto_verified_attributes()
                .iter()
                .map(|attribute| attribute.as_str()),
        ),
        password_policy: PasswordPolicy {
            minimum_length: unsigned(
                DESCRIBE,
                "PasswordPolicy.MinimumLength",
                policy.and_then(|policy| policy.minimum_length()).unwrap_or_default(),
            )?,
            require_uppercase: policy.is_some_and(|policy| policy.require_uppercase()),
            require_lowercase: policy.is_some_and(|policy| policy.require_lowercase()),
            require_numbers: policy.is_some_and(|policy| policy.require_numbers()),
            require_symbols: policy.is_some_and(|policy| policy.require_symbols()),
            temporary_password_validity_days: unsigned(
                DESCRIBE,
                "PasswordPolicy.TemporaryPasswordValidityDays",
                policy.map_or(0, |policy| policy.temporary_password_validity_days()),
            )?,
            // 0 remembers no password: the same as not set.
            password_history_size: policy
                .and_then(|policy| policy.password_history_size())
                .map(|size| unsigned(DESCRIBE, "PasswordPolicy.PasswordHistorySize", size))
                .transpose()?
                .filter(|size| *size > 0),
        },
        admin_create_user_only: pool
            .admin_create_user_config()
            .is_some_and(|config| config.allow_admin_create_user_only()),
        account_recovery: account_recovery(pool.account_recovery_setting())?,
        deletion_protection: match pool.deletion_protection() {
            Some(DeletionProtectionType::Active) => DeletionProtection::Active,
            // Cognito's default, for a pool that reports nothing.
            Some(DeletionProtectionType::Inactive) | None => DeletionProtection::Inactive,
            Some(other) => DeletionProtection::Unrecognised(other.as_str().to_owned()),
        },
        tier: match pool.user_pool_tier() {
            Some(UserPoolTierType::Lite) => UserPoolTier::Lite,
            Some(UserPoolTierType::Essentials) => UserPoolTier::Essentials,
            Some(UserPoolTierType::Plus) => UserPoolTier::Plus,
            Some(other) => UserPoolTier::Unrecognised(other.as_str().to_owned()),
            // The API reference of UserPoolTier: "Defaults to ESSENTIALS".
            None => UserPoolTier::Essentials,
        },
        attributes_require_verification_before_update: names(
            pool.user_attribute_update_settings()
                .map(|settings| settings.attributes_require_verification_before_update())
                .unwrap_or_default()
                .iter()
                .map(|attribute| attribute.as_str()),
        ),
    })
}

fn account_recovery(setting: Option<&AccountRecoverySettingType>) -> Result<Vec<RecoveryMechanism>, Error> {
    let mut mechanisms: Vec<_> = setting
        .map(|setting| setting.recovery_mechanisms().to_vec())
        .unwrap_or_default();
    mechanisms.sort_by_key(|mechanism| mechanism.priority());
    mechanisms
        .iter()
        .map(|mechanism| match mechanism.name() {
            RecoveryOptionNameType::VerifiedEmail => Ok(RecoveryMechanism::VerifiedEmail),
            RecoveryOptionNameType::VerifiedPhoneNumber => Ok(RecoveryMechanism::VerifiedPhoneNumber),
            RecoveryOptionNameType::AdminOnly => Ok(RecoveryMechanism::AdminOnly),
            other => Err(unexpected("DescribeUserPool", "RecoveryMechanism", other.as_str())),
        })
        .collect()
}

fn email_configuration(pool: &UserPoolType) -> Result<EmailConfiguration, Error> {
    let config = pool.email_configuration();
    match config.and_then(|config| config.email_sending_account()) {
        Some(EmailSendingAccountType::Developer) => Ok(EmailConfiguration::Developer {
            source_arn: config
                .and_then(|config| config.source_arn())
                .unwrap_or_default()
                .to_owned(),
            from: config.and_then(|config| config.from()).unwrap_or_default().to_owned(),
        }),
        // Cognito's default for a pool that reports no sending account.
        Some(EmailSendingAccountType::CognitoDefault) | None => Ok(EmailConfiguration::CognitoDefault),
        Some(other) => Err(unexpected("DescribeUserPool", "EmailSendingAccount", other.as_str())),
    }
}

/// The features of a higher plan the pool uses, as DescribeUserPool reports them (managed login aside, which
/// is the domain's).
fn plan_features(pool: &UserPoolType, raw: &RawResource) -> BTreeSet<PlanFeature> {
    let passwordless = pool
        .policies()
        .and_then(|policies| policies.sign_in_policy())
        .is_some_and(|policy| {
            policy
                .allowed_first_auth_factors()
                .iter()
                .any(|factor| *factor != AuthFactorType::Password)
        });
    let customised_tokens = pool
        .lambda_config()
        .and_then(|config| config.pre_token_generation_config())
        .is_some_and(|config| *config.lambda_version() != PreTokenGenerationLambdaVersionType::V10);
    // An omitted EnableStatus means enabled (UpdateUserPool API reference, DcrConfiguration).
    let registration =
        raw.has("DcrConfiguration") && raw.string(&["DcrConfiguration", "EnableStatus"]) != Some("Disabled");
    // The custom-auth mode is AUDIT or ENFORCED when set: threat protection for custom authentication.
    let threat_protection = pool.user_pool_add_ons().is_some_and(|add_ons| {
        *add_ons.advanced_security_mode() != AdvancedSecurityModeType::Off
            || add_ons
                .advanced_security_additional_flows()
                .is_some_and(|flows| flows.custom_auth_mode().is_some())
    });
    let acr_names = pool.acr_configuration().is_some_and(|names| !names.is_empty());
    [
        (PlanFeature::PasswordlessSignIn, passwordless),
        (PlanFeature::AccessTokenCustomisation, customised_tokens),
        (PlanFeature::DynamicClientRegistration, registration),
        (PlanFeature::CustomAcrNames, acr_names),
        (PlanFeature::ThreatProtection, threat_protection),
    ]
    .into_iter()
    .filter_map(|(feature, used)| used.then_some(feature))
    .collect()
}

/// The client's settings in the spec's shape; `listed_secret` is whether ListUserPoolClientSecrets listed any.
fn client_settings(
    client: &UserPoolClientType,
    answer: &RawResource,
    listed_secret: bool,
) -> Result<ClientSettings, Error> {
    let units = client.token_validity_units();
    // Cognito's defaults when a client was created without units: refresh in days, the others in hours.
    let unit = |unit: Option<&TimeUnitsType>, default: TimeUnit| -> Result<TimeUnit, Error> {
        Ok(match unit {
            None => default,
            Some(TimeUnitsType::Seconds) => TimeUnit::Seconds,
            Some(TimeUnitsType::Minutes) => TimeUnit::Minutes,
            Some(TimeUnitsType::Hours) => TimeUnit::Hours,
            Some(TimeUnitsType::Days) => TimeUnit::Days,
            Some(other) => {
                return Err(unexpected(
                    "DescribeUserPoolClient",
                    "TokenValidityUnits",
                    other.as_str(),
                ));
            }
        })
    };
    // A lifetime the client does not report (or, for refresh tokens, reports as 0) is Cognito's default,
    // whatever the unit (CreateUserPoolClient API reference: one hour for access and ID tokens, 30 days for
    // refresh tokens).
    let validity = |field: &'static str, amount: Option<i32>, unit: TimeUnit, default: Validity| match amount
        .filter(|amount| *amount != 0)
    {
        Some(amount) => Ok::<_, Error>(Validity {
            amount: unsigned("DescribeUserPoolClient", field, amount)?,
            unit,
        }),
        None => Ok(default),
    };
    let one_hour = Validity {
        amount: 1,
        unit: TimeUnit::Hours,
    };
    Ok(ClientSettings {
        name: client.client_name().unwrap_or_default().to_owned(),
        // After a rotation DescribeUserPoolClient shows no secret (the original is gone) though the client has
        // one: the list says. A secret Cognito keeps in Secrets Manager is reported as its ARN (UserPoolClientType).
        generate_secret: listed_secret || client.client_secret().is_some() || answer.has("ClientSecretArn"),
        explicit_auth_flows: names(client.explicit_auth_flows().iter().map(|flow| flow.as_str())),
        token_validity: TokenValidity {
            refresh: validity(
                "RefreshTokenValidity",
                Some(client.refresh_token_validity()),
                unit(units.and_then(|units| units.refresh_token()), TimeUnit::Days)?,
                Validity::days(30),
            )?,
            access: validity(
                "AccessTokenValidity",
                client.access_token_validity(),
                unit(units.and_then(|units| units.access_token()), TimeUnit::Hours)?,
                one_hour,
            )?,
            id: validity(
                "IdTokenValidity",
                client.id_token_validity(),
                unit(units.and_then(|units| units.id_token()), TimeUnit::Hours)?,
                one_hour,
            )?,
        },
        // Three minutes when not reported (Developer Guide, app clients: "Authentication flow session duration").
        auth_session_validity_minutes: unsigned(
            "DescribeUserPoolClient",
            "AuthSessionValidity",
            client.auth_session_validity().unwrap_or(3),
        )?,
        prevent_user_existence_errors: match client.prevent_user_existence_errors() {
            Some(PreventUserExistenceErrorTypes::Enabled) => PreventUserExistenceErrors::Enabled,
            // Cognito's default for a client that reports nothing.
            Some(PreventUserExistenceErrorTypes::Legacy) | None => PreventUserExistenceErrors::Legacy,
            Some(other) => PreventUserExistenceErrors::Unrecognised(other.as_str().to_owned()),
        },
        enable_token_revocation: client.enable_token_revocation().unwrap_or(false),
    })
}
