//! What an import will do, decided from the file, the target pool as read (an export of it) and the database's
//! rows, before anything is written. Pure.
//!
//! A user of the file is the same person as the target's user with the same email (compared ignoring case, as
//! Cognito compares the sign-in email of Credere's pools): that user is adopted, never created again. Nothing
//! tells a user an earlier run created from one someone else made, and nothing needs to: the email is the
//! person's sign-in, so in either case the row that pointed at the old `sub` must point at that user.

use std::collections::{BTreeSet, HashMap};

use cognito::UserStatus;
use pool_spec::Shown;
use serde::Serialize;
use user_export::{Export, Group, User};
use user_model::UserLink;

/// Attributes a file holds that are not sent: `sub` is AWS's (a new pool gives a new one), and `cognito:…` names
/// and `identities` are Cognito's own, which AdminCreateUser refuses.
fn writable(name: &str) -> bool {
    name != "sub" && name != "identities" && !name.starts_with("cognito:")
}

/// The pool a plan writes to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TargetPool {
    /// Its ID.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its region.
    pub region: String,
}

/// One user of the file, and what becomes of it in the target pool.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Move {
    /// Its `Username` (its `sub`) in the source pool: what `credere_user.external_id` held.
    pub old_username: String,
    /// Its email, the target's `Username` as Credere's pools sign in by email.
    pub email: String,
    /// Whether it could sign in; a disabled user is disabled again.
    pub enabled: bool,
    /// Its status in the source pool, e.g. `CONFIRMED`: it does not move (a created user starts in
    /// `FORCE_CHANGE_PASSWORD`, with no password and no authenticator).
    pub old_status: String,
    /// The attributes sent when it is created (every one the file holds but `sub` and Cognito's own).
    pub attributes: Vec<(String, String)>,
    /// Whether it is created, or exists.
    pub target: InTarget,
    /// The groups it is added to (those of the file it is not in yet).
    pub joins: Vec<String>,
}

/// A moved user in the target pool.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum InTarget {
    /// No user of its email: AdminCreateUser (then AdminDisableUser when it was disabled).
    Create,
    /// A user of its email exists: it is that user.
    Exists {
        /// Its `Username` there: the new `external_id`.
        username: String,
        /// Enabled there while the file says disabled: AdminDisableUser.
        disable: bool,
        /// Attributes whose values differ from the file's: kept as the target has them (shown only).
        differing: Vec<String>,
        /// Its status there: once it is `CONFIRMED`, the user has set a password in the target pool.
        status: UserStatus,
    },
}

/// A `credere_user` row, and what becomes of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowMove {
    /// Its id.
    pub id: i32,
    /// Its email, as stored.
    pub email: String,
    /// Its `external_id` now.
    pub external_id: String,
    /// What happens to it.
    pub link: RowLink,
}

/// What happens to a row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum RowLink {
    /// It points at a user of the file: it is pointed at that user in the target pool.
    Relink {
        /// The target's `Username`, or `None` when the user is created by this run.
        to: Option<String>,
        /// The file's user has another email than the row (credere-backend signs in by the row's email): shown.
        file_email: Option<String>,
    },
    /// It already points at a moved user in the target pool (an earlier run relinked it).
    Relinked,
    /// It points at no user of the file: left alone (shown).
    NoUserInFile,
}

/// Everything an import will do, and what it leaves alone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Plan {
    /// The pool the file was exported from.
    pub source: user_export::PoolFacts,
    /// The pool written to.
    pub target: TargetPool,
    /// Every user of the file, in its order.
    pub users: Vec<Move>,
    /// The file's groups the target lacks: CreateGroup.
    pub groups_to_create: Vec<Group>,
    /// Every row, by id.
    pub rows: Vec<RowMove>,
    /// The target's users that are not in the file (by email, else Username): allowed, left alone.
    pub target_only: Vec<String>,
}

