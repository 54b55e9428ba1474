//! The pure comparison of a desired state with what Cognito holds: what to create, what to change, and
//! what cannot be changed at all.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::settings::{ClientSettings, EmailConfiguration, MfaSettings, PoolSettings, Tags, carries_tags, with_tags};
use crate::spec::DesiredState;
use crate::text::{list, set, tag_list};

/// What a live pool holds, converted by the `cognito` crate into the spec's shape.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Observed {
    /// From DescribeUserPool.
    pub pool: PoolSettings,
    /// From DescribeUserPool's `EmailConfiguration`.
    pub email: EmailConfiguration,
    /// From GetUserPoolMfaConfig.
    pub mfa: MfaSettings,
    /// From DescribeUserPool's `UserPoolTags`; empty on a pool made by hand.
    pub tags: Tags,
    /// From DescribeUserPoolClient of the client with the spec's name; `None` when the pool has none.
    pub client: Option<ClientSettings>,
}

/// Which whole-state call applies a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ApplyCall {
    /// UpdateUserPool (with the whole pool configuration, tags included).
    UpdateUserPool,
    /// SetUserPoolMfaConfig.
    SetUserPoolMfaConfig,
    /// UpdateUserPoolClient (with the whole client configuration).
    UpdateUserPoolClient,
}

/// One setting that differs and can be changed in place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// Dotted path of the setting (`pool.password_policy.minimum_length`, `client.explicit_auth_flows`,
    /// `pool.mfa`, `pool.tags`); stable, so scripts can match on it.
    pub field: String,
    /// The live value, as text.
    pub current: String,
    /// The spec's value, as text.
    pub desired: String,
    /// The call that applies it.
    #[serde(skip)]
    pub call: ApplyCall,
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {} -> {}", self.field, self.current, self.desired)
    }
}

/// One setting that differs and that Cognito never changes after creation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Conflict {
    /// Dotted path of the setting (`pool.username_attributes`).
    pub field: String,
    /// The live value, as text.
    pub current: String,
    /// The spec's value, as text.
    pub desired: String,
    /// What the maintainer can do about it, in words.
    pub options: String,
}

impl fmt::Display for Conflict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} is {} but the spec says {}. {}",
            self.field, self.current, self.desired, self.options
        )
    }
}

/// What it takes to bring a pool to its desired state.
///
/// Creation and change are exclusive per resource: a pool or client to create has no changes listed, since
/// it is created with the whole desired state. Conflicts mean nothing may be applied.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Plan {
    /// No pool was found: CreateUserPool (without MFA), then SetUserPoolMfaConfig.
    pub create_pool: bool,
    /// The pool has no client with the spec's name: CreateUserPoolClient.
    pub create_client: bool,
    /// Settings to change in place, in a stable order.
    pub changes: Vec<Change>,
    /// Settings that differ and cannot be changed; when any exist, apply nothing.
    pub conflicts: Vec<Conflict>,
}

impl Plan {
    /// Nothing to create, change or refuse: the live pool matches the spec.
    pub fn is_converged(&self) -> bool {
        !self.create_pool && !self.create_client && self.changes.is_empty() && self.conflicts.is_empty()
    }

    /// An existing pool needs UpdateUserPool (sent with the whole desired pool configuration).
    pub fn needs_pool_update(&self) -> bool {
        self.needs(ApplyCall::UpdateUserPool)
    }

    /// An existing pool needs SetUserPoolMfaConfig.
    pub fn needs_mfa_update(&self) -> bool {
        self.needs(ApplyCall::SetUserPoolMfaConfig)
    }

    /// An existing client needs UpdateUserPoolClient (sent with the whole desired client configuration).
    pub fn needs_client_update(&self) -> bool {
        self.needs(ApplyCall::UpdateUserPoolClient)
    }

    fn needs(&self, call: ApplyCall) -> bool {
        self.changes.iter().any(|change| change.call == call)
    }
}

