//! An app client's secrets. A confidential client holds one, or two while a rotation is under way
//! (AddUserPoolClientSecret). ListUserPoolClientSecrets tells which exist (IDs and dates, never values);
//! DescribeUserPoolClient shows only the original secret, and none once it is deleted. So whether a client has a
//! secret comes from the list, and a value is only ever handed on when this run knows it is the one in use.
//!
//! A rotation's calls are here too: a new secret generated from the operating system's CSPRNG and added once
//! (retries off, adopted after an ambiguous failure), the proof that Cognito accepts a secret (a sign-in attempt
//! that needs no user), and the deletion of a secret.

use std::time::Duration;

use aws_sdk_cognitoidentityprovider::error::ProvideErrorMetadata;
use aws_sdk_cognitoidentityprovider::types::AuthFlowType;
use aws_smithy_types::date_time::Format;
use base64::Engine;
use hmac::{KeyInit, Mac};
use secrecy::ExposeSecret;

use crate::retry::{Created, retry_concurrent_modification, send_once, without_retries};
use crate::{ChosenPool, Cognito, Error, PoolChoice, SecretString};

/// The length of a generated secret: the most a custom secret may have (24 to 64 characters of `[\w+]`).
pub const GENERATED_SECRET_CHARS: usize = 64;

/// The alphabet of a generated secret: letters and digits, inside every character class Cognito and `.env`
/// files accept without quoting.
const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// The waits between proofs of a secret just added, while Cognito may not accept it yet: 7.5 s in all.
const PROOF_WAITS: [Duration; 4] = [
    Duration::from_millis(500),
    Duration::from_secs(1),
    Duration::from_secs(2),
    Duration::from_secs(4),
];

/// The prefix of the unknown username a proof signs in as.
pub const PROOF_USERNAME_PREFIX: &str = "credere-cognito-secret-check-";

/// One secret an app client holds, as ListUserPoolClientSecrets reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientSecretInfo {
    /// Its ID, `<client-id>--<epoch-create-time>`.
    pub id: String,
    /// When it was created (RFC 3339), when Cognito says.
    pub created: Option<String>,
}

/// The app client's secret as far as this run knows it.
#[derive(Debug, Clone)]
pub enum KnownSecret {
    /// The client has no secret (a public client).
    None,
    /// The client's only secret, with its value: one this run created, or the original DescribeUserPoolClient
    /// shows while no other secret exists.
    Value {
        /// The secret's ID.
        id: String,
        /// The value.
        value: SecretString,
    },
    /// Secrets whose values this run did not learn: a rotation is under way (two secrets), or the original was
    /// replaced (DescribeUserPoolClient shows none). Writing any value would be a guess.
    NotLearned {
        /// The IDs of the secrets the client holds.
        ids: Vec<String>,
    },
}

impl KnownSecret {
    /// What the listed `secrets` and Describe's `described` value say together.
    pub(crate) fn from_client(secrets: &[ClientSecretInfo], described: Option<&SecretString>) -> KnownSecret {
        match (secrets, described) {
            ([], None) => KnownSecret::None,
            ([only], Some(value)) => KnownSecret::Value {
                id: only.id.clone(),
                value: value.clone(),
            },
            _ => KnownSecret::NotLearned {
                ids: secrets.iter().map(|secret| secret.id.clone()).collect(),
            },
        }
    }

    /// The value, when this run knows it.
    pub fn value(&self) -> Option<&SecretString> {
        match self {
            KnownSecret::Value { value, .. } => Some(value),
            KnownSecret::None | KnownSecret::NotLearned { .. } => None,
        }
    }
}

/// An app client found by its pool and name, with the secrets it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientSecrets {
    /// The pool.
    pub pool: ChosenPool,
    /// The app client's ID.
    pub client_id: String,
    /// Its secrets, oldest first.
    pub secrets: Vec<ClientSecretInfo>,
}

/// How Cognito answered a sign-in attempt made with a secret's SECRET_HASH for a username nobody has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Proof {
    /// It got past the secret and refused the user: NotAuthorizedException "Incorrect username or password."
    /// (PreventUserExistenceErrors ENABLED) or UserNotFoundException (LEGACY).
    Accepted,
    /// NotAuthorizedException "Unable to verify secret hash for client …": Cognito does not accept the secret.
    Refused,
}

/// A new secret of [`GENERATED_SECRET_CHARS`] letters and digits from the operating system's CSPRNG.
pub fn generate_secret() -> Result<SecretString, Error> {
    Ok(SecretString::from(random_text(GENERATED_SECRET_CHARS)?))
}