/// Why an import cannot be planned. Nothing was written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    /// The target is the pool the file came from.
    #[error(
        "the target pool {} ({}) is the pool the file was exported from: importing would create nothing new and \
         relink every row to the same users; give the new pool (--pool-id ID, or --env with --region)",
        Shown(.id), Shown(.region)
    )]
    SamePool {
        /// The pool ID.
        id: String,
        /// Its region.
        region: String,
    },
    /// A user of the file has no email, which is its `Username` in a pool that signs in by email.
    #[error(
        "user {} of the file has no email: Credere's pools sign in by email, so it cannot be created; remove \
         its line, or give it an email in the source pool and export again",
        Shown(.username)
    )]
    NoEmail {
        /// Its `Username`.
        username: String,
    },
    /// Two users share an email, ignoring case.
    #[error(
        "{} has {} users with the email {} (ignoring case): {}; a pool that signs in by email holds one, so \
         say which is the person by removing the other{}",
        .place, .usernames.len(), Shown(.email),
        .usernames.iter().map(|name| Shown(name).to_string()).collect::<Vec<_>>().join(", "),
        if *.place == "the file" { " from the source pool, then export again" } else { " from the target pool" }
    )]
    SameEmail {
        /// `the file` or `the target pool`.
        place: &'static str,
        /// The email.
        email: String,
        /// The users that have it.
        usernames: Vec<String>,
    },
}

impl Plan {
    /// Plans moving `file`'s users into `target` (an export of the target pool, as it is now), relinking `rows`.
    pub fn build(file: &Export, target: &Export, rows: &[UserLink]) -> Result<Plan, PlanError> {
        let (source, pool) = (&file.header.pool, &target.header.pool);
        if source.id == pool.id && source.region == pool.region {
            return Err(PlanError::SamePool {
                id: pool.id.clone(),
                region: pool.region.clone(),
            });
        }
        if let Some(user) = file.users.iter().find(|user| email(user).is_none()) {
            return Err(PlanError::NoEmail {
                username: user.username.clone(),
            });
        }
        let in_file = by_email(&file.users, "the file")?;
        let in_target = by_email(&target.users, "the target pool")?;
        let target_groups: BTreeSet<&str> = target.header.groups.iter().map(|group| group.name.as_str()).collect();
        let users = file
            .users
            .iter()
            .map(|user| {
                let email = email(user).expect("by_email checked every user's email");
                planned_move(user, email, in_target.get(&email.to_lowercase()).copied())
            })
            .collect::<Vec<_>>();
        let old: HashMap<&str, &Move> = users.iter().map(|moved| (moved.old_username.as_str(), moved)).collect();
        let new: BTreeSet<&str> = users
            .iter()
            .filter_map(|moved| match &moved.target {
                InTarget::Exists { username, .. } => Some(username.as_str()),
                InTarget::Create => None,
            })
            .collect();
        let rows = rows
            .iter()
            .map(|row| RowMove {
                id: row.id,
                email: row.email.clone(),
                external_id: row.external_id.clone(),
                link: match old.get(row.external_id.as_str()) {
                    Some(moved) => RowLink::Relink {
                        to: match &moved.target {
                            InTarget::Exists { username, .. } => Some(username.clone()),
                            InTarget::Create => None,
                        },
                        file_email: (!moved.email.eq_ignore_ascii_case(&row.email)).then(|| moved.email.clone()),
                    },
                    None if new.contains(row.external_id.as_str()) => RowLink::Relinked,
                    None => RowLink::NoUserInFile,
                },
            })
            .collect();
        Ok(Plan {
            source: source.clone(),
            target: TargetPool {
                id: pool.id.clone(),
                name: pool.name.clone(),
                region: pool.region.clone(),
            },
            users,
            groups_to_create: file
                .header
                .groups
                .iter()
                .filter(|group| !target_groups.contains(group.name.as_str()))
                .cloned()
                .collect(),
            rows,
            target_only: target
                .users
                .iter()
                .filter(|user| !in_file.contains_key(&email(user).unwrap_or_default().to_lowercase()))
                .map(|user| email(user).unwrap_or(&user.username).to_owned())
                .collect(),
        })
    }

