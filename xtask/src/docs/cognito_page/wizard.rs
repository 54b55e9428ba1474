//! The console's wizard, step by step: how to create a pool by hand, in the console's own words.

use pool_spec::{EmailSpec, MfaConfiguration, PoolSpec, RecoveryMechanism};

use super::per_environment;
use crate::docs::rst::{Page, literal, literals};

/// A console wizard step: its title and the items it asks for.
struct Step {
    title: &'static str,
    items: Vec<Item>,
}

/// One console field: its label and what to do in it, for a given spec.
type Item = (&'static str, fn(&PoolSpec) -> String);

fn wizard() -> Vec<Step> {
    vec![
        Step {
            title: "Configure sign-in experience",
            items: vec![("Cognito user pool sign-in options", |s| {
                check_each(s.pool.username_attributes.iter().map(|a| attribute_label(a)))
            })],
        },
        Step {
            title: "Configure security requirements",
            items: vec![
                ("Password policy mode", |_| "Check \"Custom\"".to_owned()),
                ("Password minimum length", |s| {
                    literal(s.pool.password_policy.minimum_length)
                }),
                ("Password requirements", password_requirements),
                ("Temporary passwords set by administrators expire in", |s| {
                    format!(
                        "{} days",
                        literal(s.pool.password_policy.temporary_password_validity_days)
                    )
                }),
                ("Multi-factor authentication", |s| {
                    let choice = match s.mfa.configuration {
                        MfaConfiguration::On => "Require MFA",
                        MfaConfiguration::Optional => "Optional MFA",
                        MfaConfiguration::Off => "No MFA",
                    };
                    format!("Check \"{choice}\"")
                }),
                ("MFA methods", |s| {
                    let methods = [
                        (s.mfa.software_token_enabled, "Authenticator apps"),
                        (s.mfa.sms_enabled, "SMS message"),
                        (s.mfa.email_enabled, "Email message"),
                    ];
                    check_only(methods)
                }),
                ("User account recovery", |s| {
                    let methods: Vec<&str> = s.pool.account_recovery.iter().map(|m| recovery_label(*m)).collect();
                    format!("Delivery method: {}", quoted_or_none(&methods))
                }),
            ],
        },
        Step {
            title: "Configure sign-up experience",
            items: vec![
                ("Self-registration", |s| {
                    format!("{} \"Enable self-registration\"", check(!s.pool.admin_create_user_only))
                }),
                ("Attributes to verify", |s| {
                    check_each(s.pool.auto_verified_attributes.iter().map(|a| attribute_label(a)))
                }),
                ("Required attributes", |s| {
                    check_each(s.pool.required_attributes.iter().map(|a| attribute_label(a)))
                }),
            ],
        },
        Step {
            title: "Configure message delivery",
            items: vec![
                ("Email provider", |s| match &s.email {
                    EmailSpec::CognitoDefault => "Check \"Send email with Cognito\"".to_owned(),
                    EmailSpec::Developer { .. } => "Check \"Send email with Amazon SES\"".to_owned(),
                }),
                ("FROM email address", |s| match &s.email {
                    EmailSpec::CognitoDefault => "Cognito's default (no-reply@verificationemail.com)".to_owned(),
                    EmailSpec::Developer { ses_identity, .. } => literal(ses_identity),
                }),
                ("FROM sender name", |s| match &s.email {
                    EmailSpec::CognitoDefault => "not available with Cognito's email".to_owned(),
                    EmailSpec::Developer { from, .. } => literal(from),
                }),
            ],
        },
        Step {
            title: "Integrate your app",
            items: vec![
                ("User pool name", |s| literal(&s.pool.name)),
                ("App type", |s| {
                    let kind = if s.client.generate_secret {
                        "Confidential client"
                    } else {
                        "Public client"
                    };
                    format!("Check \"{kind}\"")
                }),
                ("App client name", |s| literal(&s.client.name)),
                ("Client secret", |s| {
                    format!("{} \"Generate a client secret\"", check(s.client.generate_secret))
                }),
                ("Advanced app client settings > Authentication flows", |s| {
                    literals(s.client.explicit_auth_flows.iter())
                }),
            ],
        },
        Step {
            title: "After creating the pool, in its settings",
            items: vec![
                ("Deletion protection", |s| literal(s.pool.deletion_protection.as_str())),
                ("Feature plan", |s| format!("Choose {}", literal(s.pool.tier.as_str()))),
                ("Tags", |s| {
                    literals(s.tags.iter().map(|(key, value)| format!("{key}={value}")))
                }),
            ],
        },
    ]
}

pub(super) fn configuration(page: &mut Page, specs: &[PoolSpec]) {
    page.heading("Configuration", '-');
    page.para(
        0,
        "To create a pool by hand, follow these steps once per environment. The quickest way is one command, \
         described in :ref:`cognito-provision`.",
    );
    page.line(
        0,
        "#. Access `Amazon Cognito <https://console.aws.amazon.com/cognito/v2/idp/user-pools>`__",
    );
    page.line(0, "#. Click the *Create user pool* button");
    page.blank();
    for step in wizard() {
        page.line(3, step.title);
        // Items the environments agree on are written once; only the others go into tabs.
        let same = |(_, value): &&Item| specs.windows(2).all(|pair| value(&pair[0]) == value(&pair[1]));
        let (shared, differing): (Vec<&Item>, Vec<&Item>) = step.items.iter().partition(same);
        let bullets = |items: &[&Item], spec: &PoolSpec| -> Vec<String> {
            items
                .iter()
                .map(|(label, value)| format!("-  **{label}:** {}", value(spec)))
                .collect()
        };
        if let Some(first) = specs.first().filter(|_| !shared.is_empty()) {
            page.lines(6, bullets(&shared, first));
        }
        if !differing.is_empty() {
            per_environment(page, 6, specs, |spec| bullets(&differing, spec));
        }
    }
    page.line(0, "#. Click *Create user pool*");
    page.blank();
}

/// The console's word for a checkbox's state.
pub(super) fn check(checked: bool) -> &'static str {
    if checked { "Check" } else { "Uncheck" }
}

