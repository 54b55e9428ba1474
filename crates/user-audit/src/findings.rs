//! The audit itself: Cognito users and `credere_user` rows in, findings and administrators out. No I/O.

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, SystemTime};

use cognito::{ListedUser, MfaState, UserStatus};
use serde::Serialize;
use user_model::{StoredType, UserLink, UserType};

const DAY: Duration = Duration::from_secs(24 * 60 * 60);

/// What is wrong, one kind per problem a maintainer acts on differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FindingKind {
    /// The row's `external_id` is no `Username` in the pool: the row's owner cannot sign in.
    RowWithoutCognitoUser,
    /// No row has the user's `Username` as its `external_id`: they can sign in but Credere knows them not.
    CognitoUserWithoutRow,
    /// The row's email and the user's `email` attribute differ: sign-in needs them equal.
    EmailMismatch,
    /// Two rows whose emails differ only by case.
    DuplicateEmail,
    /// The Cognito user is disabled and the row is still there.
    DisabledUserWithRow,
    /// `FORCE_CHANGE_PASSWORD` for longer than the pool's temporary password validity.
    ExpiredTemporaryPassword,
    /// `email_verified` is not true, so a password reset cannot reach the user.
    UnverifiedEmail,
    /// The row's `type` is a label of `public.usertype` this tool does not know (neither `OCP` nor `FI`).
    UnknownUserType,
}

impl FindingKind {
    /// The name in reports, e.g. `row-without-cognito-user`.
    pub fn as_str(self) -> &'static str {
        match self {
            FindingKind::RowWithoutCognitoUser => "row-without-cognito-user",
            FindingKind::CognitoUserWithoutRow => "cognito-user-without-row",
            FindingKind::EmailMismatch => "email-mismatch",
            FindingKind::DuplicateEmail => "duplicate-email",
            FindingKind::DisabledUserWithRow => "disabled-user-with-row",
            FindingKind::ExpiredTemporaryPassword => "expired-temporary-password",
            FindingKind::UnverifiedEmail => "unverified-email",
            FindingKind::UnknownUserType => "unknown-user-type",
        }
    }
}

/// One problem, with what identifies it where it exists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// What is wrong.
    pub kind: FindingKind,
    /// The row's email, else the Cognito user's.
    pub email: Option<String>,
    /// The `credere_user` row's id.
    pub row_id: Option<i32>,
    /// The Cognito `Username`.
    pub username: Option<String>,
    /// The specifics, in a sentence.
    pub detail: String,
}

/// An `OCP` row (a Credere administrator) and its Cognito user's state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Admin {
    /// The row's id.
    pub row_id: i32,
    /// The row's email.
    pub email: String,
    /// The row's `external_id`, the Cognito `Username` it points at.
    pub username: String,
    /// The Cognito user, when the pool has one with that `Username`.
    pub cognito: Option<AdminCognito>,
}

impl Admin {
    /// The administrator's Cognito user, listed by the scan, was gone when its MFA was read (deleted while the
    /// audit ran): it has no Cognito state any more, and its row is a [`FindingKind::RowWithoutCognitoUser`].
    pub fn deleted_during_audit(&mut self) -> Finding {
        self.cognito = None;
        Finding {
            kind: FindingKind::RowWithoutCognitoUser,
            email: Some(self.email.clone()),
            row_id: Some(self.row_id),
            username: None,
            detail: format!(
                "row {} points at external_id {}, a user of the pool that was deleted while the audit ran",
                self.row_id, self.username
            ),
        }
    }
}

/// What Cognito says about an administrator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AdminCognito {
    /// `UserStatus`.
    pub status: UserStatus,
    /// Whether the user may sign in.
    pub enabled: bool,
    /// MFA methods set up (`SOFTWARE_TOKEN_MFA` is an authenticator app); empty when none, so the next
    /// sign-in in a pool that requires MFA asks for one.
    pub mfa: Vec<String>,
    /// The preferred MFA method, if any.
    pub preferred_mfa: Option<String>,
}

impl AdminCognito {
    /// Records what AdminGetUser said about the user's MFA.
    pub fn set_mfa(&mut self, mfa: MfaState) {
        self.mfa = mfa.enabled;
        self.preferred_mfa = mfa.preferred;
    }
}

