//! The settings of a user pool and its app client, shaped like Cognito's own parameters.
//!
//! These structs describe both what the spec wants and what a live pool has: the `cognito` crate converts
//! DescribeUserPool, GetUserPoolMfaConfig and DescribeUserPoolClient output into them, so that
//! [`crate::plan`] can compare like with like. String-valued lists hold Cognito's wire names (`email`,
//! `ALLOW_USER_SRP_AUTH`) so that a live value this crate does not know still converts and shows in a plan.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::{Deserialize, Serialize};

/// Resource tags of a user pool (`UserPoolTags`).
pub type Tags = BTreeMap<String, String>;

/// Whether `live` carries every tag of `wanted` with the same value; tags someone else added do not matter.
pub fn carries_tags(live: &Tags, wanted: &Tags) -> bool {
    wanted.iter().all(|(key, value)| live.get(key) == Some(value))
}

/// The tags an update sends: `live` with `wanted` set over it, so that tags someone else added are kept.
pub fn with_tags(live: &Tags, wanted: &Tags) -> Tags {
    let mut merged = live.clone();
    merged.extend(wanted.iter().map(|(key, value)| (key.clone(), value.clone())));
    merged
}

/// The pool-level settings that CreateUserPool and UpdateUserPool carry, except email and MFA, which differ
/// between spec and live state (email) or have their own call (MFA).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoolSettings {
    /// `PoolName`. Pools are found by this name; it is not unique in an account.
    pub name: String,
    /// `UsernameAttributes`: what users sign in with (`email`, `phone_number`). Fixed at creation.
    pub username_attributes: BTreeSet<String>,
    /// `UsernameConfiguration.CaseSensitive`. Fixed at creation.
    pub case_sensitive_usernames: bool,
    /// Names of the schema attributes marked `Required`. Fixed at creation.
    pub required_attributes: BTreeSet<String>,
    /// `AutoVerifiedAttributes`: attributes Cognito verifies by sending a code.
    pub auto_verified_attributes: BTreeSet<String>,
    /// `Policies.PasswordPolicy`.
    pub password_policy: PasswordPolicy,
    /// `AdminCreateUserConfig.AllowAdminCreateUserOnly`: `true` disables self-registration.
    pub admin_create_user_only: bool,
    /// `AccountRecoverySetting.RecoveryMechanisms`, highest priority first.
    pub account_recovery: Vec<RecoveryMechanism>,
    /// `DeletionProtection`.
    pub deletion_protection: DeletionProtection,
    /// `UserPoolTier`: the feature plan, which decides what the pool costs and which features it may use.
    pub tier: UserPoolTier,
    /// `UserAttributeUpdateSettings.AttributesRequireVerificationBeforeUpdate`: attributes whose new value
    /// only takes effect once the user verifies it (the console sets `email`).
    pub attributes_require_verification_before_update: BTreeSet<String>,
}

/// A custom attribute of a pool's schema (`SchemaAttributes`, added with AddCustomAttributes): the spec defines
/// none, but pools made by hand carry them (Credere's `custom:lender`), and a user that has one can only be created in
/// a pool that has it too.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomAttribute {
    /// Its name as users carry it: `custom:lender` (`dev:custom:…` for a developer-only one).
    pub name: String,
    /// `AttributeDataType`: `String`, `Number`, `DateTime` or `Boolean`.
    pub data_type: String,
    /// `Mutable`: whether its value can change after the user is created; `None` when the pool did not say.
    pub mutable: Option<bool>,
}

impl CustomAttribute {
    /// Whether a user's attribute of this `name` must be in the pool's schema as a custom attribute (the standard
    /// ones are in every pool's).
    pub fn is_custom(name: &str) -> bool {
        name.starts_with("custom:") || name.starts_with("dev:custom:")
    }
}

/// `Policies.PasswordPolicy` of a user pool.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordPolicy {
    /// `MinimumLength` (Cognito accepts 6–99).
    pub minimum_length: u32,
    /// `RequireUppercase`.
    pub require_uppercase: bool,
    /// `RequireLowercase`.
    pub require_lowercase: bool,
    /// `RequireNumbers`.
    pub require_numbers: bool,
    /// `RequireSymbols`.
    pub require_symbols: bool,
    /// `TemporaryPasswordValidityDays` (Cognito accepts 0–365).
    pub temporary_password_validity_days: u32,
    /// `PasswordHistorySize`: how many previous passwords a user may not reuse (0–24); `None` when not set.
    /// Needs the ESSENTIALS plan or higher.
    pub password_history_size: Option<u32>,
}

/// One entry of `AccountRecoverySetting.RecoveryMechanisms`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecoveryMechanism {
    /// `verified_email`: a code sent to the user's verified email address.
    VerifiedEmail,
    /// `verified_phone_number`: a code sent by SMS.
    VerifiedPhoneNumber,
    /// `admin_only`: only an administrator can reset the password.
    AdminOnly,
}