    /// Whether applying the plan writes anything (Cognito or the database).
    pub fn changes_anything(&self) -> bool {
        !self.groups_to_create.is_empty()
            || self.users.iter().any(Move::writes)
            || self.rows.iter().any(|row| matches!(row.link, RowLink::Relink { .. }))
    }

    /// How many users are created.
    pub fn creates(&self) -> usize {
        self.users
            .iter()
            .filter(|moved| moved.target == InTarget::Create)
            .count()
    }
}

impl Move {
    /// Whether this user needs any call.
    pub fn writes(&self) -> bool {
        match &self.target {
            InTarget::Create => true,
            InTarget::Exists { disable, .. } => *disable || !self.joins.is_empty(),
        }
    }

    /// Its status in the target pool: a user this import creates has no password yet (`FORCE_CHANGE_PASSWORD`).
    pub fn status_in_target(&self) -> UserStatus {
        match &self.target {
            InTarget::Create => UserStatus::ForceChangePassword,
            InTarget::Exists { status, .. } => status.clone(),
        }
    }
}

fn email(user: &User) -> Option<&str> {
    user.attribute("email").filter(|email| !email.is_empty())
}

/// The users that have an email, by that email lower-cased; two with the same are refused.
fn by_email<'a>(users: &'a [User], place: &'static str) -> Result<HashMap<String, &'a User>, PlanError> {
    let mut found: HashMap<String, &User> = HashMap::new();
    for user in users {
        let Some(email) = email(user) else { continue };
        if let Some(other) = found.insert(email.to_lowercase(), user) {
            return Err(PlanError::SameEmail {
                place,
                email: email.to_owned(),
                usernames: vec![other.username.clone(), user.username.clone()],
            });
        }
    }
    Ok(found)
}

fn planned_move(user: &User, email: &str, existing: Option<&User>) -> Move {
    let attributes: Vec<(String, String)> = user
        .attributes
        .iter()
        .filter(|attribute| writable(&attribute.name))
        .filter_map(|attribute| Some((attribute.name.clone(), attribute.value.clone()?)))
        .collect();
    let (target, joins) = match existing {
        None => (InTarget::Create, user.groups.clone()),
        Some(existing) => (
            InTarget::Exists {
                username: existing.username.clone(),
                disable: existing.enabled && !user.enabled,
                differing: attributes
                    .iter()
                    .filter(|(name, value)| existing.attribute(name) != Some(value.as_str()))
                    .map(|(name, _)| name.clone())
                    .collect(),
                status: UserStatus::from(existing.status.as_str()),
            },
            user.groups
                .iter()
                .filter(|group| !existing.groups.contains(group))
                .cloned()
                .collect(),
        ),
    };
    Move {
        old_username: user.username.clone(),
        email: email.to_owned(),
        enabled: user.enabled,
        old_status: user.status.clone(),
        attributes,
        target,
        joins,
    }
}

#[cfg(test)]
mod tests {
    use user_export::{Attribute, Header, PoolFacts};
    use user_model::StoredType;

    use super::*;

    fn pool(id: &str, region: &str) -> PoolFacts {
        PoolFacts {
            id: id.into(),
            name: "credere".into(),
            region: region.into(),
            reported_users: 0,
        }
    }

    fn export(pool: PoolFacts, groups: &[&str], users: Vec<User>) -> Export {
        let spec = pool_spec::development().resolve(None).unwrap();
        Export {
            header: Header {
                tool: "test".into(),
                exported_at: Default::default(),
                pool,
                settings: pool_spec::Observed {
                    pool: spec.pool().clone(),
                    email: spec.email().clone(),
                    mfa: spec.mfa().clone(),
                    tags: spec.tags().clone(),
                    client: None,
                    plan_features: Default::default(),
                },
                groups: groups
                    .iter()
                    .map(|name| Group {
                        name: (*name).into(),
                        description: None,
                        precedence: None,
                        role_arn: None,
                    })
                    .collect(),
            },
            users,
        }
    }