/// Compares `desired` with `observed` (`None` when no pool was found).
///
/// Tags converge when the pool carries every desired tag with its value; other tags are left alone, so an
/// adopted, untagged pool gets a `pool.tags` change rather than a conflict. Token validities compare by
/// duration, so `30 days` matches `720 hours`.
pub fn plan(desired: &DesiredState, observed: Option<&Observed>) -> Plan {
    let Some(observed) = observed else {
        return Plan {
            create_pool: true,
            create_client: true,
            ..Plan::default()
        };
    };
    let mut diff = Diff::default();
    compare_pool(&mut diff, &desired.pool, &observed.pool);
    diff.change(
        ApplyCall::UpdateUserPool,
        "pool.email",
        &observed.email,
        &desired.email,
        |e| e,
    );
    if !carries_tags(&observed.tags, &desired.tags) {
        diff.push(
            ApplyCall::UpdateUserPool,
            "pool.tags",
            tag_list(&observed.tags),
            tag_list(&with_tags(&observed.tags, &desired.tags)),
        );
    }
    diff.change(
        ApplyCall::SetUserPoolMfaConfig,
        "pool.mfa",
        &observed.mfa,
        &desired.mfa,
        |m| m,
    );
    let create_client = match &observed.client {
        Some(client) => {
            compare_client(&mut diff, &desired.client, client);
            false
        }
        None => true,
    };
    Plan {
        create_pool: false,
        create_client,
        changes: diff.changes,
        conflicts: diff.conflicts,
    }
}

fn compare_pool(diff: &mut Diff, desired: &PoolSettings, observed: &PoolSettings) {
    let update = ApplyCall::UpdateUserPool;
    diff.immutable(
        "pool.username_attributes",
        &observed.username_attributes,
        &desired.username_attributes,
        set,
    );
    diff.immutable(
        "pool.case_sensitive_usernames",
        &observed.case_sensitive_usernames,
        &desired.case_sensitive_usernames,
        |b| b,
    );
    diff.immutable(
        "pool.required_attributes",
        &observed.required_attributes,
        &desired.required_attributes,
        set,
    );
    diff.change(update, "pool.name", &observed.name, &desired.name, |n| n);
    diff.change(
        update,
        "pool.auto_verified_attributes",
        &observed.auto_verified_attributes,
        &desired.auto_verified_attributes,
        set,
    );
    let (current, wanted) = (&observed.password_policy, &desired.password_policy);
    for (field, current, wanted) in [
        (
            "pool.password_policy.minimum_length",
            current.minimum_length,
            wanted.minimum_length,
        ),
        (
            "pool.password_policy.temporary_password_validity_days",
            current.temporary_password_validity_days,
            wanted.temporary_password_validity_days,
        ),
    ] {
        diff.change(update, field, &current, &wanted, |n| n);
    }
    for (field, current, wanted) in [
        (
            "pool.password_policy.require_uppercase",
            current.require_uppercase,
            wanted.require_uppercase,
        ),
        (
            "pool.password_policy.require_lowercase",
            current.require_lowercase,
            wanted.require_lowercase,
        ),
        (
            "pool.password_policy.require_numbers",
            current.require_numbers,
            wanted.require_numbers,
        ),
        (
            "pool.password_policy.require_symbols",
            current.require_symbols,
            wanted.require_symbols,
        ),
        (
            "pool.admin_create_user_only",
            observed.admin_create_user_only,
            desired.admin_create_user_only,
        ),
    ] {
        diff.change(update, field, &current, &wanted, |b| b);
    }
    let history = |size: &Option<u32>| size.map_or_else(|| "none".to_owned(), |size| size.to_string());
    diff.change(
        update,
        "pool.password_policy.password_history_size",
        &current.password_history_size,
        &wanted.password_history_size,
        history,
    );
    diff.change(
        update,
        "pool.attributes_require_verification_before_update",
        &observed.attributes_require_verification_before_update,
        &desired.attributes_require_verification_before_update,
        set,
    );
    diff.change(update, "pool.tier", &observed.tier, &desired.tier, |t| t.as_str());
    diff.change(
        update,
        "pool.account_recovery",
        &observed.account_recovery,
        &desired.account_recovery,
        |r| list(r.iter().map(|m| m.as_str())),
    );
    diff.change(
        update,
        "pool.deletion_protection",
        &observed.deletion_protection,
        &desired.deletion_protection,
        |d| d.as_str(),
    );
}

fn compare_client(diff: &mut Diff, desired: &ClientSettings, observed: &ClientSettings) {
    let update = ApplyCall::UpdateUserPoolClient;
    diff.immutable(
        "client.generate_secret",
        &observed.generate_secret,
        &desired.generate_secret,
        |b| b,
    );
    diff.change(update, "client.name", &observed.name, &desired.name, |n| n);
    diff.change(
        update,
        "client.explicit_auth_flows",
        &observed.explicit_auth_flows,
        &desired.explicit_auth_flows,
        set,
    );
    let (current, wanted) = (&observed.token_validity, &desired.token_validity);
    for (field, current, wanted) in [
        ("client.token_validity.refresh", current.refresh, wanted.refresh),
        ("client.token_validity.access", current.access, wanted.access),
        ("client.token_validity.id", current.id, wanted.id),
    ] {
        if !current.same_duration(wanted) {
            diff.push(update, field, current, wanted);
        }
    }
    diff.change(
        update,
        "client.auth_session_validity_minutes",
        &observed.auth_session_validity_minutes,
        &desired.auth_session_validity_minutes,
        |n| n,
    );
    diff.change(
        update,
        "client.prevent_user_existence_errors",
        &observed.prevent_user_existence_errors,
        &desired.prevent_user_existence_errors,
        |p| p.as_str(),
    );
    diff.change(
        update,
        "client.enable_token_revocation",
        &observed.enable_token_revocation,
        &desired.enable_token_revocation,
        |b| b,
    );
}

