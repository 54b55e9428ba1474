//! Checks a spec against Cognito's documented limits before anything is sent, reporting every violation.

use std::fmt;

use crate::settings::{DeletionProtection, PreventUserExistenceErrors, UserPoolTier, Validity};
use crate::spec::PoolSpec;

/// A spec that breaks one or more of Cognito's limits.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct SpecError {
    /// Every limit the spec breaks, in the order the fields appear in the spec.
    pub violations: Vec<Violation>,
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the spec breaks {} of Cognito's limits; fix the spec:",
            self.violations.len()
        )?;
        for violation in &self.violations {
            write!(f, "\n  - {violation}")?;
        }
        Ok(())
    }
}

/// One broken limit: which field, its value and what Cognito accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// Dotted path of the field, as in plans (`pool.password_policy.minimum_length`).
    pub field: String,
    /// The offending value, as text.
    pub value: String,
    /// What Cognito accepts (`6–99`).
    pub allowed: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} is {}; Cognito accepts {}", self.field, self.value, self.allowed)
    }
}

/// The `ExplicitAuthFlows` values an app client accepts (the `ALLOW_` family; the legacy names are not
/// mixed with them).
pub const AUTH_FLOWS: [&str; 6] = [
    "ALLOW_ADMIN_USER_PASSWORD_AUTH",
    "ALLOW_CUSTOM_AUTH",
    "ALLOW_USER_PASSWORD_AUTH",
    "ALLOW_USER_SRP_AUTH",
    "ALLOW_REFRESH_TOKEN_AUTH",
    "ALLOW_USER_AUTH",
];

/// Schema attributes Cognito itself defines and requires in every pool (Developer Guide, user attributes:
/// "Except for sub, standard attributes are optional by default"). DescribeUserPool reports `sub` as
/// `Required`, but it is AWS's, never the spec's: the comparison of required attributes leaves them out.
pub const AWS_OWNED_ATTRIBUTES: [&str; 1] = ["sub"];

const NAME_PATTERN: &str = "1–128 characters matching [\\w\\s+=,.@-]+";

impl PoolSpec {
    /// Checks every field that Cognito limits and returns all violations at once.
    pub fn validate(&self) -> Result<(), SpecError> {
        let mut check = Checker::default();
        check.name("pool.name", &self.pool.name);
        for attribute in &self.pool.required_attributes {
            if AWS_OWNED_ATTRIBUTES.contains(&attribute.as_str()) {
                check.fail(
                    "pool.required_attributes",
                    attribute,
                    "standard attributes other than sub (Cognito makes sub required in every pool itself)",
                );
            }
        }
        let policy = &self.pool.password_policy;
        check.range("pool.password_policy.minimum_length", policy.minimum_length, 6, 99);
        check.range(
            "pool.password_policy.temporary_password_validity_days",
            policy.temporary_password_validity_days,
            0,
            365,
        );
        if let Some(size) = policy.password_history_size {
            check.range("pool.password_policy.password_history_size", size, 0, 24);
            if !self.pool.tier.includes(&UserPoolTier::Essentials) {
                check.fail(
                    "pool.password_policy.password_history_size",
                    size,
                    &format!(
                        "none on the {} plan (it needs ESSENTIALS or PLUS)",
                        self.pool.tier.as_str()
                    ),
                );
            }
        }
        if self.mfa.email_enabled && !self.pool.tier.includes(&UserPoolTier::Essentials) {
            check.fail(
                "pool.mfa.email_enabled",
                true,
                &format!(
                    "false on the {} plan (email MFA needs ESSENTIALS or PLUS)",
                    self.pool.tier.as_str()
                ),
            );
        }
        // Values only Cognito can report, never ones a spec may ask for.
        if let UserPoolTier::Unrecognised(tier) = &self.pool.tier {
            check.fail("pool.tier", tier, "LITE, ESSENTIALS, PLUS");
        }
        if let DeletionProtection::Unrecognised(value) = &self.pool.deletion_protection {
            check.fail("pool.deletion_protection", value, "ACTIVE, INACTIVE");
        }
        if let PreventUserExistenceErrors::Unrecognised(value) = &self.client.prevent_user_existence_errors {
            check.fail("client.prevent_user_existence_errors", value, "ENABLED, LEGACY");
        }
        for (key, value) in &self.tags {
            check.length("pool.tags (key)", key, 1, 128);
            check.length(&format!("pool.tags.{key}"), value, 0, 256);
        }
        check.name("client.name", &self.client.name);
        for flow in &self.client.explicit_auth_flows {
            if !AUTH_FLOWS.contains(&flow.as_str()) {
                check.fail("client.explicit_auth_flows", flow, &AUTH_FLOWS.join(", "));
            }
        }
        let tokens = &self.client.token_validity;
        let short = (Validity::minutes(5), Validity::days(1));
        for (field, value, (min, max)) in [
            (
                "client.token_validity.refresh",
                tokens.refresh,
                (Validity::minutes(60), Validity::days(3650)),
            ),
            ("client.token_validity.access", tokens.access, short),
            ("client.token_validity.id", tokens.id, short),
        ] {
            check.validity(field, value, min, max);
        }
        check.range(
            "client.auth_session_validity_minutes",
            self.client.auth_session_validity_minutes,
            3,
            15,
        );
        if check.violations.is_empty() {
            Ok(())
        } else {
            Err(SpecError {
                violations: check.violations,
            })
        }
    }
}

