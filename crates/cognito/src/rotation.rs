//! The plan of an app client secret's rotation, pure: given the secrets the client holds (oldest first) and the
//! secret ID credere-backend's `.env` names, what a start (add a second secret) or a finish (delete every secret
//! but the `.env`'s) does, or why it must not. No call is made here; [`crate::Cognito`] carries the plan out.

use std::fmt;

use pool_spec::Shown;

use crate::ClientSecretInfo;

/// Which half of a rotation a run does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RotationStep {
    /// Add a second secret and hand it to credere-backend's `.env`.
    Start,
    /// Delete every secret but the one the `.env` names.
    Finish,
}

/// What a run of the step will do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RotationPlan {
    /// Start: add a new secret beside `current`, the client's only one.
    Add {
        /// The secret the client holds now, which keeps working until the finish.
        current: ClientSecretInfo,
    },
    /// Finish: keep `kept`, the `.env`'s, and delete the rest.
    Delete {
        /// The secret the `.env` names.
        kept: ClientSecretInfo,
        /// Every other secret, oldest first; never empty.
        deleted: Vec<ClientSecretInfo>,
    },
    /// Finish: the `.env`'s secret is the client's only one.
    NothingToDo {
        /// That secret.
        kept: ClientSecretInfo,
    },
}

impl RotationPlan {
    /// Whether carrying the plan out changes anything in Cognito.
    pub fn changes_anything(&self) -> bool {
        !matches!(self, RotationPlan::NothingToDo { .. })
    }

    /// The plan of `step` for a client holding `secrets` (oldest first) whose `.env` names `env_secret_id`.
    pub fn new(
        step: RotationStep,
        secrets: &[ClientSecretInfo],
        env_secret_id: Option<&str>,
    ) -> Result<RotationPlan, RotationRefusal> {
        let named = env_secret_id.and_then(|id| secrets.iter().find(|secret| secret.id == id));
        match (step, secrets) {
            (_, []) => Err(RotationRefusal::NoSecret),
            // One secret: whatever the `.env` names, a new secret written to it is the fix.
            (RotationStep::Start, [current]) => Ok(RotationPlan::Add {
                current: current.clone(),
            }),
            (RotationStep::Start, [.., older, newer]) => Err(match named {
                Some(named) if named == newer => RotationRefusal::UnderWay {
                    older: older.clone(),
                    newer: newer.clone(),
                },
                Some(named) => RotationRefusal::NewerNotWritten {
                    kept: named.clone(),
                    newer: newer.clone(),
                },
                None => RotationRefusal::EnvNamesNone {
                    secrets: secrets.to_vec(),
                    named: env_secret_id.map(str::to_owned),
                },
            }),
            (RotationStep::Finish, _) => {
                let Some(kept) = named else {
                    return Err(RotationRefusal::EnvNamesNone {
                        secrets: secrets.to_vec(),
                        named: env_secret_id.map(str::to_owned),
                    });
                };
                let deleted: Vec<ClientSecretInfo> =
                    secrets.iter().filter(|secret| secret.id != kept.id).cloned().collect();
                Ok(if deleted.is_empty() {
                    RotationPlan::NothingToDo { kept: kept.clone() }
                } else {
                    RotationPlan::Delete {
                        kept: kept.clone(),
                        deleted,
                    }
                })
            }
        }
    }
}

/// Why a step of the rotation is refused before any change. The messages speak of the client and the `.env`; the
/// command that fixes it is the binary's to add.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RotationRefusal {
    /// The client holds no secret (a public client): there is nothing to rotate.
    #[error("the app client has no secret (a public client), so there is none to rotate; nothing was changed")]
    NoSecret,
    /// A rotation is under way and the `.env` already holds the newer secret.
    #[error(
        "a secret rotation is under way: the app client holds {older} and {newer}, and the .env already names the \
         newer one, {}; nothing was changed",
        Shown(&newer.id)
    )]
    UnderWay {
        /// The secret the rotation replaces.
        older: ClientSecretInfo,
        /// The secret the `.env` holds.
        newer: ClientSecretInfo,
    },
    /// Two secrets, and the `.env` names the older: the newer one's value never reached the `.env` (a run was
    /// killed between adding it and writing the file), so nobody holds it.
    #[error(
        "the app client holds two secrets and the .env names the older one, {kept}: the value of the newer one, \
         {newer}, never reached the .env (a run was stopped between adding it and writing the file), so nothing \
         can use it; nothing was changed"
    )]
    NewerNotWritten {
        /// The secret the `.env` names.
        kept: ClientSecretInfo,
        /// The secret whose value is lost.
        newer: ClientSecretInfo,
    },
    /// The `.env` names none of the client's secrets (or no secret ID at all).
    #[error(
        "the .env's COGNITO_CLIENT_SECRET_ID {} none of the app client's secrets ({}), so which one credere-backend \
         uses is unknown; nothing was changed",
        .named.as_deref().map_or_else(|| "is not set, so it names".to_owned(), |id| format!("`{}` is", Shown(id))),
        .secrets.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
    )]
    EnvNamesNone {
        /// The client's secrets, oldest first.
        secrets: Vec<ClientSecretInfo>,
        /// The ID the `.env` names, if any.
        named: Option<String>,
    },
    /// Cognito does not accept the `.env`'s `COGNITO_CLIENT_SECRET` (the finish never deletes the secret in use).
    #[error(
        "Cognito does not accept the .env's COGNITO_CLIENT_SECRET for the app client (\"Unable to verify secret \
         hash\"), so it is not the value of secret {}, which COGNITO_CLIENT_SECRET_ID names, and credere-backend \
         cannot sign in with it; nothing was deleted",
        Shown(.secret_id)
    )]
    EnvSecretRefused {
        /// The ID the `.env` names.
        secret_id: String,
    },
    /// Cognito did not accept the secret this run added, even after waiting; it was never written anywhere.
    #[error(
        "Cognito did not accept the new secret {} in a sign-in attempt (\"Unable to verify secret hash\"), even \
         after waiting; it was not written to the .env, {}",
        Shown(.secret_id),
        if *.rolled_back { "and it was deleted again" } else { "and deleting it again failed too" }
    )]
    AddedSecretRefused {
        /// The secret added.
        secret_id: String,
        /// Whether it was deleted again.
        rolled_back: bool,
    },
    /// The `.env` lacks a setting the rotation needs to know which client it is for.
    #[error("the .env does not set {key}, which this step needs; nothing was changed")]
    EnvFileIncomplete {
        /// The missing key.
        key: &'static str,
    },
    /// The `.env` is another pool's or client's.
    #[error(
        "the .env's {key} is `{}`, but this environment's is `{}`: it is another environment's file (or a stale \
         one); nothing was changed",
        Shown(.in_file),
        Shown(.found)
    )]
    WrongEnvFile {
        /// The key that differs.
        key: &'static str,
        /// What the file says.
        in_file: String,
        /// What Cognito says.
        found: String,
    },
}