/// What the audit found, before any MFA state is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// Every finding, by kind, then row id, then username.
    pub findings: Vec<Finding>,
    /// Every `OCP` row, by id.
    pub admins: Vec<Admin>,
}

/// Puts findings in the report's order: by kind, then row id, then username.
pub(crate) fn sort(findings: &mut [Finding]) {
    findings.sort_by(|a, b| (a.kind, a.row_id, &a.username).cmp(&(b.kind, b.row_id, &b.username)));
}

/// Compares `users` with `rows`. `validity_days` is the pool's temporary password validity; `now` the time the
/// comparison is about.
pub fn audit(rows: &[UserLink], users: &[ListedUser], validity_days: u32, now: SystemTime) -> Outcome {
    let users_by_name: HashMap<&str, &ListedUser> = users.iter().map(|user| (user.username.as_str(), user)).collect();
    let mut rows_by_user: HashMap<&str, Vec<&UserLink>> = HashMap::new();
    for row in rows {
        rows_by_user.entry(row.external_id.as_str()).or_default().push(row);
    }
    let mut findings = Vec::new();
    let finding = |kind, email: Option<&str>, row_id, username: Option<&str>, detail: String| Finding {
        kind,
        email: email.map(str::to_owned),
        row_id,
        username: username.map(str::to_owned),
        detail,
    };

    for row in rows {
        if let StoredType::Other(label) = &row.user_type {
            findings.push(finding(
                FindingKind::UnknownUserType,
                Some(&row.email),
                Some(row.id),
                Some(&row.external_id)
                    .filter(|id| users_by_name.contains_key(id.as_str()))
                    .map(|id| id.as_str()),
                format!(
                    "row {} has type {label}, which this tool does not know (OCP, FI): it is compared with Cognito \
                     but not listed among the administrators",
                    row.id
                ),
            ));
        }
        let Some(user) = users_by_name.get(row.external_id.as_str()) else {
            findings.push(finding(
                FindingKind::RowWithoutCognitoUser,
                Some(&row.email),
                Some(row.id),
                None,
                format!(
                    "row {} points at external_id {}, which is no user of the pool",
                    row.id, row.external_id
                ),
            ));
            continue;
        };
        if user.email.as_deref() != Some(row.email.as_str()) {
            let detail = match &user.email {
                Some(email) if email.to_lowercase() == row.email.to_lowercase() => {
                    format!("the Cognito email is {email}: they differ only by case")
                }
                Some(email) => format!("the Cognito email is {email}"),
                None => "the Cognito user has no email attribute".to_owned(),
            };
            findings.push(finding(
                FindingKind::EmailMismatch,
                Some(&row.email),
                Some(row.id),
                Some(&user.username),
                detail,
            ));
        }
        if !user.enabled {
            let detail = match &row.user_type {
                StoredType::Known(UserType::Ocp) => {
                    "the Cognito user is disabled; this is an OCP (administrator) row".to_owned()
                }
                StoredType::Known(UserType::Fi) => {
                    "the Cognito user is disabled; this is an FI (lender) row".to_owned()
                }
                StoredType::Other(label) => format!("the Cognito user is disabled; this is a {label} row"),
            };
            findings.push(finding(
                FindingKind::DisabledUserWithRow,
                Some(&row.email),
                Some(row.id),
                Some(&user.username),
                detail,
            ));
        }
    }

    let mut by_folded_email: BTreeMap<String, Vec<&UserLink>> = BTreeMap::new();
    for row in rows {
        by_folded_email.entry(row.email.to_lowercase()).or_default().push(row);
    }
    for same in by_folded_email.values().filter(|same| same.len() > 1) {
        for row in same {
            let others: Vec<String> = same
                .iter()
                .filter(|other| other.id != row.id)
                .map(|other| format!("row {} ({})", other.id, other.email))
                .collect();
            findings.push(finding(
                FindingKind::DuplicateEmail,
                Some(&row.email),
                Some(row.id),
                Some(&row.external_id)
                    .filter(|id| users_by_name.contains_key(id.as_str()))
                    .map(|id| id.as_str()),
                format!("differs only by case from {}", others.join(", ")),
            ));
        }
    }

    let validity = DAY * validity_days;
    for user in users {
        let row = rows_by_user.get(user.username.as_str()).and_then(|rows| rows.first());
        let email = row.map(|row| row.email.as_str()).or(user.email.as_deref());
        let row_id = row.map(|row| row.id);
        if row.is_none() {
            findings.push(finding(
                FindingKind::CognitoUserWithoutRow,
                email,
                None,
                Some(&user.username),
                "no credere_user row has this Username as its external_id".to_owned(),
            ));
        }
        // Not yet replaced the temporary password.
        if user.status == UserStatus::ForceChangePassword {
            let held = user.last_modified.and_then(|since| now.duration_since(since).ok());
            if let Some(held) = held.filter(|held| *held > validity) {
                findings.push(finding(
                    FindingKind::ExpiredTemporaryPassword,
                    email,
                    row_id,
                    Some(&user.username),
                    format!(
                        "FORCE_CHANGE_PASSWORD for {} day(s) at least; the pool's temporary passwords last {validity_days}",
                        held.as_secs() / DAY.as_secs()
                    ),
                ));
            }
        }
        if !user.email_verified {
            findings.push(finding(
                FindingKind::UnverifiedEmail,
                email,
                row_id,
                Some(&user.username),
                "email_verified is not true: a password reset cannot reach this user".to_owned(),
            ));
        }
    }
    sort(&mut findings);

    let admins = rows
        .iter()
        .filter(|row| row.user_type == StoredType::Known(UserType::Ocp))
        .map(|row| Admin {
            row_id: row.id,
            email: row.email.clone(),
            username: row.external_id.clone(),
            cognito: users_by_name.get(row.external_id.as_str()).map(|user| AdminCognito {
                status: user.status.clone(),
                enabled: user.enabled,
                mfa: Vec::new(),
                preferred_mfa: None,
            }),
        })
        .collect();
    Outcome { findings, admins }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: Duration = Duration::from_secs(1_800_000_000);

    fn now() -> SystemTime {
        SystemTime::UNIX_EPOCH + NOW
    }

    fn row(id: i32, user_type: UserType, email: &str, external_id: &str) -> UserLink {
        UserLink {
            id,
            user_type: StoredType::Known(user_type),
            email: email.to_owned(),
            external_id: external_id.to_owned(),
        }
    }

    /// A confirmed, enabled user with a verified email, modified an hour ago.
    fn user(username: &str, email: &str) -> ListedUser {
        ListedUser {
            username: username.to_owned(),
            sub: Some(username.to_owned()),
            email: Some(email.to_owned()),
            email_verified: true,
            enabled: true,
            status: UserStatus::Confirmed,
            last_modified: Some(now() - Duration::from_secs(3600)),
            created: Some(now() - Duration::from_secs(7200)),
            attributes: vec![
                ("sub".to_owned(), Some(username.to_owned())),
                ("email".to_owned(), Some(email.to_owned())),
                ("email_verified".to_owned(), Some("true".to_owned())),
            ],
        }
    }

    fn kinds(outcome: &Outcome) -> Vec<(FindingKind, Option<i32>, Option<&str>)> {
        outcome
            .findings
            .iter()
            .map(|finding| (finding.kind, finding.row_id, finding.username.as_deref()))
            .collect()
    }

    #[test]
    fn a_clean_pool_has_no_findings_and_lists_its_admins() {
        let rows = [
            row(1, UserType::Ocp, "admin@example.org", "u-1"),
            row(2, UserType::Fi, "lender@example.org", "u-2"),
        ];
        let users = [user("u-1", "admin@example.org"), user("u-2", "lender@example.org")];
        let outcome = audit(&rows, &users, 7, now());
        assert_eq!(outcome.findings, []);
        assert_eq!(outcome.admins.len(), 1);
        let admin = &outcome.admins[0];
        assert_eq!(
            (admin.row_id, admin.email.as_str(), admin.username.as_str()),
            (1, "admin@example.org", "u-1")
        );
        let cognito = admin.cognito.as_ref().unwrap();
        assert_eq!((&cognito.status, cognito.enabled), (&UserStatus::Confirmed, true));
    }

    #[test]
    fn an_empty_pool_and_database_have_nothing_to_say() {
        assert_eq!(
            audit(&[], &[], 7, now()),
            Outcome {
                findings: vec![],
                admins: vec![]
            }
        );
    }

    #[test]
    fn a_row_without_its_user_and_a_user_without_a_row() {
        let rows = [row(1, UserType::Ocp, "gone@example.org", "u-gone")];
        let users = [user("u-new", "new@example.org")];
        let outcome = audit(&rows, &users, 7, now());
        assert_eq!(
            kinds(&outcome),
            [
                (FindingKind::RowWithoutCognitoUser, Some(1), None),
                (FindingKind::CognitoUserWithoutRow, None, Some("u-new")),
            ]
        );
        assert_eq!(outcome.findings[0].email.as_deref(), Some("gone@example.org"));
        assert!(outcome.findings[0].detail.contains("u-gone"));
        assert_eq!(outcome.findings[1].email.as_deref(), Some("new@example.org"));
        // The admin's row points nowhere: listed, with no Cognito state.
        assert_eq!(outcome.admins[0].cognito, None);
    }

    #[test]
    fn email_mismatch_says_whether_only_the_case_differs() {
        let rows = [
            row(1, UserType::Fi, "Case@example.org", "u-1"),
            row(2, UserType::Fi, "old@example.org", "u-2"),
            row(3, UserType::Fi, "none@example.org", "u-3"),
        ];
        let mut no_email = user("u-3", "");
        no_email.email = None;
        let users = [
            user("u-1", "case@example.org"),
            user("u-2", "new@example.org"),
            no_email,
        ];
        let outcome = audit(&rows, &users, 7, now());
        assert_eq!(
            kinds(&outcome),
            [
                (FindingKind::EmailMismatch, Some(1), Some("u-1")),
                (FindingKind::EmailMismatch, Some(2), Some("u-2")),
                (FindingKind::EmailMismatch, Some(3), Some("u-3")),
            ]
        );
        assert!(
            outcome.findings[0].detail.contains("only by case"),
            "{}",
            outcome.findings[0].detail
        );
        assert!(!outcome.findings[1].detail.contains("only by case"));
        assert!(outcome.findings[1].detail.contains("new@example.org"));
        assert!(outcome.findings[2].detail.contains("no email"));
    }

    #[test]
    fn duplicate_emails_are_reported_on_each_row_and_exact_duplicates_of_other_text_are_not() {
        let rows = [
            row(1, UserType::Fi, "Twin@example.org", "u-1"),
            row(2, UserType::Fi, "twin@example.org", "u-2"),
            row(3, UserType::Fi, "other@example.org", "u-3"),
        ];
        let users = [
            user("u-1", "Twin@example.org"),
            user("u-2", "twin@example.org"),
            user("u-3", "other@example.org"),
        ];
        let outcome = audit(&rows, &users, 7, now());
        assert_eq!(
            kinds(&outcome),
            [
                (FindingKind::DuplicateEmail, Some(1), Some("u-1")),
                (FindingKind::DuplicateEmail, Some(2), Some("u-2")),
            ]
        );
        assert!(outcome.findings[0].detail.contains("row 2 (twin@example.org)"));
    }

    #[test]
    fn a_disabled_user_with_a_row_calls_out_an_ocp_row() {
        let rows = [
            row(1, UserType::Ocp, "admin@example.org", "u-1"),
            row(2, UserType::Fi, "lender@example.org", "u-2"),
        ];
        let mut admin = user("u-1", "admin@example.org");
        admin.enabled = false;
        let mut lender = user("u-2", "lender@example.org");
        lender.enabled = false;
        let outcome = audit(&rows, &[admin, lender], 7, now());
        assert_eq!(
            kinds(&outcome),
            [
                (FindingKind::DisabledUserWithRow, Some(1), Some("u-1")),
                (FindingKind::DisabledUserWithRow, Some(2), Some("u-2")),
            ]
        );
        assert!(outcome.findings[0].detail.contains("OCP"));
        assert!(!outcome.findings[1].detail.contains("OCP"));
        assert!(!outcome.admins[0].cognito.as_ref().unwrap().enabled);
    }

    #[test]
    fn a_temporary_password_expires_only_after_the_pools_validity() {
        let rows = [
            row(1, UserType::Fi, "old@example.org", "u-old"),
            row(2, UserType::Fi, "fresh@example.org", "u-fresh"),
            row(3, UserType::Fi, "done@example.org", "u-done"),
        ];
        let forced = |username: &str, email: &str, age_days: u64| {
            let mut user = user(username, email);
            user.status = UserStatus::ForceChangePassword;
            user.last_modified = Some(now() - DAY * u32::try_from(age_days).unwrap());
            user
        };
        let mut done = forced("u-done", "done@example.org", 30);
        done.status = UserStatus::Confirmed;
        let users = [
            forced("u-old", "old@example.org", 8),
            forced("u-fresh", "fresh@example.org", 7),
            done,
        ];
        let outcome = audit(&rows, &users, 7, now());
        assert_eq!(
            kinds(&outcome),
            [(FindingKind::ExpiredTemporaryPassword, Some(1), Some("u-old"))]
        );
        assert!(outcome.findings[0].detail.contains("8 day(s)"));
        // With a validity of 0 days, any temporary password that has existed at all has expired.
        let outcome = audit(&rows, &users, 0, now());
        assert_eq!(outcome.findings.len(), 2);
        // A date in the future (clock skew) or none at all proves nothing.
        let mut skewed = forced("u-old", "old@example.org", 0);
        skewed.last_modified = Some(now() + DAY);
        let mut undated = forced("u-fresh", "fresh@example.org", 0);
        undated.last_modified = None;
        assert_eq!(audit(&rows[..2], &[skewed, undated], 0, now()).findings, []);
    }

    #[test]
    fn an_unverified_email_is_reported_with_or_without_a_row() {
        let rows = [row(1, UserType::Fi, "a@example.org", "u-1")];
        let mut with_row = user("u-1", "a@example.org");
        with_row.email_verified = false;
        let mut without_row = user("u-2", "b@example.org");
        without_row.email_verified = false;
        let outcome = audit(&rows, &[with_row, without_row], 7, now());
        assert_eq!(
            kinds(&outcome),
            [
                (FindingKind::CognitoUserWithoutRow, None, Some("u-2")),
                (FindingKind::UnverifiedEmail, None, Some("u-2")),
                (FindingKind::UnverifiedEmail, Some(1), Some("u-1")),
            ]
        );
        assert_eq!(outcome.findings[2].email.as_deref(), Some("a@example.org"));
        assert_eq!(outcome.findings[1].email.as_deref(), Some("b@example.org"));
    }

    #[test]
    fn a_row_of_an_unknown_type_is_a_finding_compared_like_any_row_and_no_admin() {
        let mut auditor = row(5, UserType::Fi, "auditor@example.org", "u-5");
        auditor.user_type = StoredType::Other("AUDITOR".to_owned());
        let mut user = user("u-5", "auditor@example.org");
        user.enabled = false;
        let outcome = audit(&[auditor], &[user], 7, now());
        assert_eq!(
            kinds(&outcome),
            [
                (FindingKind::DisabledUserWithRow, Some(5), Some("u-5")),
                (FindingKind::UnknownUserType, Some(5), Some("u-5")),
            ]
        );
        assert!(outcome.findings[0].detail.contains("AUDITOR"));
        assert!(outcome.findings[1].detail.contains("AUDITOR"));
        assert_eq!(outcome.admins, []);
    }

    #[test]
    fn an_admin_deleted_during_the_audit_loses_its_cognito_state_and_its_row_is_a_finding() {
        let rows = [row(4, UserType::Ocp, "gone@example.org", "u-gone")];
        let mut outcome = audit(&rows, &[user("u-gone", "gone@example.org")], 7, now());
        assert_eq!(outcome.findings, []);
        let finding = outcome.admins[0].deleted_during_audit();
        assert_eq!(outcome.admins[0].cognito, None);
        assert_eq!(
            (finding.kind, finding.row_id, finding.email.as_deref()),
            (FindingKind::RowWithoutCognitoUser, Some(4), Some("gone@example.org"))
        );
        assert!(finding.detail.contains("u-gone"), "{}", finding.detail);
    }

    #[test]
    fn kinds_serialise_as_the_documented_names() {
        for kind in [
            FindingKind::RowWithoutCognitoUser,
            FindingKind::CognitoUserWithoutRow,
            FindingKind::EmailMismatch,
            FindingKind::DuplicateEmail,
            FindingKind::DisabledUserWithRow,
            FindingKind::ExpiredTemporaryPassword,
            FindingKind::UnverifiedEmail,
            FindingKind::UnknownUserType,
        ] {
            assert_eq!(
                serde_json::to_value(kind).unwrap(),
                serde_json::Value::String(kind.as_str().to_owned())
            );
        }
    }
}
