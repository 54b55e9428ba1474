//! An app client's secrets. A confidential client holds one, or two while a rotation is under way
//! (AddUserPoolClientSecret). ListUserPoolClientSecrets tells which exist (IDs and dates, never values);
//! DescribeUserPoolClient shows only the original secret, and none once it is deleted. So whether a client has a
//! secret comes from the list, and a value is only ever handed on when this run knows it is the one in use.

use aws_smithy_types::date_time::Format;

use crate::{Cognito, Error, SecretString};

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

impl Cognito {
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