impl fmt::Display for ClientSecretInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.created {
            Some(created) => write!(f, "{} (created {})", Shown(&self.id), Shown(created)),
            None => write!(f, "{}", Shown(&self.id)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret(id: &str) -> ClientSecretInfo {
        ClientSecretInfo {
            id: id.to_owned(),
            created: Some(format!("2026-01-0{}T00:00:00Z", id.len() % 9)),
        }
    }

    fn plan(step: RotationStep, ids: &[&str], named: Option<&str>) -> Result<RotationPlan, RotationRefusal> {
        let secrets: Vec<ClientSecretInfo> = ids.iter().map(|id| secret(id)).collect();
        RotationPlan::new(step, &secrets, named)
    }

    #[test]
    fn a_start_adds_beside_the_only_secret_whatever_the_env_names() {
        for named in [None, Some("c--1"), Some("c--0")] {
            assert_eq!(
                plan(RotationStep::Start, &["c--1"], named),
                Ok(RotationPlan::Add {
                    current: secret("c--1")
                }),
                "{named:?}"
            );
        }
    }

    #[test]
    fn a_start_during_a_rotation_says_where_it_stands() {
        assert_eq!(
            plan(RotationStep::Start, &["c--1", "c--22"], Some("c--22")),
            Err(RotationRefusal::UnderWay {
                older: secret("c--1"),
                newer: secret("c--22")
            })
        );
        assert_eq!(
            plan(RotationStep::Start, &["c--1", "c--22"], Some("c--1")),
            Err(RotationRefusal::NewerNotWritten {
                kept: secret("c--1"),
                newer: secret("c--22")
            })
        );
        for named in [None, Some("c--3")] {
            assert_eq!(
                plan(RotationStep::Start, &["c--1", "c--22"], named),
                Err(RotationRefusal::EnvNamesNone {
                    secrets: vec![secret("c--1"), secret("c--22")],
                    named: named.map(str::to_owned)
                })
            );
        }
    }

    #[test]
    fn a_finish_keeps_the_envs_secret_and_deletes_the_rest() {
        assert_eq!(
            plan(RotationStep::Finish, &["c--1", "c--22"], Some("c--22")),
            Ok(RotationPlan::Delete {
                kept: secret("c--22"),
                deleted: vec![secret("c--1")]
            })
        );
        // After a killed start: the `.env` names the older; the newer, whose value is lost, goes.
        assert_eq!(
            plan(RotationStep::Finish, &["c--1", "c--22"], Some("c--1")),
            Ok(RotationPlan::Delete {
                kept: secret("c--1"),
                deleted: vec![secret("c--22")]
            })
        );
        let done = plan(RotationStep::Finish, &["c--22"], Some("c--22")).unwrap();
        assert_eq!(done, RotationPlan::NothingToDo { kept: secret("c--22") });
        assert!(!done.changes_anything());
    }

    #[test]
    fn a_finish_never_guesses_which_secret_is_in_use() {
        for (ids, named) in [
            (&["c--1", "c--22"][..], None),
            (&["c--1", "c--22"][..], Some("c--3")),
            (&["c--1"][..], None),
            (&["c--1"][..], Some("c--22")),
        ] {
            assert!(
                matches!(
                    plan(RotationStep::Finish, ids, named),
                    Err(RotationRefusal::EnvNamesNone { .. })
                ),
                "{ids:?} {named:?}"
            );
        }
    }

    #[test]
    fn a_public_client_has_nothing_to_rotate() {
        for step in [RotationStep::Start, RotationStep::Finish] {
            assert_eq!(plan(step, &[], Some("c--1")), Err(RotationRefusal::NoSecret));
        }
    }

    #[test]
    fn refusals_name_the_secrets_and_the_env() {
        let message = plan(RotationStep::Start, &["c--1", "c--22"], Some("c--1"))
            .unwrap_err()
            .to_string();
        assert!(
            message.contains("never reached the .env") && message.contains("c--22"),
            "{message}"
        );
        let message = plan(RotationStep::Finish, &["c--1"], None).unwrap_err().to_string();
        assert!(message.contains("is not set"), "{message}");
    }
}
