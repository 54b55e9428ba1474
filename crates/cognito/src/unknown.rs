//! Members of a described pool or client that this SDK cannot read, and which of them would stop an update.
//!
//! UpdateUserPool and UpdateUserPoolClient reset what they are not sent. Updates here start from the
//! described resource, which covers every member the SDK knows; a member AWS added after the SDK was
//! generated is dropped when the answer is parsed. Whether that matters depends on the member:
//! [`NEWER_THAN_SDK`] classifies every member AWS's newest model (botocore) has and this SDK lacks, with
//! AWS's word for it. A read-only member or one AWS keeps when an update omits it is harmless; one an
//! update would reset, or one not classified yet, stops the update instead of wiping it. A test holds the
//! table to botocore's model, so a member AWS adds later fails it until classified.

use std::sync::{Arc, Mutex};

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::AfterDeserializationInterceptorContextRef;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use serde_json::{Map, Value};

/// What UpdateUserPool or UpdateUserPoolClient does to a member that the request leaves out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WhenOmitted {
    /// Not an update parameter at all: AWS reports it and nothing an update sends changes it.
    ReadOnly,
    /// AWS documents that an update omitting it keeps the existing value.
    Kept,
    /// An update omitting it resets it: while it is set, no update may be sent.
    Reset,
}

/// A member of AWS's model that this SDK (aws-sdk-cognitoidentityprovider 1.144) lacks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NewerMember {
    /// The model shape holding it: `UserPoolType`, `UserPoolClientType`, or an update request.
    pub shape: &'static str,
    /// The member's name.
    pub member: &'static str,
    /// What an update that leaves it out does to it.
    pub when_omitted: WhenOmitted,
    /// Where AWS says so.
    pub source: &'static str,
}

/// Every member botocore 1.44.18's `cognito-idp` model has in the pool, the client and their update
/// requests that this SDK lacks.
pub const NEWER_THAN_SDK: &[NewerMember] = &[
    NewerMember {
        shape: "UserPoolType",
        member: "DcrConfiguration",
        when_omitted: WhenOmitted::Kept,
        source: "UpdateUserPool API reference, DcrConfiguration: \"If you omit this parameter, Amazon Cognito \
                 keeps the existing configuration.\"",
    },
    NewerMember {
        shape: "UpdateUserPoolRequest",
        member: "DcrConfiguration",
        when_omitted: WhenOmitted::Kept,
        source: "UpdateUserPool API reference, DcrConfiguration: \"If you omit this parameter, Amazon Cognito \
                 keeps the existing configuration.\"",
    },
    NewerMember {
        shape: "UserPoolClientType",
        member: "ClientType",
        when_omitted: WhenOmitted::ReadOnly,
        source: "UserPoolClientType API reference: \"How the app client was created\" (REGULAR or DCR); not a \
                 member of UpdateUserPoolClientRequest",
    },
    NewerMember {
        shape: "UserPoolClientType",
        member: "ClientSecretArn",
        when_omitted: WhenOmitted::ReadOnly,
        source: "UserPoolClientType API reference: the Secrets Manager secret \"when Amazon Cognito manages the \
                 secret\"; not a member of UpdateUserPoolClientRequest",
    },
    NewerMember {
        shape: "UpdateUserPoolClientRequest",
        member: "PublishSecretsInAWSSecretsManager",
        when_omitted: WhenOmitted::Kept,
        source: "UpdateUserPoolClient API reference, PublishSecretsInAWSSecretsManager: \"If you omit this \
                 parameter, Amazon Cognito doesn't change how it manages the existing secret.\"",
    },
];

/// Keeps the raw body of the one answer it is attached to.
#[derive(Debug, Clone, Default)]
pub(crate) struct RawAnswer(Arc<Mutex<Option<Vec<u8>>>>);

impl RawAnswer {
    /// The object `body[wrapper]` (e.g. `UserPool`) of the answer, as AWS sent it.
    pub(crate) fn resource(&self, wrapper: &str) -> RawResource {
        let body = self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).take();
        RawResource(body.and_then(|body| resource(&body, wrapper)).unwrap_or_default())
    }

    /// The whole answer as AWS sent it, for an operation whose members are at its top level (AdminGetUser).
    pub(crate) fn whole(&self) -> RawResource {
        let body = self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).take();
        let object = body.and_then(|body| match serde_json::from_slice::<Value>(&body).ok()? {
            Value::Object(object) => Some(object),
            _ => None,
        });
        RawResource(object.unwrap_or_default())
    }
}

impl Intercept for RawAnswer {
    fn name(&self) -> &'static str {
        "RawAnswer"
    }

    fn read_after_deserialization(
        &self,
        context: &AfterDeserializationInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        // By now the SDK has read the whole (non-streaming) body into memory.
        if let Some(bytes) = context.response().body().bytes() {
            *self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(bytes.to_vec());
        }
        Ok(())
    }
}

fn resource(body: &[u8], wrapper: &str) -> Option<Map<String, Value>> {
    match serde_json::from_slice::<Value>(body).ok()?.get_mut(wrapper)?.take() {
        Value::Object(resource) => Some(resource),
        _ => None,
    }
}

/// A described pool or client as AWS sent it, members this SDK drops included.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct RawResource(Map<String, Value>);

impl RawResource {
    /// The set members of the resource that `schema` (the SDK's shape `shape`) lacks and that an update
    /// would reset, or that [`NEWER_THAN_SDK`] does not classify yet.
    pub(crate) fn blocking_members(&self, shape: &str, schema: &aws_smithy_schema::Schema<'_>) -> Vec<String> {
        self.blocking_members_in(NEWER_THAN_SDK, shape, schema)
    }

