//! Applying a plan: creation in the order Cognito requires, creates sent once and never duplicated, and
//! updates built from the described pool and client so that nothing the spec leaves alone is reset.

use aws_sdk_cognitoidentityprovider::types::{
    AccountRecoverySettingType, AdminCreateUserConfigType, AdvancedSecurityModeType, AttributeDataType, AuthFactorType,
    DeletionProtectionType, EmailConfigurationType, EmailSendingAccountType, ExplicitAuthFlowsType, PasswordPolicyType,
    PreventUserExistenceErrorTypes, RecoveryOptionNameType, RecoveryOptionType, SchemaAttributeType, SignInPolicyType,
    SoftwareTokenMfaConfigType, TimeUnitsType, TokenValidityUnitsType, UserAttributeUpdateSettingsType,
    UserPoolAddOnsType, UserPoolClientType, UserPoolMfaType, UserPoolPolicyType, UserPoolTierType, UserPoolType,
    UsernameAttributeType, UsernameConfigurationType, VerifiedAttributeType,
};
use pool_spec::{
    Action, ClientSettings, Creation, DeletionProtection, DesiredState, EmailConfiguration, MfaConfiguration,
    MfaSettings, PlanFeature, PoolSettings, PreventUserExistenceErrors, RecoveryMechanism, Tags, TimeUnit, Update,
    UserPoolTier,
};

use crate::retry::{Created, retry_concurrent_modification, send_once, without_retries};
use crate::{Cognito, Error, KnownSecret, LivePool, SecretString};

/// What a pool looks like after [`Cognito::apply`].
#[derive(Debug, Clone)]
pub struct Applied {
    /// The pool ID.
    pub pool_id: String,
    /// The pool ARN.
    pub pool_arn: Option<String>,
    /// The app client ID.
    pub client_id: String,
    /// The app client secret, as far as this run knows it.
    pub client_secret: KnownSecret,
}

impl Cognito {
    /// Carries out `action`, a plan without conflicts (a [`pool_spec::Refusal`] has none to give). From
    /// scratch the calls are CreateUserPool (without MFA, which CreateUserPool cannot turn on for TOTP),
    /// then SetUserPoolMfaConfig alongside a second ListUserPools that catches a concurrent duplicate, then
    /// CreateUserPoolClient. On an existing pool: SetUserPoolMfaConfig first when MFA changes
    /// (UpdateUserPool may only require MFA once a factor is enabled), then UpdateUserPool built from the
    /// described pool with MFA read back, and the client created or updated the same way. A converged
    /// update makes no call. A pool created beside another ([`Creation::beside`]) makes the calls of a first
    /// creation, and the look after an ambiguous create and the duplicate check leave the other pool out; a
    /// failure after the pool was created is [`Error::Unfinished`], naming it.
    pub async fn apply(&self, action: &Action<LivePool>) -> Result<Applied, Error> {
        match action {
            Action::Create(creation) => self.create_all(creation).await,
            Action::Update(update) => self.update(update).await,
        }
    }

    async fn update(&self, update: &Update<LivePool>) -> Result<Applied, Error> {
        let (desired, live) = (update.desired(), update.live());
        refuse_unreadable(update)?;
        if update.needs_mfa_update() {
            self.set_mfa(&live.id, desired.mfa()).await?;
        }
        let pool = async {
            if update.needs_pool_update() {
                self.update_pool(desired, live).await?;
            }
            Ok::<_, Error>(())
        };
        let client = async {
            match &live.client {
                Some(client) => {
                    if update.needs_client_update() {
                        self.update_client(desired.client(), &client.raw).await?;
                    }
                    Ok((client.id.clone(), client.secret.clone()))
                }
                None => self.create_client(&live.id, desired.client()).await,
            }
        };
        let ((), (client_id, client_secret)) = tokio::try_join!(pool, client)?;
        Ok(Applied {
            pool_id: live.id.clone(),
            pool_arn: live.arn.clone(),
            client_id,
            client_secret,
        })
    }