impl RecoveryMechanism {
    /// Cognito's name for the mechanism.
    pub fn as_str(self) -> &'static str {
        match self {
            RecoveryMechanism::VerifiedEmail => "verified_email",
            RecoveryMechanism::VerifiedPhoneNumber => "verified_phone_number",
            RecoveryMechanism::AdminOnly => "admin_only",
        }
    }
}

/// `DeletionProtection` of a user pool.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum DeletionProtection {
    /// `ACTIVE`: DeleteUserPool fails until this is turned off.
    Active,
    /// `INACTIVE`.
    Inactive,
    /// A value Cognito reported that this crate does not know, kept verbatim so a plan shows it.
    /// Only ever observed: a spec holding it fails validation.
    #[serde(untagged)]
    Unrecognised(String),
}

impl DeletionProtection {
    /// Cognito's name for the value.
    pub fn as_str(&self) -> &str {
        match self {
            DeletionProtection::Active => "ACTIVE",
            DeletionProtection::Inactive => "INACTIVE",
            DeletionProtection::Unrecognised(value) => value,
        }
    }
}

/// `UserPoolTier`: the feature plan of a user pool.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum UserPoolTier {
    /// `LITE`: the basic features (password policy, TOTP MFA, email), the lowest price.
    Lite,
    /// `ESSENTIALS`: adds e.g. password history, passwordless sign-in and access-token customisation;
    /// what CreateUserPool makes when no plan is given.
    Essentials,
    /// `PLUS`: adds threat protection.
    Plus,
    /// A value Cognito reported that this crate does not know, kept verbatim so a plan shows it.
    /// Only ever observed: a spec holding it fails validation.
    #[serde(untagged)]
    Unrecognised(String),
}

impl UserPoolTier {
    /// Cognito's name for the plan.
    pub fn as_str(&self) -> &str {
        match self {
            UserPoolTier::Lite => "LITE",
            UserPoolTier::Essentials => "ESSENTIALS",
            UserPoolTier::Plus => "PLUS",
            UserPoolTier::Unrecognised(value) => value,
        }
    }
}

/// `EmailConfiguration` of a user pool as Cognito holds it, with a concrete SES identity ARN.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "email_sending_account", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum EmailConfiguration {
    /// `COGNITO_DEFAULT`: Cognito sends from its own address, with a low daily quota.
    CognitoDefault,
    /// `DEVELOPER`: Cognito sends through the account's SES.
    Developer {
        /// `SourceArn`: the verified SES identity, `arn:aws:ses:{region}:{account}:identity/{identity}`.
        source_arn: String,
        /// `From`: the sender shown to users.
        from: String,
    },
}

/// MFA of a user pool, as GetUserPoolMfaConfig reports it and SetUserPoolMfaConfig sets it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MfaSettings {
    /// `MfaConfiguration`.
    pub configuration: MfaConfiguration,
    /// `SoftwareTokenMfaConfiguration.Enabled`: authenticator apps (TOTP).
    pub software_token_enabled: bool,
    /// Whether `SmsMfaConfiguration` is set: text-message codes.
    pub sms_enabled: bool,
    /// Whether `EmailMfaConfiguration` is set: codes by email. Needs the ESSENTIALS plan or higher.
    pub email_enabled: bool,
}

/// `MfaConfiguration` of a user pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum MfaConfiguration {
    /// `OFF`.
    Off,
    /// `ON`: every user must set up a second factor.
    On,
    /// `OPTIONAL`: users choose.
    Optional,
}

impl MfaConfiguration {
    /// Cognito's name for the value.
    pub fn as_str(self) -> &'static str {
        match self {
            MfaConfiguration::Off => "OFF",
            MfaConfiguration::On => "ON",
            MfaConfiguration::Optional => "OPTIONAL",
        }
    }
}

impl fmt::Display for MfaSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} (authenticator apps {}, SMS {}, email {})",
            self.configuration.as_str(),
            on_off(self.software_token_enabled),
            on_off(self.sms_enabled),
            on_off(self.email_enabled)
        )
    }
}

fn on_off(enabled: bool) -> &'static str {
    if enabled { "on" } else { "off" }
}

/// The settings CreateUserPoolClient and UpdateUserPoolClient carry for Credere's one app client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientSettings {
    /// `ClientName`. The client is found by this name among the pool's clients.
    pub name: String,
    /// `GenerateSecret`. Fixed at creation.
    pub generate_secret: bool,
    /// `ExplicitAuthFlows` (`ALLOW_…` names).
    pub explicit_auth_flows: BTreeSet<String>,
    /// `RefreshTokenValidity`, `AccessTokenValidity`, `IdTokenValidity` with their `TokenValidityUnits`.
    pub token_validity: TokenValidity,
    /// `AuthSessionValidity` in minutes (Cognito accepts 3–15).
    pub auth_session_validity_minutes: u32,
    /// `PreventUserExistenceErrors`.
    pub prevent_user_existence_errors: PreventUserExistenceErrors,
    /// `EnableTokenRevocation`.
    pub enable_token_revocation: bool,
}