#[derive(Default)]
struct Checker {
    violations: Vec<Violation>,
}

impl Checker {
    fn fail(&mut self, field: &str, value: impl fmt::Display, allowed: &str) {
        self.violations.push(Violation {
            field: field.to_owned(),
            value: value.to_string(),
            allowed: allowed.to_owned(),
        });
    }

    fn range(&mut self, field: &str, value: u32, min: u32, max: u32) {
        if !(min..=max).contains(&value) {
            self.fail(field, value, &format!("{min}–{max}"));
        }
    }

    fn length(&mut self, field: &str, value: &str, min: usize, max: usize) {
        if !(min..=max).contains(&value.chars().count()) {
            self.fail(field, format!("{value:?}"), &format!("{min}–{max} characters"));
        }
    }

    /// Pool and client names: 1–128 characters of `[\w\s+=,.@-]`, with `\w` and `\s` as ASCII classes.
    fn name(&mut self, field: &str, value: &str) {
        let allowed_char =
            |c: char| c.is_ascii_alphanumeric() || c == '_' || c.is_ascii_whitespace() || "+=,.@-".contains(c);
        let length = value.chars().count();
        if !(1..=128).contains(&length) || !value.chars().all(allowed_char) {
            self.fail(field, format!("{value:?}"), NAME_PATTERN);
        }
    }