    /// The caller's AWS account ID (STS GetCallerIdentity), for the SES identity ARN.
    pub async fn account_id(&self) -> Result<String, Error> {
        let output = self
            .sts
            .get_caller_identity()
            .send()
            .await
            .map_err(Error::api("GetCallerIdentity"))?;
        output.account.ok_or(Error::missing("GetCallerIdentity", "Account"))
    }

    async fn create_all(&self, creation: &Creation) -> Result<Applied, Error> {
        let (desired, beside) = (creation.desired(), creation.beside());
        let (pool_id, pool_arn) = self.create_pool(desired, beside).await?;
        let finish = async {
            // A run that started at the same moment may have created a twin; find out before going on.
            let (duplicates, ()) = tokio::try_join!(
                self.twins(&desired.pool().name, desired.tags(), beside),
                self.set_mfa(&pool_id, desired.mfa())
            )?;
            if duplicates.len() > 1 {
                return Err(Error::DuplicatePool {
                    name: desired.pool().name.clone(),
                    ours: pool_id.clone(),
                    pools: duplicates,
                });
            }
            self.create_client(&pool_id, desired.client()).await
        };
        let (client_id, client_secret) = finish.await.map_err(|source| match source {
            // Names this run's pool already, and the way out is deleting it, not finishing it.
            duplicate @ Error::DuplicatePool { .. } => duplicate,
            source => Error::Unfinished {
                pool_id: pool_id.clone(),
                source: Box::new(source),
            },
        })?;
        Ok(Applied {
            pool_id,
            pool_arn,
            client_id,
            client_secret,
        })
    }

    /// CreateUserPool, sent once. After an answer that leaves it unknown whether the pool was made, the
    /// pool with the spec's name and tags (other than the one `beside`, which existed before) is looked for and
    /// adopted; only when there is none is the create sent again.
    async fn create_pool(
        &self,
        desired: &DesiredState,
        beside: Option<&str>,
    ) -> Result<(String, Option<String>), Error> {
        let pool = desired.pool();
        // Destructured without `..`, so a new setting does not compile until the create sends it (below,
        // each through the function or builder call named after it).
        let PoolSettings {
            name: _,
            username_attributes: _,
            case_sensitive_usernames: _,
            required_attributes: _,
            auto_verified_attributes: _,
            password_policy: _,
            admin_create_user_only: _,
            account_recovery: _,
            deletion_protection: _,
            tier: _,
            attributes_require_verification_before_update: _,
        } = pool;
        let request = self
            .idp
            .create_user_pool()
            .pool_name(&pool.name)
            .set_username_attributes(Some(username_attributes(pool)?))
            .username_configuration(
                UsernameConfigurationType::builder()
                    .case_sensitive(pool.case_sensitive_usernames)
                    .build()
                    .map_err(Error::build("UsernameConfiguration"))?,
            )
            .set_schema(Some(required_schema(pool)))
            .admin_create_user_config(admin_create_user_config(pool, None))
            .set_user_pool_tags(Some(desired.tags().clone().into_iter().collect()))
            .policies(policies(pool, None)?)
            .deletion_protection(deletion_protection(&pool.deletion_protection)?)
            .set_auto_verified_attributes(Some(auto_verified(pool)?))
            .user_attribute_update_settings(attribute_update_settings(pool)?)
            .account_recovery_setting(account_recovery(pool)?)
            .email_configuration(email_configuration(desired.email(), None))
            .user_pool_tier(tier(&pool.tier)?);
        let created = send_once(
            "CreateUserPool",
            None,
            || request.clone().customize().config_override(without_retries()).send(),
            || async {
                let mut found = self.pools_tagged(&pool.name, desired.tags()).await?;
                found.retain(|pool| Some(pool.id.as_str()) != beside);
                Ok(found.pop().map(|pool| (pool.id, None)))
            },
        )
        .await?;
        match created {
            // Adopted after an ambiguous failure: its ARN is read back by the next run's plan.
            Created::Found((id, arn)) => Ok((id, arn)),
            Created::Made(output) => {
                let made = output
                    .user_pool
                    .ok_or_else(|| Error::missing("CreateUserPool", "UserPool"))?;
                let id = made.id.ok_or_else(|| Error::missing("CreateUserPool", "UserPool.Id"))?;
                Ok((id, made.arn))
            }
        }
    }

