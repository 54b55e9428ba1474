//! Applying a plan: creation in the order Cognito requires, and updates that always send the whole
//! desired state, carrying over the settings the spec does not manage.

use aws_sdk_cognitoidentityprovider::types::{
    AccountRecoverySettingType, AdminCreateUserConfigType, DeletionProtectionType, EmailConfigurationType,
    EmailSendingAccountType, ExplicitAuthFlowsType, PasswordPolicyType, PreventUserExistenceErrorTypes,
    RecoveryOptionNameType, RecoveryOptionType, SchemaAttributeType, SoftwareTokenMfaConfigType, TimeUnitsType,
    TokenValidityUnitsType, UserPoolMfaType, UserPoolPolicyType, UsernameAttributeType, UsernameConfigurationType,
    VerifiedAttributeType,
};
use pool_spec::{
    ClientSettings, DeletionProtection, DesiredState, EmailConfiguration, MfaConfiguration, MfaSettings, Plan,
    PoolSettings, Tags, TimeUnit,
};

use crate::{Cognito, Error, LivePool, Secret};

/// The spec's pool settings that CreateUserPool and UpdateUserPool both take. The SDK's two request
/// builders are distinct types with the same setters, hence a macro rather than a function.
macro_rules! with_pool_settings {
    ($request:expr, $desired:expr) => {{
        let desired: &DesiredState = $desired;
        $request
            .policies(policies(&desired.pool))
            .deletion_protection(deletion_protection(desired.pool.deletion_protection))
            .set_auto_verified_attributes(Some(auto_verified(&desired.pool)))
            .account_recovery_setting(account_recovery(&desired.pool))
            .email_configuration(email_configuration(&desired.email))
    }};
}

/// The spec's client settings that CreateUserPoolClient and UpdateUserPoolClient both take.
macro_rules! with_client_settings {
    ($request:expr, $client:expr) => {{
        let client: &ClientSettings = $client;
        let validity = &client.token_validity;
        $request
            .client_name(&client.name)
            .set_explicit_auth_flows(Some(auth_flows(client)))
            .refresh_token_validity(validity.refresh.amount as i32)
            .access_token_validity(validity.access.amount as i32)
            .id_token_validity(validity.id.amount as i32)
            .token_validity_units(validity_units(client))
            .auth_session_validity(client.auth_session_validity_minutes as i32)
            .prevent_user_existence_errors(PreventUserExistenceErrorTypes::from(
                client.prevent_user_existence_errors.as_str(),
            ))
            .enable_token_revocation(client.enable_token_revocation)
    }};
}

/// What a pool looks like after [`Cognito::apply`].
#[derive(Debug, Clone)]
pub struct Applied {
    /// The pool ID.
    pub pool_id: String,
    /// The pool ARN.
    pub pool_arn: Option<String>,
    /// The app client ID.
    pub client_id: String,
    /// The app client secret.
    pub client_secret: Option<Secret>,
}