/// `Check "A", "B"`, naming each option in the console's words.
fn check_each<'a>(labels: impl Iterator<Item = &'a str>) -> String {
    let labels: Vec<&str> = labels.collect();
    format!("Check {}", quoted_or_none(&labels))
}

/// Checks the enabled options and says to leave the others unchecked.
fn check_only<const N: usize>(options: [(bool, &str); N]) -> String {
    let checked: Vec<&str> = options.iter().filter(|(on, _)| *on).map(|(_, label)| *label).collect();
    if checked.len() == N {
        format!("Check {}", quoted_or_none(&checked))
    } else {
        format!("Check only {}", quoted_or_none(&checked))
    }
}

fn quoted_or_none(labels: &[&str]) -> String {
    if labels.is_empty() {
        return "none".to_owned();
    }
    labels
        .iter()
        .map(|label| format!("\"{label}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

fn password_requirements(spec: &PoolSpec) -> String {
    let policy = &spec.pool.password_policy;
    let required = [
        (policy.require_numbers, "Contains at least 1 number"),
        (policy.require_symbols, "Contains at least 1 special character"),
        (policy.require_uppercase, "Contains at least 1 uppercase letter"),
        (policy.require_lowercase, "Contains at least 1 lowercase letter"),
    ];
    if required.iter().any(|(on, _)| *on) {
        check_only(required)
    } else {
        "Uncheck all".to_owned()
    }
}

/// The console's label for a standard attribute, or its Cognito name when it has none here.
fn attribute_label(attribute: &str) -> &str {
    match attribute {
        "email" => "Email",
        "phone_number" => "Phone number",
        "preferred_username" => "Preferred user name",
        "name" => "Name",
        other => other,
    }
}

fn recovery_label(mechanism: RecoveryMechanism) -> &'static str {
    match mechanism {
        RecoveryMechanism::VerifiedEmail => "Email only",
        RecoveryMechanism::VerifiedPhoneNumber => "SMS",
        RecoveryMechanism::AdminOnly => "None (administrators reset passwords)",
    }
}