    /// The pools named `name` that carry `tags`, other than the one `beside`, right after this run created one of
    /// them: one pool of the name needs no DescribeUserPool to tell, so the usual case costs one ListUserPools.
    async fn twins(&self, name: &str, tags: &Tags, beside: Option<&str>) -> Result<Vec<crate::PoolSummary>, Error> {
        let mut named = self.list_named(name).await?;
        named.retain(|pool| Some(pool.id.as_str()) != beside);
        if named.len() <= 1 {
            return Ok(named);
        }
        self.only_tagged(&named, tags).await
    }

    pub(crate) async fn set_mfa(&self, pool_id: &str, mfa: &MfaSettings) -> Result<(), Error> {
        let request = self
            .idp
            .set_user_pool_mfa_config()
            .user_pool_id(pool_id)
            .mfa_configuration(mfa_type(&mfa.configuration))
            .software_token_mfa_configuration(
                SoftwareTokenMfaConfigType::builder()
                    .enabled(mfa.software_token_enabled)
                    .build(),
            );
        retry_concurrent_modification("SetUserPoolMfaConfig", || request.clone().send()).await?;
        Ok(())
    }

    /// UpdateUserPool resets whatever it is not sent, so the request starts as the described pool (every
    /// member UpdateUserPool takes) and only what the spec manages is set over it, MFA included. Then MFA
    /// is read back, since an update can move it.
    async fn update_pool(&self, desired: &DesiredState, live: &LivePool) -> Result<(), Error> {
        let update = pool_update(desired, &live.raw_pool, &live.observed.tags)?;
        let request = self
            .idp
            .update_user_pool()
            .user_pool_id(&live.id)
            .set_policies(update.policies)
            .set_deletion_protection(update.deletion_protection)
            .set_lambda_config(update.lambda_config)
            .set_auto_verified_attributes(update.auto_verified_attributes)
            .set_sms_verification_message(update.sms_verification_message)
            .set_email_verification_message(update.email_verification_message)
            .set_email_verification_subject(update.email_verification_subject)
            .set_verification_message_template(update.verification_message_template)
            .set_sms_authentication_message(update.sms_authentication_message)
            .set_user_attribute_update_settings(update.user_attribute_update_settings)
            .set_mfa_configuration(update.mfa_configuration)
            .set_device_configuration(update.device_configuration)
            .set_email_configuration(update.email_configuration)
            .set_sms_configuration(update.sms_configuration)
            .set_user_pool_tags(update.user_pool_tags)
            .set_admin_create_user_config(update.admin_create_user_config)
            .set_user_pool_add_ons(update.user_pool_add_ons)
            .set_account_recovery_setting(update.account_recovery_setting)
            .set_pool_name(update.name)
            .set_user_pool_tier(update.user_pool_tier)
            .set_key_configuration(update.key_configuration)
            .set_issuer_configuration(update.issuer_configuration)
            .set_acr_configuration(update.acr_configuration);
        retry_concurrent_modification("UpdateUserPool", || request.clone().send()).await?;
        if self.mfa(&live.id).await? != *desired.mfa() {
            self.set_mfa(&live.id, desired.mfa()).await?;
        }
        Ok(())
    }

