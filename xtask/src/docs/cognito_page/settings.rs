//! The settings tables: every setting as the Cognito API names it, grouped by where the console sets it.

use pool_spec::{
    Bracketed, ClientSettings, EmailSpec, MfaSettings, PasswordPolicy, PoolSettings, PoolSpec, TokenValidity,
};

use super::per_environment;
use crate::docs::rst::{Page, list_table, literal, literals};

/// Where a setting is chosen in the console; the settings table is split by it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Console {
    Wizard,
    Silent,
    AfterCreation,
}

impl Console {
    /// In the order a maintainer meets them.
    const ALL: [Console; 3] = [Console::Wizard, Console::Silent, Console::AfterCreation];

    /// The caption of the table of the settings chosen here.
    fn caption(self) -> &'static str {
        match self {
            Console::Wizard => "Chosen in the console's wizard",
            Console::Silent => "Set silently by the wizard",
            Console::AfterCreation => "Set after the pool is created",
        }
    }
}

/// One row of an environment's settings: what it is, its Cognito parameter, its value, where the console sets it.
struct Row {
    setting: &'static str,
    parameter: &'static str,
    value: String,
    console: Console,
}

/// The rows of an environment's settings tables.
fn rows(spec: &PoolSpec) -> Vec<Row> {
    // Destructured without `..`: a new setting does not compile until it has a row here.
    let PoolSpec {
        environment: _,
        pool,
        email,
        mfa,
        tags,
        client,
        admin: _,
    } = spec;
    let PoolSettings {
        name,
        username_attributes,
        case_sensitive_usernames,
        required_attributes,
        auto_verified_attributes,
        password_policy,
        admin_create_user_only,
        account_recovery,
        deletion_protection,
        tier,
        attributes_require_verification_before_update,
    } = pool;
    let PasswordPolicy {
        minimum_length,
        require_uppercase,
        require_lowercase,
        require_numbers,
        require_symbols,
        temporary_password_validity_days,
        password_history_size,
    } = password_policy;
    let MfaSettings {
        configuration,
        software_token_enabled,
        sms_enabled,
        email_enabled,
    } = mfa;
    let ClientSettings {
        name: client_name,
        generate_secret,
        explicit_auth_flows,
        token_validity: TokenValidity { refresh, access, id },
        auth_session_validity_minutes,
        prevent_user_existence_errors,
        enable_token_revocation,
    } = client;
    let mut rows: Vec<(&str, &str, String, Console)> = vec![
        ("Pool name", "PoolName", literal(name), Console::Wizard),
        (
            "Sign-in with",
            "UsernameAttributes",
            literal(Bracketed::new(username_attributes)),
            Console::Wizard,
        ),
        (
            "Case-sensitive usernames",
            "UsernameConfiguration.CaseSensitive",
            literal(case_sensitive_usernames),
            Console::Silent,
        ),
        (
            "Required attributes",
            "Schema (Required)",
            literal(Bracketed::new(required_attributes)),
            Console::Silent,
        ),
        (
            "Auto-verified attributes",
            "AutoVerifiedAttributes",
            literal(Bracketed::new(auto_verified_attributes)),
            Console::Silent,
        ),
        (
            "Password minimum length",
            "PasswordPolicy.MinimumLength",
            literal(minimum_length),
            Console::Wizard,
        ),
        (
            "Require uppercase",
            "PasswordPolicy.RequireUppercase",
            literal(require_uppercase),
            Console::Wizard,
        ),
        (
            "Require lowercase",
            "PasswordPolicy.RequireLowercase",
            literal(require_lowercase),
            Console::Wizard,
        ),
        (
            "Require numbers",
            "PasswordPolicy.RequireNumbers",
            literal(require_numbers),
            Console::Wizard,
        ),
        (
            "Require symbols",
            "PasswordPolicy.RequireSymbols",
            literal(require_symbols),
            Console::Wizard,
        ),
        (
            "Temporary password validity (days)",
            "PasswordPolicy.TemporaryPasswordValidityDays",
            literal(temporary_password_validity_days),
            Console::Wizard,
        ),
        (
            "Previous passwords that cannot be reused",
            "PasswordPolicy.PasswordHistorySize",
            password_history_size.map_or_else(|| "not set".to_owned(), literal),
            Console::Wizard,
        ),
        (
            "A new email takes effect once verified",
            "UserAttributeUpdateSettings.AttributesRequireVerificationBeforeUpdate",
            literal(Bracketed::new(attributes_require_verification_before_update)),
            Console::Silent,
        ),
        (
            "MFA",
            "MfaConfiguration",
            literal(configuration.as_str()),
            Console::Wizard,
        ),
        (
            "Authenticator apps (TOTP)",
            "SoftwareTokenMfaConfiguration.Enabled",
            literal(software_token_enabled),
            Console::Wizard,
        ),
        ("SMS MFA", "SmsMfaConfiguration", literal(sms_enabled), Console::Wizard),
        (
            "Email MFA",
            "EmailMfaConfiguration",
            literal(email_enabled),
            Console::Wizard,
        ),
        (
            "Only administrators create users",
            "AdminCreateUserConfig.AllowAdminCreateUserOnly",
            literal(admin_create_user_only),
            Console::Wizard,
        ),
        (
            "Account recovery",
            "AccountRecoverySetting.RecoveryMechanisms",
            literal(Bracketed::new(account_recovery.iter().map(|m| m.as_str()))),
            Console::Silent,
        ),
    ];
    match &email {
        EmailSpec::CognitoDefault => {
            rows.push((
                "Email sending",
                "EmailConfiguration.EmailSendingAccount",
                literal("COGNITO_DEFAULT"),
                Console::Wizard,
            ));
        }
        EmailSpec::Developer { ses_identity, from } => {
            rows.extend([
                (
                    "Email sending",
                    "EmailConfiguration.EmailSendingAccount",
                    literal("DEVELOPER"),
                    Console::Wizard,
                ),
                (
                    "SES identity",
                    "EmailConfiguration.SourceArn",
                    // The ARN itself is wider than the column; the provision section shows its form.
                    format!(
                        "the ARN of the SES identity {} in the pool's account and region",
                        literal(ses_identity)
                    ),
                    Console::Wizard,
                ),
                ("Sender", "EmailConfiguration.From", literal(from), Console::Wizard),
            ]);
        }
    }
    rows.extend([
        (
            "Deletion protection",
            "DeletionProtection",
            literal(deletion_protection.as_str()),
            Console::AfterCreation,
        ),
        (
            "Feature plan",
            "UserPoolTier",
            literal(tier.as_str()),
            Console::AfterCreation,
        ),
        (
            "Tags",
            "UserPoolTags",
            literals(tags.iter().map(|(k, v)| format!("{k}={v}"))),
            Console::AfterCreation,
        ),
        ("App client name", "ClientName", literal(client_name), Console::Wizard),
        (
            "Client secret",
            "GenerateSecret",
            literal(generate_secret),
            Console::Wizard,
        ),
        (
            "Authentication flows",
            "ExplicitAuthFlows",
            literals(explicit_auth_flows.iter()),
            Console::Wizard,
        ),
        (
            "Refresh token validity",
            "RefreshTokenValidity",
            literal(refresh),
            Console::Silent,
        ),
        (
            "Access token validity",
            "AccessTokenValidity",
            literal(access),
            Console::Silent,
        ),
        ("ID token validity", "IdTokenValidity", literal(id), Console::Silent),
        (
            "Authentication session validity (minutes)",
            "AuthSessionValidity",
            literal(auth_session_validity_minutes),
            Console::Silent,
        ),
        (
            "Prevent user existence errors",
            "PreventUserExistenceErrors",
            literal(prevent_user_existence_errors.as_str()),
            Console::Silent,
        ),
        (
            "Token revocation",
            "EnableTokenRevocation",
            literal(enable_token_revocation),
            Console::Silent,
        ),
    ]);
    rows.into_iter()
        .map(|(setting, parameter, value, console)| Row {
            setting,
            parameter,
            value,
            console,
        })
        .collect()
}