/// `chars` characters of [`ALPHABET`], uniformly: bytes past the largest multiple of its length are drawn again.
fn random_text(chars: usize) -> Result<String, Error> {
    let limit = u8::MAX - u8::MAX % ALPHABET.len() as u8;
    let mut text = String::with_capacity(chars);
    let mut bytes = [0u8; 32];
    while text.len() < chars {
        getrandom::fill(&mut bytes).map_err(|source| Error::Random {
            message: source.to_string(),
        })?;
        text.extend(
            bytes
                .iter()
                .filter(|byte| **byte < limit)
                .map(|byte| char::from(ALPHABET[usize::from(*byte) % ALPHABET.len()]))
                .take(chars - text.len()),
        );
    }
    Ok(text)
}

/// SECRET_HASH as Cognito defines it: Base64(HMAC-SHA256(key = the secret, message = username + client ID)).
pub fn secret_hash(secret: &SecretString, username: &str, client_id: &str) -> String {
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.expose_secret().as_bytes())
        .expect("HMAC takes a key of any length");
    mac.update(username.as_bytes());
    mac.update(client_id.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

impl Cognito {
    /// The app client named `client_name` in the pool `choice` names, with its secrets. Only reads.
    pub async fn find_client_secrets(&self, choice: &PoolChoice, client_name: &str) -> Result<ClientSecrets, Error> {
        let pool = self.choose_pool(choice).await?;
        let client_id = self
            .client_id(&pool.id, client_name)
            .await?
            .ok_or_else(|| Error::ClientNotFound {
                pool_id: pool.id.clone(),
                name: client_name.to_owned(),
            })?;
        let secrets = self.client_secrets(&pool.id, &client_id).await?;
        Ok(ClientSecrets {
            pool,
            client_id,
            secrets,
        })
    }

    /// Adds `value` as a custom secret of the client, sent once (the SDK's retries off: a second Add of a call
    /// that reached Cognito would be refused, or leave a secret nobody asked for). After an ambiguous failure the
    /// secrets are listed again, and one whose ID is not in `before` (the list taken just before) is this call's,
    /// whatever the clocks say.
    pub async fn add_client_secret(
        &self,
        pool_id: &str,
        client_id: &str,
        value: &SecretString,
        before: &[ClientSecretInfo],
    ) -> Result<ClientSecretInfo, Error> {
        let added = send_once(
            "AddUserPoolClientSecret",
            None,
            || {
                self.idp
                    .add_user_pool_client_secret()
                    .user_pool_id(pool_id)
                    .client_id(client_id)
                    .client_secret(value.expose_secret())
                    .customize()
                    .config_override(without_retries())
                    .send()
            },
            || async {
                let now = self.client_secrets(pool_id, client_id).await?;
                Ok(now
                    .into_iter()
                    .find(|secret| !before.iter().any(|old| old.id == secret.id)))
            },
        )
        .await?;
        match added {
            Created::Found(found) => Ok(found),
            Created::Made(output) => {
                let descriptor = output
                    .client_secret_descriptor
                    .ok_or_else(|| Error::missing("AddUserPoolClientSecret", "ClientSecretDescriptor"))?;
                Ok(ClientSecretInfo {
                    id: descriptor.client_secret_id.ok_or_else(|| {
                        Error::missing("AddUserPoolClientSecret", "ClientSecretDescriptor.ClientSecretId")
                    })?,
                    created: descriptor
                        .client_secret_create_date
                        .and_then(|date| date.fmt(Format::DateTime).ok()),
                })
            }
        }
    }

    /// Deletes the secret `secret_id`. A secret that is not found counts as deleted: that is what a retry meets
    /// when the first attempt reached Cognito and its answer was lost.
    pub async fn delete_client_secret(&self, pool_id: &str, client_id: &str, secret_id: &str) -> Result<(), Error> {
        let deleted = retry_concurrent_modification("DeleteUserPoolClientSecret", || {
            self.idp
                .delete_user_pool_client_secret()
                .user_pool_id(pool_id)
                .client_id(client_id)
                .client_secret_id(secret_id)
                .send()
        })
        .await;
        match deleted {
            Err(error) if error.code() == Some("ResourceNotFoundException") => Ok(()),
            other => other.map(|_| ()),
        }
    }

    /// Whether Cognito accepts `secret` for the client: InitiateAuth (USER_PASSWORD_AUTH, an unauthenticated call
    /// that needs no IAM permission) for a random username nobody has, with a random password and the SECRET_HASH
    /// made with `secret`. Cognito checks the hash before the user, so the answer tells the secret's fate and
    /// nobody signs in.
    pub async fn prove_secret(&self, client_id: &str, secret: &SecretString) -> Result<Proof, Error> {
        let username = format!("{PROOF_USERNAME_PREFIX}{}", random_text(16)?.to_lowercase());
        let password = SecretString::from(random_text(32)?);
        let answer = self
            .idp
            .initiate_auth()
            .auth_flow(AuthFlowType::UserPasswordAuth)
            .client_id(client_id)
            .auth_parameters("USERNAME", &username)
            .auth_parameters("PASSWORD", password.expose_secret())
            .auth_parameters("SECRET_HASH", secret_hash(secret, &username, client_id))
            .send()
            .await;
        let Err(error) = answer else {
            return Err(Error::Unexpected {
                operation: "InitiateAuth",
                field: "answer",
                value: format!("a sign-in of the unknown user {username}"),
            });
        };
        let message = error.message().unwrap_or_default();
        match error.code() {
            Some("NotAuthorizedException") if message == "Incorrect username or password." => Ok(Proof::Accepted),
            Some("UserNotFoundException") => Ok(Proof::Accepted),
            Some("NotAuthorizedException") if message.starts_with("Unable to verify secret hash") => Ok(Proof::Refused),
            _ => Err(Error::api("InitiateAuth")(error)),
        }
    }

    /// [`Cognito::prove_secret`] for a secret just added, which Cognito may take a moment to accept: a refusal is
    /// tried again after each wait (about 8 s in all) before it counts.
    pub async fn prove_added_secret(&self, client_id: &str, secret: &SecretString) -> Result<Proof, Error> {
        for wait in PROOF_WAITS {
            if self.prove_secret(client_id, secret).await? == Proof::Accepted {
                return Ok(Proof::Accepted);
            }
            tracing::debug!(wait_ms = wait.as_millis() as u64, "the new secret is not accepted yet");
            tokio::time::sleep(wait).await;
        }
        self.prove_secret(client_id, secret).await
    }

    /// The secrets the app client holds, oldest first.
    pub async fn client_secrets(&self, pool_id: &str, client_id: &str) -> Result<Vec<ClientSecretInfo>, Error> {
        let output = self
            .idp
            .list_user_pool_client_secrets()
            .user_pool_id(pool_id)
            .client_id(client_id)
            .send()
            .await
            .map_err(Error::api("ListUserPoolClientSecrets"))?;
        let mut secrets = Vec::new();
        for secret in output.client_secrets.unwrap_or_default() {
            let created = secret.client_secret_create_date;
            secrets.push((
                created,
                ClientSecretInfo {
                    id: secret
                        .client_secret_id
                        .ok_or_else(|| Error::missing("ListUserPoolClientSecrets", "ClientSecrets.ClientSecretId"))?,
                    created: created.and_then(|date| date.fmt(Format::DateTime).ok()),
                },
            ));
        }
        secrets.sort_by(|(a, _), (b, _)| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
        Ok(secrets.into_iter().map(|(_, secret)| secret).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_secrets_are_64_letters_and_digits_and_differ() {
        let (one, two) = (generate_secret().unwrap(), generate_secret().unwrap());
        for secret in [&one, &two] {
            assert_eq!(secret.expose_secret().len(), GENERATED_SECRET_CHARS);
            assert!(secret.expose_secret().bytes().all(|byte| byte.is_ascii_alphanumeric()));
        }
        assert_ne!(one.expose_secret(), two.expose_secret());
    }

    #[test]
    fn secret_hash_is_cognitos() {
        // AWS's documented definition, computed independently: python3 -c "import hmac, hashlib, base64;
        // print(base64.b64encode(hmac.new(b'secret', b'userclient', hashlib.sha256).digest()).decode())"
        assert_eq!(
            secret_hash(&SecretString::from("secret"), "user", "client"),
            "wvW87lzZoI+qQCVGmWVBJLlucdJ65huAVP1z+0MgA6E="
        );
    }

    fn listed(ids: &[&str]) -> Vec<ClientSecretInfo> {
        ids.iter()
            .map(|id| ClientSecretInfo {
                id: (*id).to_owned(),
                created: None,
            })
            .collect()
    }

    #[test]
    fn a_value_is_known_only_while_the_original_is_the_only_secret() {
        let value = SecretString::from("original");
        assert!(matches!(KnownSecret::from_client(&[], None), KnownSecret::None));
        let known = KnownSecret::from_client(&listed(&["c--1"]), Some(&value));
        assert!(matches!(&known, KnownSecret::Value { id, .. } if id == "c--1"));
        // A rotation under way: Describe still shows the original, but the new one may be in use.
        let rotating = KnownSecret::from_client(&listed(&["c--1", "c--2"]), Some(&value));
        assert!(matches!(&rotating, KnownSecret::NotLearned { ids } if ids.len() == 2));
        assert!(rotating.value().is_none());
        // The original was deleted: Describe shows none.
        let rotated = KnownSecret::from_client(&listed(&["c--2"]), None);
        assert!(matches!(&rotated, KnownSecret::NotLearned { ids } if ids == &["c--2"]));
        // Describe shows a secret the list does not (an answer that cannot be trusted): nothing is learned.
        assert!(KnownSecret::from_client(&[], Some(&value)).value().is_none());
    }
}