    /// CreateUserPoolClient, sent once; after an ambiguous failure the client with the spec's name is
    /// looked for and adopted.
    async fn create_client(&self, pool_id: &str, client: &ClientSettings) -> Result<(String, KnownSecret), Error> {
        // Destructured without `..`, so a new setting does not compile until the create sends it (below).
        let ClientSettings {
            name: _,
            generate_secret: _,
            explicit_auth_flows: _,
            token_validity: _,
            auth_session_validity_minutes: _,
            prevent_user_existence_errors: _,
            enable_token_revocation: _,
        } = client;
        let validity = &client.token_validity;
        let request = self
            .idp
            .create_user_pool_client()
            .user_pool_id(pool_id)
            .generate_secret(client.generate_secret)
            .client_name(&client.name)
            .set_explicit_auth_flows(Some(auth_flows(client)?))
            .refresh_token_validity(to_i32("client.token_validity.refresh", validity.refresh.amount)?)
            .access_token_validity(to_i32("client.token_validity.access", validity.access.amount)?)
            .id_token_validity(to_i32("client.token_validity.id", validity.id.amount)?)
            .token_validity_units(validity_units(client))
            .auth_session_validity(to_i32(
                "client.auth_session_validity_minutes",
                client.auth_session_validity_minutes,
            )?)
            .prevent_user_existence_errors(prevent_user_existence_errors(&client.prevent_user_existence_errors)?)
            .enable_token_revocation(client.enable_token_revocation);
        let created = send_once(
            "CreateUserPoolClient",
            None,
            || request.clone().customize().config_override(without_retries()).send(),
            || async {
                match self.client_id(pool_id, &client.name).await? {
                    Some(id) => Ok(Some(self.describe_client(pool_id, &id).await?)),
                    None => Ok(None),
                }
            },
        )
        .await?;
        let made = match created {
            Created::Found(client) => client,
            Created::Made(output) => output
                .user_pool_client
                .ok_or_else(|| Error::missing("CreateUserPoolClient", "UserPoolClient"))?,
        };
        let id = made
            .client_id
            .ok_or_else(|| Error::missing("CreateUserPoolClient", "UserPoolClient.ClientId"))?;
        let secret = match made.client_secret.map(SecretString::from) {
            // The secret's ID, which `--write-env` records beside it, is only in the list.
            Some(value) => KnownSecret::from_client(&self.client_secrets(pool_id, &id).await?, Some(&value)),
            None => KnownSecret::None,
        };
        Ok((id, secret))
    }

    /// UpdateUserPoolClient resets whatever it is not sent: the request starts as the described client
    /// and only what the spec manages is set over it.
    async fn update_client(&self, client: &ClientSettings, raw: &UserPoolClientType) -> Result<(), Error> {
        let update = client_update(client, raw)?;
        let request = self
            .idp
            .update_user_pool_client()
            .set_user_pool_id(update.user_pool_id)
            .set_client_id(update.client_id)
            .set_client_name(update.client_name)
            .refresh_token_validity(update.refresh_token_validity)
            .set_access_token_validity(update.access_token_validity)
            .set_id_token_validity(update.id_token_validity)
            .set_token_validity_units(update.token_validity_units)
            .set_read_attributes(update.read_attributes)
            .set_write_attributes(update.write_attributes)
            .set_explicit_auth_flows(update.explicit_auth_flows)
            .set_supported_identity_providers(update.supported_identity_providers)
            .set_callback_urls(update.callback_urls)
            .set_logout_urls(update.logout_urls)
            .set_default_redirect_uri(update.default_redirect_uri)
            .set_allowed_o_auth_flows(update.allowed_o_auth_flows)
            .set_allowed_o_auth_scopes(update.allowed_o_auth_scopes)
            .set_allowed_o_auth_flows_user_pool_client(update.allowed_o_auth_flows_user_pool_client)
            .set_analytics_configuration(update.analytics_configuration)
            .set_prevent_user_existence_errors(update.prevent_user_existence_errors)
            .set_enable_token_revocation(update.enable_token_revocation)
            .set_enable_propagate_additional_user_context_data(update.enable_propagate_additional_user_context_data)
            .set_auth_session_validity(update.auth_session_validity)
            .set_refresh_token_rotation(update.refresh_token_rotation);
        retry_concurrent_modification("UpdateUserPoolClient", || request.clone().send()).await?;
        Ok(())
    }
}