/// A Cognito parameter as the table shows it: a nested one as ```Member`` in ``Parent```, so that the cell can
/// wrap between the two (a literal never wraps, and the longest paths are wider than Credere's content column).
fn parameter(path: &str) -> String {
    match path.rsplit_once('.') {
        Some((parent, member)) => format!("{} in {}", literal(member), literal(parent)),
        None => literal(path),
    }
}

/// The settings as the Cognito API names them, one two-column table per place the console sets them: a wider
/// table would not fit the content column of Credere's documentation theme (furo), which would scroll it.
pub(super) fn tables(page: &mut Page, specs: &[PoolSpec]) {
    page.heading("Settings", '~');
    page.para(
        0,
        "The same settings as the Cognito API names them, grouped by where the console sets them: in its wizard, \
         silently (the wizard sets them without asking; the specs state them explicitly), or after the pool is \
         created.",
    );
    per_environment(page, 0, specs, |spec| {
        let rows = rows(spec);
        let header = vec![
            vec!["Setting and Cognito parameter".to_owned()],
            vec!["Value".to_owned()],
        ];
        Console::ALL
            .into_iter()
            .flat_map(|console| {
                let cells = rows.iter().filter(|row| row.console == console).map(|row| {
                    vec![
                        vec![row.setting.to_owned(), String::new(), parameter(row.parameter)],
                        vec![row.value.clone()],
                    ]
                });
                list_table(
                    console.caption(),
                    &[":widths: auto"],
                    std::iter::once(header.clone()).chain(cells),
                )
            })
            .collect()
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_nested_parameter_is_written_so_that_its_cell_can_wrap() {
        assert_eq!(
            parameter("UserAttributeUpdateSettings.AttributesRequireVerificationBeforeUpdate"),
            "``AttributesRequireVerificationBeforeUpdate`` in ``UserAttributeUpdateSettings``"
        );
        assert_eq!(parameter("PoolName"), "``PoolName``");
    }
}