    fn user(username: &str, email: &str, enabled: bool, groups: &[&str]) -> User {
        let attribute = |name: &str, value: &str| Attribute {
            name: name.into(),
            value: Some(value.into()),
        };
        User {
            attributes: vec![
                attribute("sub", username),
                attribute("email", email),
                attribute("email_verified", "true"),
                attribute("cognito:mfa_enabled", "true"),
                Attribute {
                    name: "custom:lender".into(),
                    value: None,
                },
            ],
            groups: groups.iter().map(|group| (*group).into()).collect(),
            ..User::new(username, enabled, "CONFIRMED")
        }
    }

    fn row(id: i32, email: &str, external_id: &str) -> UserLink {
        UserLink {
            id,
            user_type: StoredType::Known(user_model::UserType::Ocp),
            email: email.into(),
            external_id: external_id.into(),
        }
    }

    fn file() -> Export {
        export(
            pool("us-east-1_Old", "us-east-1"),
            &["staff"],
            vec![
                user("old-ada", "ada@example.org", true, &["staff"]),
                user("old-bo", "bo@example.org", false, &[]),
            ],
        )
    }

    fn empty_target() -> Export {
        export(pool("us-east-1_New", "us-east-1"), &[], Vec::new())
    }

    #[test]
    fn into_an_empty_pool_every_user_is_created_with_its_writable_attributes_and_every_row_relinked() {
        let rows = [row(1, "ada@example.org", "old-ada"), row(2, "bo@example.org", "old-bo")];
        let plan = Plan::build(&file(), &empty_target(), &rows).unwrap();
        assert_eq!(plan.creates(), 2);
        assert_eq!(
            plan.users[0].attributes,
            [
                ("email".to_owned(), "ada@example.org".to_owned()),
                ("email_verified".to_owned(), "true".to_owned())
            ],
            "no sub, no cognito: attribute, no attribute without a value"
        );
        assert_eq!(plan.users[0].joins, ["staff"]);
        assert!(!plan.users[1].enabled);
        assert_eq!(plan.groups_to_create.len(), 1);
        assert!(plan.rows.iter().all(|row| row.link
            == RowLink::Relink {
                to: None,
                file_email: None
            }));
        assert!(plan.target_only.is_empty());
        assert!(plan.changes_anything());
    }

    #[test]
    fn after_a_whole_run_nothing_is_left_to_do() {
        let target = export(
            pool("us-east-1_New", "us-east-1"),
            &["staff"],
            vec![
                user("new-ada", "ADA@example.org", true, &["staff"]),
                user("new-bo", "bo@example.org", false, &[]),
            ],
        );
        let rows = [row(1, "ada@example.org", "new-ada"), row(2, "bo@example.org", "new-bo")];
        let plan = Plan::build(&file(), &target, &rows).unwrap();
        assert_eq!(plan.creates(), 0);
        assert!(plan.rows.iter().all(|row| row.link == RowLink::Relinked));
        assert!(!plan.changes_anything(), "{plan:#?}");
    }

    #[test]
    fn after_a_run_cut_short_the_rest_is_finished_and_what_exists_is_adopted() {
        // Ada was created but not added to her group; Bo was created but not disabled; no row was relinked.
        let target = export(
            pool("us-east-1_New", "us-east-1"),
            &["staff"],
            vec![
                user("new-ada", "ada@example.org", true, &[]),
                user("new-bo", "bo@example.org", true, &[]),
            ],
        );
        let rows = [row(1, "ada@example.org", "old-ada"), row(2, "bo@example.org", "old-bo")];
        let plan = Plan::build(&file(), &target, &rows).unwrap();
        assert_eq!(plan.creates(), 0);
        assert!(plan.groups_to_create.is_empty());
        assert_eq!(plan.users[0].joins, ["staff"]);
        assert_eq!(
            plan.users[1].target,
            InTarget::Exists {
                username: "new-bo".into(),
                disable: true,
                differing: Vec::new(),
                status: UserStatus::Confirmed
            }
        );
        assert_eq!(plan.users[1].status_in_target(), UserStatus::Confirmed);
        assert_eq!(
            plan.rows[1].link,
            RowLink::Relink {
                to: Some("new-bo".into()),
                file_email: None
            }
        );
    }