/// Refuses, before any write, an update that would reset live settings this SDK cannot read.
fn refuse_unreadable(update: &Update<LivePool>) -> Result<(), Error> {
    let live = update.live();
    for (needed, resource, id, members) in [
        (
            update.needs_pool_update(),
            "user pool",
            Some(&live.id),
            &live.unreadable.pool,
        ),
        (
            update.needs_client_update(),
            "app client",
            live.client.as_ref().map(|client| &client.id),
            &live.unreadable.client,
        ),
    ] {
        if needed && !members.is_empty() {
            return Err(Error::Unreadable {
                resource,
                id: id.cloned().unwrap_or_default(),
                members: members.clone(),
            });
        }
    }
    Ok(())
}

/// The described pool with what the spec manages set over it: the whole state UpdateUserPool must be sent.
/// Members the request takes are copied whole; inside them, only the managed fields are replaced, so
/// e.g. `PasswordPolicy.PasswordHistorySize` or `EmailConfiguration.ReplyToEmailAddress` survive.
fn pool_update(desired: &DesiredState, described: &UserPoolType, live_tags: &Tags) -> Result<UserPoolType, Error> {
    let pool = desired.pool();
    // Destructured without `..`, so a new setting does not compile until the update handles it.
    let PoolSettings {
        name: _,
        // Fixed at creation, not UpdateUserPool parameters: a difference is a conflict the plan refuses.
        username_attributes: _,
        case_sensitive_usernames: _,
        required_attributes: _,
        // Each set below, through the function named after it.
        auto_verified_attributes: _,
        password_policy: _,
        admin_create_user_only: _,
        account_recovery: _,
        deletion_protection: _,
        tier: _,
        attributes_require_verification_before_update: _,
    } = pool;
    let mut update = described.clone();
    update.policies = Some(policies(pool, described.policies.as_ref())?);
    update.deletion_protection = Some(deletion_protection(&pool.deletion_protection)?);
    update.auto_verified_attributes = Some(auto_verified(pool)?);
    update.user_attribute_update_settings = Some(attribute_update_settings(pool)?);
    update.mfa_configuration = Some(mfa_type(&desired.mfa().configuration));
    update.email_configuration = Some(email_configuration(
        desired.email(),
        described.email_configuration.as_ref(),
    ));
    update.user_pool_tags = Some(pool_spec::with_tags(live_tags, desired.tags()).into_iter().collect());
    update.admin_create_user_config = Some(admin_create_user_config(
        pool,
        described.admin_create_user_config.as_ref(),
    ));
    update.account_recovery_setting = Some(account_recovery(pool)?);
    // A plan without threat protection has it off (the plan shows it when it was on); AWS refuses the plan otherwise.
    if !pool.tier.offers(PlanFeature::ThreatProtection) && described.user_pool_add_ons.is_some() {
        update.user_pool_add_ons = Some(
            UserPoolAddOnsType::builder()
                .advanced_security_mode(AdvancedSecurityModeType::Off)
                .build()
                .map_err(Error::build("UserPoolAddOns"))?,
        );
    }
    update.name = Some(pool.name.clone());
    update.user_pool_tier = Some(tier(&pool.tier)?);
    Ok(update)
}

/// The described client with what the spec manages set over it, as UpdateUserPoolClient must be sent.
fn client_update(client: &ClientSettings, described: &UserPoolClientType) -> Result<UserPoolClientType, Error> {
    // Destructured without `..`, so a new setting does not compile until the update sets it (below; whether
    // the client has a secret is fixed at creation, a conflict the plan refuses).
    let ClientSettings {
        name: _,
        generate_secret: _,
        explicit_auth_flows: _,
        token_validity: _,
        auth_session_validity_minutes: _,
        prevent_user_existence_errors: _,
        enable_token_revocation: _,
    } = client;
    let validity = &client.token_validity;
    let mut update = described.clone();
    update.client_name = Some(client.name.clone());
    update.explicit_auth_flows = Some(auth_flows(client)?);
    update.refresh_token_validity = to_i32("client.token_validity.refresh", validity.refresh.amount)?;
    update.access_token_validity = Some(to_i32("client.token_validity.access", validity.access.amount)?);
    update.id_token_validity = Some(to_i32("client.token_validity.id", validity.id.amount)?);
    update.token_validity_units = Some(validity_units(client));
    update.auth_session_validity = Some(to_i32(
        "client.auth_session_validity_minutes",
        client.auth_session_validity_minutes,
    )?);
    update.prevent_user_existence_errors = Some(prevent_user_existence_errors(&client.prevent_user_existence_errors)?);
    update.enable_token_revocation = Some(client.enable_token_revocation);
    // DescribeUserPoolClient reports empty lists where nothing is set; sending them empty is the same.
    Ok(update)
}