    fn validity(&mut self, field: &str, value: Validity, min: Validity, max: Validity) {
        if !(min.as_seconds()..=max.as_seconds()).contains(&value.as_seconds()) {
            self.fail(field, value, &format!("{min} to {max}"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::TimeUnit;
    use crate::spec::{development, production};

    /// The fields named by the violations of `spec`, or none when it is valid.
    fn violated(edit: impl FnOnce(&mut PoolSpec)) -> Vec<String> {
        let mut spec = development();
        edit(&mut spec);
        match spec.validate() {
            Ok(()) => Vec::new(),
            Err(error) => error.violations.into_iter().map(|v| v.field).collect(),
        }
    }

    #[test]
    fn built_in_specs_are_valid() {
        production().validate().unwrap();
        development().validate().unwrap();
    }

    #[test]
    fn password_minimum_length_is_6_to_99() {
        let field = "pool.password_policy.minimum_length";
        for (length, ok) in [(5, false), (6, true), (99, true), (100, false)] {
            let fields = violated(|s| s.pool.password_policy.minimum_length = length);
            assert_eq!(fields.is_empty(), ok, "length {length}: {fields:?}");
            assert!(ok || fields == [field]);
        }
    }

    #[test]
    fn password_history_is_0_to_24_and_needs_essentials_or_plus() {
        let field = "pool.password_policy.password_history_size";
        for (tier, size, violations) in [
            (UserPoolTier::Lite, None, 0),
            (UserPoolTier::Lite, Some(0), 1),
            (UserPoolTier::Essentials, Some(0), 0),
            (UserPoolTier::Essentials, Some(24), 0),
            (UserPoolTier::Plus, Some(25), 1),
            (UserPoolTier::Lite, Some(25), 2),
        ] {
            let fields = violated(|s| {
                s.pool.tier = tier.clone();
                s.pool.password_policy.password_history_size = size;
            });
            assert_eq!(fields.len(), violations, "{tier:?} {size:?}: {fields:?}");
            assert!(fields.iter().all(|f| f == field), "{fields:?}");
        }
    }

    #[test]
    fn email_mfa_needs_essentials_or_plus() {
        for (tier, ok) in [
            (UserPoolTier::Lite, false),
            (UserPoolTier::Essentials, true),
            (UserPoolTier::Plus, true),
        ] {
            let fields = violated(|s| {
                s.pool.tier = tier.clone();
                s.mfa.email_enabled = true;
            });
            assert_eq!(fields.is_empty(), ok, "{tier:?}: {fields:?}");
            assert!(ok || fields == ["pool.mfa.email_enabled"], "{fields:?}");
        }
    }

    #[test]
    fn sub_is_cognitos_and_never_a_required_attribute_of_the_spec() {
        assert_eq!(
            violated(|s| {
                s.pool.required_attributes.insert("sub".into());
            }),
            ["pool.required_attributes"]
        );
        assert!(
            violated(|s| {
                s.pool.required_attributes.insert("name".into());
            })
            .is_empty()
        );
    }

    #[test]
    fn a_spec_cannot_ask_for_a_value_only_cognito_can_report() {
        let fields = violated(|s| {
            s.pool.tier = UserPoolTier::Unrecognised("GOLD".into());
            s.pool.deletion_protection = DeletionProtection::Unrecognised("MAYBE".into());
            s.client.prevent_user_existence_errors = PreventUserExistenceErrors::Unrecognised("SOMETIMES".into());
        });
        assert_eq!(
            fields,
            [
                "pool.tier",
                "pool.deletion_protection",
                "client.prevent_user_existence_errors"
            ]
        );
    }

    #[test]
    fn temporary_password_validity_is_0_to_365_days() {
        let field = "pool.password_policy.temporary_password_validity_days";
        for (days, ok) in [(0, true), (365, true), (366, false)] {
            let fields = violated(|s| s.pool.password_policy.temporary_password_validity_days = days);
            assert_eq!(fields.is_empty(), ok, "days {days}: {fields:?}");
            assert!(ok || fields == [field]);
        }
    }

    #[test]
    fn pool_and_client_names_are_1_to_128_allowed_characters() {
        let cases = [
            (String::new(), false),
            ("a".to_owned(), true),
            ("a".repeat(128), true),
            ("a".repeat(129), false),
            ("credere_prod 2+=,.@-".to_owned(), true),
            ("credere/prod".to_owned(), false),
            ("crédere".to_owned(), false),
        ];
        for (name, ok) in cases {
            let pool = violated(|s| s.pool.name.clone_from(&name));
            assert_eq!(pool.is_empty(), ok, "pool name {name:?}");
            assert!(ok || pool == ["pool.name"]);
            let client = violated(|s| s.client.name.clone_from(&name));
            assert_eq!(client.is_empty(), ok, "client name {name:?}");
            assert!(ok || client == ["client.name"]);
        }
    }

    #[test]
    fn tag_keys_are_1_to_128_and_values_0_to_256_characters() {
        for (key, ok) in [
            (String::new(), false),
            ("k".to_owned(), true),
            ("k".repeat(128), true),
            ("k".repeat(129), false),
        ] {
            let fields = violated(|s| {
                s.tags.insert(key.clone(), "v".to_owned());
            });
            assert_eq!(fields.is_empty(), ok, "key of {} characters", key.len());
            assert!(ok || fields == ["pool.tags (key)"]);
        }
        for (value, ok) in [(String::new(), true), ("v".repeat(256), true), ("v".repeat(257), false)] {
            let fields = violated(|s| {
                s.tags.insert("owner".to_owned(), value.clone());
            });
            assert_eq!(fields.is_empty(), ok, "value of {} characters", value.len());
            assert!(ok || fields == ["pool.tags.owner"]);
        }
    }

    #[test]
    fn token_validities_are_within_cognitos_ranges() {
        let hours = |amount| Validity {
            amount,
            unit: TimeUnit::Hours,
        };
        let refresh = [
            (Validity::minutes(59), false),
            (Validity::minutes(60), true),
            (Validity::days(3650), true),
            (Validity::days(3651), false),
        ];
        for (validity, ok) in refresh {
            let fields = violated(|s| s.client.token_validity.refresh = validity);
            assert_eq!(fields.is_empty(), ok, "refresh {validity}");
            assert!(ok || fields == ["client.token_validity.refresh"]);
        }
        let short = [
            (Validity::minutes(4), false),
            (Validity::minutes(5), true),
            (hours(24), true),
            (Validity::minutes(24 * 60 + 1), false),
        ];
        for (validity, ok) in short {
            let access = violated(|s| s.client.token_validity.access = validity);
            assert_eq!(access.is_empty(), ok, "access {validity}");
            assert!(ok || access == ["client.token_validity.access"]);
            let id = violated(|s| s.client.token_validity.id = validity);
            assert_eq!(id.is_empty(), ok, "id {validity}");
            assert!(ok || id == ["client.token_validity.id"]);
        }
    }

    #[test]
    fn auth_session_validity_is_3_to_15_minutes() {
        for (minutes, ok) in [(2, false), (3, true), (15, true), (16, false)] {
            let fields = violated(|s| s.client.auth_session_validity_minutes = minutes);
            assert_eq!(fields.is_empty(), ok, "{minutes} minutes");
            assert!(ok || fields == ["client.auth_session_validity_minutes"]);
        }
    }

    #[test]
    fn auth_flows_must_be_known_allow_values() {
        let fields = violated(|s| {
            s.client.explicit_auth_flows.insert("USER_PASSWORD_AUTH".to_owned());
        });
        assert_eq!(fields, ["client.explicit_auth_flows"]);
    }

    #[test]
    fn reports_every_violation_at_once_naming_field_value_and_range() {
        let mut spec = production();
        spec.pool.password_policy.minimum_length = 5;
        spec.pool.password_policy.temporary_password_validity_days = 400;
        spec.pool.name = String::new();
        spec.client.auth_session_validity_minutes = 20;
        let error = spec.validate().unwrap_err();
        assert_eq!(error.violations.len(), 4);
        let message = error.to_string();
        for expected in [
            "the spec breaks 4 of Cognito's limits",
            "pool.password_policy.minimum_length is 5; Cognito accepts 6–99",
            "pool.password_policy.temporary_password_validity_days is 400; Cognito accepts 0–365",
            "pool.name is \"\"; Cognito accepts 1–128 characters",
            "client.auth_session_validity_minutes is 20; Cognito accepts 3–15",
        ] {
            assert!(message.contains(expected), "{expected:?} missing from:\n{message}");
        }
    }
}