    #[test]
    fn rows_without_a_user_in_the_file_and_users_only_in_the_target_are_shown_and_left_alone() {
        let target = export(
            pool("us-east-1_New", "us-east-1"),
            &[],
            vec![user("new-cy", "cy@example.org", true, &[])],
        );
        let rows = [
            row(7, "zed@example.org", "someone-else"),
            row(8, "cy@example.org", "new-cy"),
        ];
        let plan = Plan::build(&file(), &target, &rows).unwrap();
        assert_eq!(plan.rows[0].link, RowLink::NoUserInFile);
        assert_eq!(plan.rows[1].link, RowLink::NoUserInFile);
        assert_eq!(plan.target_only, ["cy@example.org"]);
    }

    #[test]
    fn a_row_whose_email_differs_from_its_user_in_the_file_is_relinked_by_external_id_and_shown() {
        let rows = [row(1, "ada.lovelace@example.org", "old-ada")];
        let plan = Plan::build(&file(), &empty_target(), &rows).unwrap();
        assert_eq!(plan.users[0].status_in_target(), UserStatus::ForceChangePassword);
        assert_eq!(
            plan.rows[0].link,
            RowLink::Relink {
                to: None,
                file_email: Some("ada@example.org".into())
            }
        );
    }

    #[test]
    fn attributes_that_differ_in_an_existing_user_are_shown_and_kept() {
        let mut existing = user("new-ada", "ada@example.org", true, &["staff"]);
        existing.attributes[2].value = Some("false".into());
        let target = export(pool("us-east-1_New", "us-east-1"), &["staff"], vec![existing]);
        let plan = Plan::build(&file(), &target, &[]).unwrap();
        assert_eq!(
            plan.users[0].target,
            InTarget::Exists {
                username: "new-ada".into(),
                disable: false,
                differing: vec!["email_verified".into()],
                status: UserStatus::Confirmed
            }
        );
        assert!(!plan.users[0].writes());
    }

    #[test]
    fn the_source_pool_is_refused_as_target_but_the_same_id_in_another_region_is_not() {
        let same = export(pool("us-east-1_Old", "us-east-1"), &[], Vec::new());
        let error = Plan::build(&file(), &same, &[]).unwrap_err();
        assert!(matches!(error, PlanError::SamePool { .. }));
        assert!(error.to_string().contains("us-east-1_Old"), "{error}");
        let elsewhere = export(pool("us-east-1_Old", "eu-west-1"), &[], Vec::new());
        assert!(Plan::build(&file(), &elsewhere, &[]).is_ok());
    }

    #[test]
    fn a_user_without_email_or_two_users_of_one_email_are_refused() {
        let mut no_email = file();
        no_email.users[1]
            .attributes
            .retain(|attribute| attribute.name != "email");
        assert_eq!(
            Plan::build(&no_email, &empty_target(), &[]),
            Err(PlanError::NoEmail {
                username: "old-bo".into()
            })
        );
        let mut twice = file();
        twice.users[1] = user("old-ada2", "Ada@example.org", true, &[]);
        let error = Plan::build(&twice, &empty_target(), &[]).unwrap_err();
        assert!(error.to_string().contains("the file has 2 users"), "{error}");
        let target = export(
            pool("us-east-1_New", "us-east-1"),
            &[],
            vec![
                user("a", "x@example.org", true, &[]),
                user("b", "X@example.org", true, &[]),
            ],
        );
        let error = Plan::build(&file(), &target, &[]).unwrap_err();
        assert!(error.to_string().contains("the target pool has 2 users"), "{error}");
    }
}