/// A spec number as the API's `Integer`; the spec's validation keeps them in range.
fn to_i32(field: &'static str, value: u32) -> Result<i32, Error> {
    i32::try_from(value).map_err(|_| Error::OutOfRange {
        field,
        value: value.into(),
    })
}

/// The spec's password policy over the live one (`PasswordHistorySize` is the spec's too: the plan
/// removes it where the spec's feature plan lacks it), and the live sign-in policy kept.
fn policies(pool: &PoolSettings, current: Option<&UserPoolPolicyType>) -> Result<UserPoolPolicyType, Error> {
    let policy = &pool.password_policy;
    let mut password = current
        .and_then(|current| current.password_policy.clone())
        .unwrap_or_else(|| PasswordPolicyType::builder().build());
    password.minimum_length = Some(to_i32("pool.password_policy.minimum_length", policy.minimum_length)?);
    password.require_uppercase = policy.require_uppercase;
    password.require_lowercase = policy.require_lowercase;
    password.require_numbers = policy.require_numbers;
    password.require_symbols = policy.require_symbols;
    password.temporary_password_validity_days = to_i32(
        "pool.password_policy.temporary_password_validity_days",
        policy.temporary_password_validity_days,
    )?;
    password.password_history_size = policy
        .password_history_size
        .map(|size| to_i32("pool.password_policy.password_history_size", size))
        .transpose()?;
    let mut policies = current
        .cloned()
        .unwrap_or_else(|| UserPoolPolicyType::builder().build());
    policies.password_policy = Some(password);
    // A plan without passwordless sign-in takes the password as the only first factor (the plan shows it).
    if !pool.tier.offers(PlanFeature::PasswordlessSignIn) && policies.sign_in_policy.is_some() {
        policies.sign_in_policy = Some(
            SignInPolicyType::builder()
                .allowed_first_auth_factors(AuthFactorType::Password)
                .build(),
        );
    }
    Ok(policies)
}

/// A value only a live pool can hold reached a request: the spec's validation should have refused it.
fn unrecognised(field: &'static str, value: &str) -> Error {
    Error::Unsendable {
        field,
        value: value.to_owned(),
    }
}

fn deletion_protection(protection: &DeletionProtection) -> Result<DeletionProtectionType, Error> {
    match protection {
        DeletionProtection::Active => Ok(DeletionProtectionType::Active),
        DeletionProtection::Inactive => Ok(DeletionProtectionType::Inactive),
        DeletionProtection::Unrecognised(value) => Err(unrecognised("pool.deletion_protection", value)),
    }
}

fn tier(tier: &UserPoolTier) -> Result<UserPoolTierType, Error> {
    match tier {
        UserPoolTier::Lite => Ok(UserPoolTierType::Lite),
        UserPoolTier::Essentials => Ok(UserPoolTierType::Essentials),
        UserPoolTier::Plus => Ok(UserPoolTierType::Plus),
        UserPoolTier::Unrecognised(value) => Err(unrecognised("pool.tier", value)),
    }
}

fn prevent_user_existence_errors(value: &PreventUserExistenceErrors) -> Result<PreventUserExistenceErrorTypes, Error> {
    match value {
        PreventUserExistenceErrors::Enabled => Ok(PreventUserExistenceErrorTypes::Enabled),
        PreventUserExistenceErrors::Legacy => Ok(PreventUserExistenceErrorTypes::Legacy),
        PreventUserExistenceErrors::Unrecognised(value) => {
            Err(unrecognised("client.prevent_user_existence_errors", value))
        }
    }
}