impl Cognito {
    /// Applies `plan` (made from `desired` and `live`). Refuses a plan with conflicts. From scratch the
    /// calls are CreateUserPool (without MFA, which CreateUserPool cannot turn on for TOTP),
    /// SetUserPoolMfaConfig, CreateUserPoolClient. On an existing pool: SetUserPoolMfaConfig first when
    /// MFA changes (UpdateUserPool may only require MFA once a factor is enabled), then UpdateUserPool
    /// with the whole configuration and MFA read back, and the client created or updated whole.
    pub async fn apply(&self, desired: &DesiredState, plan: &Plan, live: Option<&LivePool>) -> Result<Applied, Error> {
        if !plan.conflicts.is_empty() {
            return Err(Error::Conflicts(plan.conflicts.len()));
        }
        let Some(live) = live.filter(|_| !plan.create_pool) else {
            return self.create_all(desired).await;
        };
        if plan.needs_mfa_update() {
            self.set_mfa(&live.id, &desired.mfa).await?;
        }
        let pool = async {
            if plan.needs_pool_update() {
                self.update_pool(desired, live).await?;
            }
            Ok::<_, Error>(())
        };
        let client = async {
            match (&live.client_id, plan.create_client) {
                (Some(client_id), false) => {
                    if plan.needs_client_update() {
                        self.update_client(&live.id, client_id, &desired.client, live).await?;
                    }
                    Ok((client_id.clone(), live.client_secret.clone()))
                }
                _ => self.create_client(&live.id, &desired.client).await,
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
        output.account.ok_or(Error::Unexpected {
            operation: "GetCallerIdentity",
            field: "Account",
            value: "nothing".into(),
        })
    }

    async fn create_all(&self, desired: &DesiredState) -> Result<Applied, Error> {
        let pool = &desired.pool;
        let request = self
            .idp
            .create_user_pool()
            .pool_name(&pool.name)
            .set_username_attributes(Some(
                pool.username_attributes
                    .iter()
                    .map(|name| UsernameAttributeType::from(name.as_str()))
                    .collect(),
            ))
            .username_configuration(
                UsernameConfigurationType::builder()
                    .case_sensitive(pool.case_sensitive_usernames)
                    .build()
                    .expect("case_sensitive is set"),
            )
            .set_schema(Some(required_schema(pool)))
            .admin_create_user_config(admin_create_user_config(pool, None))
            .set_user_pool_tags(Some(desired.tags.clone().into_iter().collect()));
        let created = with_pool_settings!(request, desired)
            .send()
            .await
            .map_err(Error::api("CreateUserPool"))?
            .user_pool
            .ok_or(Error::Unexpected {
                operation: "CreateUserPool",
                field: "UserPool",
                value: "nothing".into(),
            })?;
        let pool_id = created.id.clone().unwrap_or_default();
        self.set_mfa(&pool_id, &desired.mfa).await?;
        let (client_id, client_secret) = self.create_client(&pool_id, &desired.client).await?;
        Ok(Applied {
            pool_id,
            pool_arn: created.arn,
            client_id,
            client_secret,
        })
    }

    pub(crate) async fn set_mfa(&self, pool_id: &str, mfa: &MfaSettings) -> Result<(), Error> {
        self.idp
            .set_user_pool_mfa_config()
            .user_pool_id(pool_id)
            .mfa_configuration(mfa_type(mfa.configuration))
            .software_token_mfa_configuration(
                SoftwareTokenMfaConfigType::builder()
                    .enabled(mfa.software_token_enabled)
                    .build(),
            )
            .send()
            .await
            .map_err(Error::api("SetUserPoolMfaConfig"))?;
        Ok(())
    }

    /// UpdateUserPool resets whatever it is not sent: send the spec's settings, MFA included, and carry
    /// over every other setting exactly as the pool has it. Then read MFA back, since an update can move it.
    async fn update_pool(&self, desired: &DesiredState, live: &LivePool) -> Result<(), Error> {
        let pool = &desired.pool;
        let raw = &live.raw_pool;
        let mut tags: Tags = live.observed.tags.clone();
        tags.extend(desired.tags.clone());
        let request = self.idp.update_user_pool().user_pool_id(&live.id);
        with_pool_settings!(request, desired)
            .mfa_configuration(mfa_type(desired.mfa.configuration))
            .admin_create_user_config(admin_create_user_config(pool, raw.admin_create_user_config()))
            .set_user_pool_tags(Some(tags.into_iter().collect()))
            .set_lambda_config(raw.lambda_config().cloned())
            .set_sms_verification_message(raw.sms_verification_message().map(str::to_owned))
            .set_email_verification_message(raw.email_verification_message().map(str::to_owned))
            .set_email_verification_subject(raw.email_verification_subject().map(str::to_owned))
            .set_verification_message_template(raw.verification_message_template().cloned())
            .set_sms_authentication_message(raw.sms_authentication_message().map(str::to_owned))
            .set_user_attribute_update_settings(raw.user_attribute_update_settings().cloned())
            .set_device_configuration(raw.device_configuration().cloned())
            .set_sms_configuration(raw.sms_configuration().cloned())
            .set_user_pool_add_ons(raw.user_pool_add_ons().cloned())
            .set_user_pool_tier(raw.user_pool_tier().cloned())
            .send()
            .await
            .map_err(Error::api("UpdateUserPool"))?;
        if self.mfa(&live.id).await? != desired.mfa {
            self.set_mfa(&live.id, &desired.mfa).await?;
        }
        Ok(())
    }

    async fn create_client(&self, pool_id: &str, client: &ClientSettings) -> Result<(String, Option<Secret>), Error> {
        let request = self
            .idp
            .create_user_pool_client()
            .user_pool_id(pool_id)
            .generate_secret(client.generate_secret);
        let created = with_client_settings!(request, client)
            .send()
            .await
            .map_err(Error::api("CreateUserPoolClient"))?
            .user_pool_client
            .ok_or(Error::Unexpected {
                operation: "CreateUserPoolClient",
                field: "UserPoolClient",
                value: "nothing".into(),
            })?;
        Ok((
            created.client_id.unwrap_or_default(),
            created.client_secret.map(Secret::new),
        ))
    }

    /// UpdateUserPoolClient resets whatever it is not sent: the spec's settings plus every other
    /// setting (callback URLs, OAuth, attributes…) carried over as the client has it.
    async fn update_client(
        &self,
        pool_id: &str,
        client_id: &str,
        client: &ClientSettings,
        live: &LivePool,
    ) -> Result<(), Error> {
        let raw = live.raw_client.as_ref();
        let list = |values: Option<&[String]>| values.filter(|values| !values.is_empty()).map(<[String]>::to_vec);
        let request = self
            .idp
            .update_user_pool_client()
            .user_pool_id(pool_id)
            .client_id(client_id);
        with_client_settings!(request, client)
            .set_read_attributes(list(raw.map(|raw| raw.read_attributes())))
            .set_write_attributes(list(raw.map(|raw| raw.write_attributes())))
            .set_supported_identity_providers(list(raw.map(|raw| raw.supported_identity_providers())))
            .set_callback_urls(list(raw.map(|raw| raw.callback_urls())))
            .set_logout_urls(list(raw.map(|raw| raw.logout_urls())))
            .set_default_redirect_uri(raw.and_then(|raw| raw.default_redirect_uri()).map(str::to_owned))
            .set_allowed_o_auth_flows(
                raw.map(|raw| raw.allowed_o_auth_flows().to_vec())
                    .filter(|flows| !flows.is_empty()),
            )
            .set_allowed_o_auth_scopes(list(raw.map(|raw| raw.allowed_o_auth_scopes())))
            .set_allowed_o_auth_flows_user_pool_client(raw.and_then(|raw| raw.allowed_o_auth_flows_user_pool_client()))
            .set_analytics_configuration(raw.and_then(|raw| raw.analytics_configuration()).cloned())
            .set_enable_propagate_additional_user_context_data(
                raw.and_then(|raw| raw.enable_propagate_additional_user_context_data()),
            )
            .set_refresh_token_rotation(raw.and_then(|raw| raw.refresh_token_rotation()).cloned())
            .send()
            .await
            .map_err(Error::api("UpdateUserPoolClient"))?;
        Ok(())
    }
}

fn policies(pool: &PoolSettings) -> UserPoolPolicyType {
    let policy = &pool.password_policy;
    UserPoolPolicyType::builder()
        .password_policy(
            PasswordPolicyType::builder()
                .minimum_length(policy.minimum_length as i32)
                .require_uppercase(policy.require_uppercase)
                .require_lowercase(policy.require_lowercase)
                .require_numbers(policy.require_numbers)
                .require_symbols(policy.require_symbols)
                .temporary_password_validity_days(policy.temporary_password_validity_days as i32)
                .build(),
        )
        .build()
}

fn deletion_protection(protection: DeletionProtection) -> DeletionProtectionType {
    DeletionProtectionType::from(protection.as_str())
}

fn auto_verified(pool: &PoolSettings) -> Vec<VerifiedAttributeType> {
    pool.auto_verified_attributes
        .iter()
        .map(|name| VerifiedAttributeType::from(name.as_str()))
        .collect()
}

fn required_schema(pool: &PoolSettings) -> Vec<SchemaAttributeType> {
    pool.required_attributes
        .iter()
        .map(|name| {
            SchemaAttributeType::builder()
                .name(name)
                .attribute_data_type(aws_sdk_cognitoidentityprovider::types::AttributeDataType::String)
                .mutable(true)
                .required(true)
                .build()
        })
        .collect()
}

/// The spec sets who may create users; the invitation template, if a maintainer wrote one, is kept.
fn admin_create_user_config(
    pool: &PoolSettings,
    current: Option<&AdminCreateUserConfigType>,
) -> AdminCreateUserConfigType {
    AdminCreateUserConfigType::builder()
        .allow_admin_create_user_only(pool.admin_create_user_only)
        .set_invite_message_template(current.and_then(|config| config.invite_message_template()).cloned())
        .build()
}

fn account_recovery(pool: &PoolSettings) -> AccountRecoverySettingType {
    AccountRecoverySettingType::builder()
        .set_recovery_mechanisms(Some(
            pool.account_recovery
                .iter()
                .zip(1..)
                .map(|(mechanism, priority)| {
                    RecoveryOptionType::builder()
                        .name(RecoveryOptionNameType::from(mechanism.as_str()))
                        .priority(priority)
                        .build()
                        .expect("name and priority are set")
                })
                .collect(),
        ))
        .build()
}

fn email_configuration(email: &EmailConfiguration) -> EmailConfigurationType {
    match email {
        EmailConfiguration::CognitoDefault => EmailConfigurationType::builder()
            .email_sending_account(EmailSendingAccountType::CognitoDefault)
            .build(),
        EmailConfiguration::Developer { source_arn, from } => EmailConfigurationType::builder()
            .email_sending_account(EmailSendingAccountType::Developer)
            .source_arn(source_arn)
            .from(from)
            .build(),
    }
}

fn mfa_type(configuration: MfaConfiguration) -> UserPoolMfaType {
    UserPoolMfaType::from(configuration.as_str())
}

fn auth_flows(client: &ClientSettings) -> Vec<ExplicitAuthFlowsType> {
    client
        .explicit_auth_flows
        .iter()
        .map(|flow| ExplicitAuthFlowsType::from(flow.as_str()))
        .collect()
}

fn validity_units(client: &ClientSettings) -> TokenValidityUnitsType {
    let unit = |unit: TimeUnit| TimeUnitsType::from(unit.as_str());
    let validity = &client.token_validity;
    TokenValidityUnitsType::builder()
        .refresh_token(unit(validity.refresh.unit))
        .access_token(unit(validity.access.unit))
        .id_token(unit(validity.id.unit))
        .build()
}