/// The lifetimes of the tokens an app client issues.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenValidity {
    /// Refresh tokens (Cognito accepts 60 minutes to 3650 days).
    pub refresh: Validity,
    /// Access tokens (Cognito accepts 5 minutes to 1 day).
    pub access: Validity,
    /// ID tokens (Cognito accepts 5 minutes to 1 day).
    pub id: Validity,
}

/// A token lifetime as Cognito stores it: an amount and its unit.
///
/// Two validities are the same setting when they last as long (`30 days` and `720 hours`), which
/// [`Validity::same_duration`] checks; the derived equality compares the representation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Validity {
    /// How many units.
    pub amount: u32,
    /// The unit (`TokenValidityUnits`).
    pub unit: TimeUnit,
}

/// A `TokenValidityUnits` unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TimeUnit {
    /// `seconds`.
    Seconds,
    /// `minutes`.
    Minutes,
    /// `hours`.
    Hours,
    /// `days`.
    Days,
}

impl TimeUnit {
    /// Cognito's name for the unit.
    pub fn as_str(self) -> &'static str {
        match self {
            TimeUnit::Seconds => "seconds",
            TimeUnit::Minutes => "minutes",
            TimeUnit::Hours => "hours",
            TimeUnit::Days => "days",
        }
    }

    fn seconds(self) -> u64 {
        match self {
            TimeUnit::Seconds => 1,
            TimeUnit::Minutes => 60,
            TimeUnit::Hours => 3_600,
            TimeUnit::Days => 86_400,
        }
    }
}

impl Validity {
    /// A lifetime of `amount` minutes.
    pub const fn minutes(amount: u32) -> Self {
        Validity {
            amount,
            unit: TimeUnit::Minutes,
        }
    }

    /// A lifetime of `amount` days.
    pub const fn days(amount: u32) -> Self {
        Validity {
            amount,
            unit: TimeUnit::Days,
        }
    }

    /// The lifetime in seconds, whatever the unit.
    pub fn as_seconds(self) -> u64 {
        u64::from(self.amount) * self.unit.seconds()
    }

    /// Whether both last equally long, whatever their units.
    pub fn same_duration(self, other: Validity) -> bool {
        self.as_seconds() == other.as_seconds()
    }
}

impl fmt::Display for Validity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.amount, self.unit.as_str())
    }
}

/// `PreventUserExistenceErrors` of an app client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum PreventUserExistenceErrors {
    /// `ENABLED`: sign-in and recovery do not reveal whether an address has an account.
    Enabled,
    /// `LEGACY`: they answer `UserNotFoundException`.
    Legacy,
    /// A value Cognito reported that this crate does not know, kept verbatim so a plan shows it.
    /// Only ever observed: a spec holding it fails validation.
    #[serde(untagged)]
    Unrecognised(String),
}

impl PreventUserExistenceErrors {
    /// Cognito's name for the value.
    pub fn as_str(&self) -> &str {
        match self {
            PreventUserExistenceErrors::Enabled => "ENABLED",
            PreventUserExistenceErrors::Legacy => "LEGACY",
            PreventUserExistenceErrors::Unrecognised(value) => value,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(pairs: &[(&str, &str)]) -> Tags {
        pairs
            .iter()
            .map(|(key, value)| ((*key).to_owned(), (*value).to_owned()))
            .collect()
    }

    #[test]
    fn carries_tags_needs_every_wanted_pair_and_ignores_others() {
        let wanted = tags(&[("app", "credere"), ("environment", "production")]);
        assert!(carries_tags(
            &tags(&[("app", "credere"), ("environment", "production"), ("team", "x")]),
            &wanted
        ));
        assert!(!carries_tags(&tags(&[("app", "credere")]), &wanted), "a missing key");
        assert!(
            !carries_tags(&tags(&[("app", "credere"), ("environment", "development")]), &wanted),
            "another value"
        );
        assert!(carries_tags(&tags(&[("team", "x")]), &Tags::new()), "nothing wanted");
    }

    #[test]
    fn with_tags_sets_the_wanted_values_and_keeps_the_others() {
        let merged = with_tags(
            &tags(&[("environment", "development"), ("team", "x")]),
            &tags(&[("app", "credere"), ("environment", "production")]),
        );
        assert_eq!(
            merged,
            tags(&[("app", "credere"), ("environment", "production"), ("team", "x")])
        );
    }

    #[test]
    fn validities_compare_by_duration_across_units() {
        let hours = Validity {
            amount: 720,
            unit: TimeUnit::Hours,
        };
        assert!(Validity::days(30).same_duration(hours));
        assert!(Validity::minutes(60).same_duration(Validity {
            amount: 3_600,
            unit: TimeUnit::Seconds
        }));
        assert!(!Validity::days(30).same_duration(Validity::days(29)));
        assert_eq!(Validity::days(30).to_string(), "30 days");
    }
}