fn mfa_type(configuration: &MfaConfiguration) -> UserPoolMfaType {
    match configuration {
        MfaConfiguration::Off => UserPoolMfaType::Off,
        MfaConfiguration::On => UserPoolMfaType::On,
        MfaConfiguration::Optional => UserPoolMfaType::Optional,
    }
}

/// A user attribute the spec names, as the API's verified-attribute type (`email`, `phone_number`): the SDK's
/// own parser, which knows every value of its model and refuses any other.
fn verified_attribute(field: &'static str, name: &str) -> Result<VerifiedAttributeType, Error> {
    VerifiedAttributeType::try_parse(name).map_err(|_| unrecognised(field, name))
}

fn username_attributes(pool: &PoolSettings) -> Result<Vec<UsernameAttributeType>, Error> {
    pool.username_attributes
        .iter()
        .map(|name| UsernameAttributeType::try_parse(name).map_err(|_| unrecognised("pool.username_attributes", name)))
        .collect()
}

fn auto_verified(pool: &PoolSettings) -> Result<Vec<VerifiedAttributeType>, Error> {
    pool.auto_verified_attributes
        .iter()
        .map(|name| verified_attribute("pool.auto_verified_attributes", name))
        .collect()
}

fn attribute_update_settings(pool: &PoolSettings) -> Result<UserAttributeUpdateSettingsType, Error> {
    let attributes = pool
        .attributes_require_verification_before_update
        .iter()
        .map(|name| verified_attribute("pool.attributes_require_verification_before_update", name))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(UserAttributeUpdateSettingsType::builder()
        .set_attributes_require_verification_before_update(Some(attributes))
        .build())
}

fn required_schema(pool: &PoolSettings) -> Vec<SchemaAttributeType> {
    pool.required_attributes
        .iter()
        .map(|name| {
            SchemaAttributeType::builder()
                .name(name)
                .attribute_data_type(AttributeDataType::String)
                .mutable(true)
                .required(true)
                .build()
        })
        .collect()
}

/// The spec sets who may create users; the invitation template is kept. The legacy
/// `UnusedAccountValidityDays`, which DescribeUserPool reports beside `PasswordPolicy.TemporaryPasswordValidityDays`,
/// is sent as 0: AWS refuses a non-zero one while the new member is set ("Please use TemporaryPasswordValidityDays
/// in PasswordPolicy instead of UnusedAccountValidityDays"), and this SDK always sends the field.
fn admin_create_user_config(
    pool: &PoolSettings,
    current: Option<&AdminCreateUserConfigType>,
) -> AdminCreateUserConfigType {
    let mut config = current
        .cloned()
        .unwrap_or_else(|| AdminCreateUserConfigType::builder().build());
    config.allow_admin_create_user_only = pool.admin_create_user_only;
    config.unused_account_validity_days = 0;
    config
}