    /// [`Self::blocking_members`] with `table` in place of [`NEWER_THAN_SDK`].
    fn blocking_members_in(
        &self,
        table: &[NewerMember],
        shape: &str,
        schema: &aws_smithy_schema::Schema<'_>,
    ) -> Vec<String> {
        let known: Vec<&str> = schema
            .members()
            .iter()
            .filter_map(|member| member.member_name())
            .collect();
        self.0
            .iter()
            .filter(|(name, value)| !value.is_null() && !known.contains(&name.as_str()))
            .map(|(name, _)| name)
            .filter(|name| {
                table
                    .iter()
                    .find(|newer| newer.shape == shape && newer.member == name.as_str())
                    .is_none_or(|newer| newer.when_omitted == WhenOmitted::Reset)
            })
            .cloned()
            .collect()
    }

    /// A string member, e.g. `ClientSecretArn`, or one inside another (`DcrConfiguration.EnableStatus`).
    pub(crate) fn string(&self, path: &[&str]) -> Option<&str> {
        let (last, parents) = path.split_last()?;
        let mut object = &self.0;
        for parent in parents {
            object = object.get(*parent)?.as_object()?;
        }
        object.get(*last)?.as_str()
    }

    /// Whether the member is present and not null.
    pub(crate) fn has(&self, member: &str) -> bool {
        self.0.get(member).is_some_and(|value| !value.is_null())
    }
}

#[cfg(test)]
mod tests {
    use aws_sdk_cognitoidentityprovider::types::{UserPoolClientType, UserPoolType};

    use super::*;

    fn raw(body: &[u8], wrapper: &str) -> RawResource {
        RawResource(resource(body, wrapper).unwrap_or_default())
    }

    #[test]
    fn members_an_update_keeps_or_cannot_send_do_not_block_it() {
        let pool = raw(
            br#"{"UserPool": {"Id": "x", "Policies": {}, "DcrConfiguration": {"EnableStatus": "Enabled"},
                "SomethingNull": null, "AcrConfiguration": {}, "BrandNewSetting": {"On": true}}}"#,
            "UserPool",
        );
        assert_eq!(
            pool.blocking_members("UserPoolType", UserPoolType::SCHEMA),
            ["BrandNewSetting"]
        );
        assert_eq!(pool.string(&["DcrConfiguration", "EnableStatus"]), Some("Enabled"));
        assert!(pool.has("DcrConfiguration") && !pool.has("SomethingNull") && !pool.has("Missing"));

        let client = raw(
            br#"{"UserPoolClient": {"ClientId": "c", "ClientType": "REGULAR",
                "ClientSecretArn": "arn:aws:secretsmanager:us-east-1:123456789012:secret:s"}}"#,
            "UserPoolClient",
        );
        assert!(
            client
                .blocking_members("UserPoolClientType", UserPoolClientType::SCHEMA)
                .is_empty()
        );
        assert_eq!(
            client.string(&["ClientSecretArn"]),
            Some("arn:aws:secretsmanager:us-east-1:123456789012:secret:s")
        );
    }

    /// No member of today's model is reset by an update that omits it, so the path is held here with a table
    /// of its own: a set member classified `Reset` blocks, as an unclassified one does; `Kept` and `ReadOnly`
    /// do not, and neither does a `Reset` member that is not set.
    #[test]
    fn a_set_member_an_update_would_reset_blocks_it() {
        const TABLE: &[NewerMember] = &[
            NewerMember {
                shape: "UserPoolType",
                member: "WipedWhenOmitted",
                when_omitted: WhenOmitted::Reset,
                source: "test",
            },
            NewerMember {
                shape: "UserPoolType",
                member: "ResetButUnset",
                when_omitted: WhenOmitted::Reset,
                source: "test",
            },
            NewerMember {
                shape: "UserPoolType",
                member: "KeptWhenOmitted",
                when_omitted: WhenOmitted::Kept,
                source: "test",
            },
            NewerMember {
                shape: "UserPoolType",
                member: "ReportedOnly",
                when_omitted: WhenOmitted::ReadOnly,
                source: "test",
            },
            // The same name classified for another shape says nothing about this one.
            NewerMember {
                shape: "UserPoolClientType",
                member: "Unclassified",
                when_omitted: WhenOmitted::Kept,
                source: "test",
            },
        ];
        let pool = raw(
            br#"{"UserPool": {"Id": "x", "WipedWhenOmitted": {"On": true}, "ResetButUnset": null,
                "KeptWhenOmitted": "k", "ReportedOnly": "r", "Unclassified": 1}}"#,
            "UserPool",
        );
        let sorted = |mut members: Vec<String>| {
            members.sort();
            members
        };
        assert_eq!(
            sorted(pool.blocking_members_in(TABLE, "UserPoolType", UserPoolType::SCHEMA)),
            ["Unclassified", "WipedWhenOmitted"]
        );
        // Today's table classifies none of these, so all of them block.
        assert_eq!(
            sorted(pool.blocking_members("UserPoolType", UserPoolType::SCHEMA)),
            ["KeptWhenOmitted", "ReportedOnly", "Unclassified", "WipedWhenOmitted"]
        );
    }

    #[test]
    fn an_answer_that_is_not_a_json_object_has_no_members() {
        for (body, wrapper) in [(&b"not json"[..], "UserPool"), (br#"{"Other": {}}"#, "UserPool")] {
            let resource = raw(body, wrapper);
            assert!(
                resource
                    .blocking_members("UserPoolType", UserPoolType::SCHEMA)
                    .is_empty()
            );
            assert_eq!(resource.string(&["Id"]), None);
        }
    }
}