/// What a fixed-at-creation difference leaves the maintainer to choose from.
fn options(field: &str, current: &str) -> String {
    format!(
        "Cognito never changes {field} after creation, so nothing was applied. Either change the spec in \
         crates/pool-spec to {current} (what exists), or create a new pool and move the users to it \
         (not done by this tool). This tool never deletes or recreates a pool."
    )
}

#[derive(Default)]
struct Diff {
    changes: Vec<Change>,
    conflicts: Vec<Conflict>,
}

impl Diff {
    fn push(&mut self, call: ApplyCall, field: &str, current: impl fmt::Display, desired: impl fmt::Display) {
        self.changes.push(Change {
            field: field.to_owned(),
            current: current.to_string(),
            desired: desired.to_string(),
            call,
        });
    }

    fn change<'a, T: PartialEq + ?Sized, D: fmt::Display>(
        &mut self,
        call: ApplyCall,
        field: &str,
        current: &'a T,
        desired: &'a T,
        show: impl Fn(&'a T) -> D,
    ) {
        if current != desired {
            self.push(call, field, show(current), show(desired));
        }
    }

    fn immutable<'a, T: PartialEq + ?Sized, D: fmt::Display>(
        &mut self,
        field: &str,
        current: &'a T,
        desired: &'a T,
        show: impl Fn(&'a T) -> D,
    ) {
        if current != desired {
            let current = show(current).to_string();
            self.conflicts.push(Conflict {
                field: field.to_owned(),
                options: options(field, &current),
                current,
                desired: show(desired).to_string(),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::{
        DeletionProtection, MfaConfiguration, PreventUserExistenceErrors, RecoveryMechanism, TimeUnit, UserPoolTier,
        Validity,
    };
    use crate::spec::{SES_IDENTITY, development, production, ses_identity_arn};

    fn desired() -> DesiredState {
        production()
            .resolve(Some(&ses_identity_arn("us-east-1", "123456789012", SES_IDENTITY)))
            .unwrap()
    }

    /// A live pool that matches `desired` exactly.
    fn matching(desired: &DesiredState) -> Observed {
        Observed {
            pool: desired.pool.clone(),
            email: desired.email.clone(),
            mfa: desired.mfa.clone(),
            tags: desired.tags.clone(),
            client: Some(desired.client.clone()),
        }
    }

    fn plan_with(edit: impl FnOnce(&mut Observed)) -> Plan {
        let desired = desired();
        let mut observed = matching(&desired);
        edit(&mut observed);
        plan(&desired, Some(&observed))
    }

    fn client(observed: &mut Observed) -> &mut ClientSettings {
        observed.client.as_mut().unwrap()
    }

    #[test]
    fn identical_state_is_converged() {
        for desired in [desired(), development().resolve(None).unwrap()] {
            let plan = plan(&desired, Some(&matching(&desired)));
            assert!(plan.is_converged(), "{plan:?}");
            assert!(!plan.needs_pool_update() && !plan.needs_mfa_update() && !plan.needs_client_update());
        }
    }

    #[test]
    fn no_pool_means_create_everything_and_nothing_else() {
        let plan = plan(&desired(), None);
        assert_eq!(
            plan,
            Plan {
                create_pool: true,
                create_client: true,
                changes: vec![],
                conflicts: vec![]
            }
        );
        assert!(!plan.is_converged());
        assert!(!plan.needs_pool_update() && !plan.needs_mfa_update() && !plan.needs_client_update());
    }

    #[test]
    fn missing_client_means_create_client_only() {
        let plan = plan_with(|o| o.client = None);
        assert!(!plan.create_pool && plan.create_client);
        assert!(plan.changes.is_empty() && plan.conflicts.is_empty());
        assert!(!plan.is_converged());
        assert!(!plan.needs_client_update());
    }

    type Edit = fn(&mut Observed);

    #[test]
    fn each_changeable_difference_is_exactly_that_change_with_its_call() {
        use ApplyCall::{SetUserPoolMfaConfig as Mfa, UpdateUserPool as Pool, UpdateUserPoolClient as Client};
        let cases: Vec<(&str, ApplyCall, Edit)> = vec![
            ("pool.name", Pool, |o| o.pool.name = "credere-old".into()),
            ("pool.auto_verified_attributes", Pool, |o| {
                o.pool.auto_verified_attributes.clear()
            }),
            ("pool.password_policy.minimum_length", Pool, |o| {
                o.pool.password_policy.minimum_length = 8
            }),
            ("pool.password_policy.require_uppercase", Pool, |o| {
                o.pool.password_policy.require_uppercase = true
            }),
            ("pool.password_policy.require_lowercase", Pool, |o| {
                o.pool.password_policy.require_lowercase = true
            }),
            ("pool.password_policy.require_numbers", Pool, |o| {
                o.pool.password_policy.require_numbers = true
            }),
            ("pool.password_policy.require_symbols", Pool, |o| {
                o.pool.password_policy.require_symbols = true
            }),
            ("pool.password_policy.temporary_password_validity_days", Pool, |o| {
                o.pool.password_policy.temporary_password_validity_days = 1;
            }),
            ("pool.admin_create_user_only", Pool, |o| {
                o.pool.admin_create_user_only = false
            }),
            ("pool.account_recovery", Pool, |o| {
                o.pool.account_recovery =
                    vec![RecoveryMechanism::VerifiedEmail, RecoveryMechanism::VerifiedPhoneNumber];
            }),
            ("pool.deletion_protection", Pool, |o| {
                o.pool.deletion_protection = DeletionProtection::Inactive
            }),
            ("pool.deletion_protection", Pool, |o| {
                o.pool.deletion_protection = DeletionProtection::Unrecognised("PENDING".into())
            }),
            ("pool.tier", Pool, |o| o.pool.tier = UserPoolTier::Essentials),
            ("pool.tier", Pool, |o| {
                o.pool.tier = UserPoolTier::Unrecognised("not reported".into())
            }),
            ("pool.password_policy.password_history_size", Pool, |o| {
                o.pool.password_policy.password_history_size = Some(5)
            }),
            ("pool.attributes_require_verification_before_update", Pool, |o| {
                o.pool.attributes_require_verification_before_update.clear()
            }),
            ("pool.email", Pool, |o| o.email = EmailConfiguration::CognitoDefault),
            ("pool.tags", Pool, |o| {
                o.tags.insert("environment".into(), "development".into());
            }),
            ("pool.mfa", Mfa, |o| o.mfa.configuration = MfaConfiguration::Optional),
            ("pool.mfa", Mfa, |o| o.mfa.software_token_enabled = false),
            ("pool.mfa", Mfa, |o| o.mfa.sms_enabled = true),
            ("client.name", Client, |o| client(o).name = "other".into()),
            ("client.explicit_auth_flows", Client, |o| {
                client(o).explicit_auth_flows.remove("ALLOW_USER_PASSWORD_AUTH");
            }),
            ("client.token_validity.refresh", Client, |o| {
                client(o).token_validity.refresh = Validity::days(5)
            }),
            ("client.token_validity.access", Client, |o| {
                client(o).token_validity.access = Validity::minutes(5)
            }),
            ("client.token_validity.id", Client, |o| {
                client(o).token_validity.id = Validity::minutes(5)
            }),
            ("client.auth_session_validity_minutes", Client, |o| {
                client(o).auth_session_validity_minutes = 15
            }),
            ("client.prevent_user_existence_errors", Client, |o| {
                client(o).prevent_user_existence_errors = PreventUserExistenceErrors::Legacy;
            }),
            ("client.enable_token_revocation", Client, |o| {
                client(o).enable_token_revocation = false
            }),
        ];
        for (field, call, edit) in cases {
            let plan = plan_with(edit);
            let fields: Vec<&str> = plan.changes.iter().map(|c| c.field.as_str()).collect();
            assert_eq!(fields, [field], "{plan:?}");
            assert_eq!(plan.changes[0].call, call, "{field}");
            assert_ne!(plan.changes[0].current, plan.changes[0].desired, "{field}");
            assert!(
                plan.conflicts.is_empty() && !plan.create_pool && !plan.create_client,
                "{field}"
            );
            assert!(!plan.is_converged());
            assert_eq!(plan.needs_pool_update(), call == Pool, "{field}");
            assert_eq!(plan.needs_mfa_update(), call == Mfa, "{field}");
            assert_eq!(plan.needs_client_update(), call == Client, "{field}");
        }
    }

    #[test]
    fn each_fixed_at_creation_difference_is_a_conflict_explaining_the_options() {
        let cases: Vec<(&str, Edit)> = vec![
            ("pool.username_attributes", |o| {
                o.pool.username_attributes = ["phone_number".to_owned()].into()
            }),
            ("pool.case_sensitive_usernames", |o| {
                o.pool.case_sensitive_usernames = true
            }),
            ("pool.required_attributes", |o| {
                o.pool.required_attributes.insert("name".into());
            }),
            ("client.generate_secret", |o| client(o).generate_secret = false),
        ];
        for (field, edit) in cases {
            let plan = plan_with(edit);
            assert!(plan.changes.is_empty(), "{plan:?}");
            assert_eq!(plan.conflicts.len(), 1, "{plan:?}");
            let conflict = &plan.conflicts[0];
            assert_eq!(conflict.field, field);
            assert!(!plan.is_converged());
            let text = conflict.to_string();
            for expected in [
                "never changes",
                "change the spec",
                "create a new pool and move the users",
                "never deletes",
            ] {
                assert!(text.contains(expected), "{expected:?} missing from {text}");
            }
            assert!(text.contains(&conflict.current), "{text}");
        }
    }

    #[test]
    fn an_email_sign_in_conflict_names_what_exists() {
        let plan = plan_with(|o| o.pool.username_attributes = ["phone_number".to_owned()].into());
        let conflict = &plan.conflicts[0];
        assert_eq!(
            (conflict.current.as_str(), conflict.desired.as_str()),
            ("[phone_number]", "[email]")
        );
    }

    #[test]
    fn an_untagged_adopted_pool_gets_its_tags_as_a_change() {
        let plan = plan_with(|o| o.tags.clear());
        assert!(plan.conflicts.is_empty());
        assert_eq!(plan.changes.len(), 1);
        let change = &plan.changes[0];
        assert_eq!(change.field, "pool.tags");
        assert_eq!(change.current, "{}");
        assert_eq!(change.desired, "{environment=production, managed-by=credere-cognito}");
        assert!(plan.needs_pool_update());
    }

    #[test]
    fn extra_tags_are_kept_and_do_not_need_a_change() {
        assert!(
            plan_with(|o| {
                o.tags.insert("cost-centre".into(), "credere".into());
            })
            .is_converged()
        );
        let plan = plan_with(|o| {
            o.tags.remove("managed-by");
            o.tags.insert("cost-centre".into(), "credere".into());
        });
        assert_eq!(
            plan.changes[0].desired,
            "{cost-centre=credere, environment=production, managed-by=credere-cognito}"
        );
    }

    #[test]
    fn token_validities_in_other_units_of_the_same_length_are_converged() {
        let plan = plan_with(|o| {
            let validity = &mut client(o).token_validity;
            validity.refresh = Validity {
                amount: 720,
                unit: TimeUnit::Hours,
            };
            validity.access = Validity {
                amount: 1,
                unit: TimeUnit::Hours,
            };
        });
        assert!(plan.is_converged(), "{plan:?}");
    }

    #[test]
    fn several_differences_are_all_listed_with_their_calls() {
        let plan = plan_with(|o| {
            o.pool.password_policy.minimum_length = 8;
            o.mfa.configuration = MfaConfiguration::Off;
            client(o).explicit_auth_flows.clear();
        });
        let fields: Vec<&str> = plan.changes.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "pool.password_policy.minimum_length",
                "pool.mfa",
                "client.explicit_auth_flows"
            ]
        );
        assert!(plan.needs_pool_update() && plan.needs_mfa_update() && plan.needs_client_update());
    }

    #[test]
    fn unknown_live_values_show_verbatim() {
        let plan = plan_with(|o| {
            o.pool.tier = UserPoolTier::Unrecognised("GOLD".into());
            o.pool.password_policy.password_history_size = Some(5);
            client(o).prevent_user_existence_errors = PreventUserExistenceErrors::Unrecognised("STRICT".into());
        });
        let lines: Vec<String> = plan.changes.iter().map(ToString::to_string).collect();
        assert_eq!(
            lines,
            [
                "pool.password_policy.password_history_size: 5 -> none",
                "pool.tier: GOLD -> LITE",
                "client.prevent_user_existence_errors: STRICT -> ENABLED"
            ]
        );
    }

    #[test]
    fn changes_serialise_as_field_current_desired() {
        let plan = plan_with(|o| o.pool.password_policy.minimum_length = 8);
        let json = serde_json::to_value(&plan.changes).unwrap();
        assert_eq!(
            json,
            serde_json::json!([{
                "field": "pool.password_policy.minimum_length",
                "current": "8",
                "desired": "14"
            }])
        );
    }
}