fn account_recovery(pool: &PoolSettings) -> Result<AccountRecoverySettingType, Error> {
    let mechanisms = pool
        .account_recovery
        .iter()
        .zip(1..)
        .map(|(mechanism, priority)| {
            let name = match mechanism {
                RecoveryMechanism::VerifiedEmail => RecoveryOptionNameType::VerifiedEmail,
                RecoveryMechanism::VerifiedPhoneNumber => RecoveryOptionNameType::VerifiedPhoneNumber,
                RecoveryMechanism::AdminOnly => RecoveryOptionNameType::AdminOnly,
            };
            RecoveryOptionType::builder()
                .name(name)
                .priority(priority)
                .build()
                .map_err(Error::build("RecoveryOption"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(AccountRecoverySettingType::builder()
        .set_recovery_mechanisms(Some(mechanisms))
        .build())
}

/// The spec's sending account, identity and sender over the live configuration, whose reply-to address
/// and configuration set are kept. With Cognito's own email those two do not apply and are dropped.
fn email_configuration(email: &EmailConfiguration, current: Option<&EmailConfigurationType>) -> EmailConfigurationType {
    let mut config = current
        .cloned()
        .unwrap_or_else(|| EmailConfigurationType::builder().build());
    match email {
        EmailConfiguration::CognitoDefault => {
            config.email_sending_account = Some(EmailSendingAccountType::CognitoDefault);
            config.source_arn = None;
            config.from = None;
            config.configuration_set = None;
        }
        EmailConfiguration::Developer { source_arn, from } => {
            config.email_sending_account = Some(EmailSendingAccountType::Developer);
            config.source_arn = Some(source_arn.clone());
            config.from = Some(from.clone());
        }
    }
    config
}

fn auth_flows(client: &ClientSettings) -> Result<Vec<ExplicitAuthFlowsType>, Error> {
    client.explicit_auth_flows.iter().map(|flow| auth_flow(flow)).collect()
}

/// One of the spec's flows (`pool_spec::AUTH_FLOWS`, the `ALLOW_` family) through the SDK's parser; the legacy
/// names the SDK also knows are refused, as the spec's validation refuses them.
fn auth_flow(flow: &str) -> Result<ExplicitAuthFlowsType, Error> {
    pool_spec::AUTH_FLOWS
        .contains(&flow)
        .then(|| ExplicitAuthFlowsType::try_parse(flow).ok())
        .flatten()
        .ok_or_else(|| unrecognised("client.explicit_auth_flows", flow))
}

fn validity_units(client: &ClientSettings) -> TokenValidityUnitsType {
    let unit = |unit: TimeUnit| match unit {
        TimeUnit::Seconds => TimeUnitsType::Seconds,
        TimeUnit::Minutes => TimeUnitsType::Minutes,
        TimeUnit::Hours => TimeUnitsType::Hours,
        TimeUnit::Days => TimeUnitsType::Days,
    };
    let validity = &client.token_validity;
    TokenValidityUnitsType::builder()
        .refresh_token(unit(validity.refresh.unit))
        .access_token(unit(validity.access.unit))
        .id_token(unit(validity.id.unit))
        .build()
}

#[cfg(test)]
mod enum_tests {
    use super::*;

    fn refused(result: Result<impl std::fmt::Debug, Error>) -> (&'static str, String) {
        match result {
            Err(Error::Unsendable { field, value }) => (field, value),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_spec_s_auth_flows_go_through_the_sdk_and_nothing_else_does() {
        for flow in pool_spec::AUTH_FLOWS {
            assert_eq!(auth_flow(flow).unwrap().as_str(), flow);
        }
        for legacy in ExplicitAuthFlowsType::values()
            .iter()
            .filter(|flow| !flow.starts_with("ALLOW_"))
        {
            assert_eq!(
                refused(auth_flow(legacy)),
                ("client.explicit_auth_flows", (*legacy).to_owned())
            );
        }
        assert_eq!(
            refused(auth_flow("ALLOW_EVERYTHING")),
            ("client.explicit_auth_flows", "ALLOW_EVERYTHING".to_owned())
        );
    }

    #[test]
    fn attributes_go_through_the_sdk_and_others_are_refused() {
        for name in VerifiedAttributeType::values() {
            assert_eq!(
                verified_attribute("pool.auto_verified_attributes", name)
                    .unwrap()
                    .as_str(),
                *name
            );
        }
        assert_eq!(VerifiedAttributeType::values(), ["email", "phone_number"]);
        assert_eq!(UsernameAttributeType::values(), ["email", "phone_number"]);
        assert_eq!(
            refused(verified_attribute("pool.auto_verified_attributes", "name")),
            ("pool.auto_verified_attributes", "name".to_owned())
        );
        assert_eq!(
            refused(verified_attribute("pool.auto_verified_attributes", "Email")),
            ("pool.auto_verified_attributes", "Email".to_owned())
        );
    }
}
