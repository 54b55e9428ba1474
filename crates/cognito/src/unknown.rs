//! Members of a described pool or client that this SDK cannot read, and so no update can send back.
//!
//! UpdateUserPool and UpdateUserPoolClient reset what they are not sent. Updates here start from the
//! described resource, which covers every member the SDK knows; a member AWS added after the SDK was
//! generated is dropped when the answer is parsed, and would be reset by the next update. So the raw
//! answer is kept and its top-level members are compared with the SDK's own schema of the type: an
//! unknown one that is set stops the update instead of wiping it.

use std::sync::{Arc, Mutex};

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::AfterDeserializationInterceptorContextRef;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;

/// Keeps the raw body of the one answer it is attached to.
#[derive(Debug, Clone, Default)]
pub(crate) struct RawAnswer(Arc<Mutex<Option<Vec<u8>>>>);

impl RawAnswer {
    /// The members of `body[wrapper]` (e.g. `UserPool`) that `schema` does not have and that are set.
    pub(crate) fn unknown_members(&self, wrapper: &str, schema: &aws_smithy_schema::Schema<'_>) -> Vec<String> {
        let body = self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).take();
        body.map(|body| unknown_members(&body, wrapper, schema))
            .unwrap_or_default()
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

fn unknown_members(body: &[u8], wrapper: &str, schema: &aws_smithy_schema::Schema<'_>) -> Vec<String> {
    let Ok(serde_json::Value::Object(answer)) = serde_json::from_slice::<serde_json::Value>(body) else {
        return Vec::new();
    };
    let Some(serde_json::Value::Object(resource)) = answer.get(wrapper) else {
        return Vec::new();
    };
    let known: Vec<&str> = schema
        .members()
        .iter()
        .filter_map(|member| member.member_name())
        .collect();
    resource
        .iter()
        .filter(|(name, value)| !value.is_null() && !known.contains(&name.as_str()))
        .map(|(name, _)| name.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use aws_sdk_cognitoidentityprovider::types::UserPoolType;

    use super::unknown_members;

    #[test]
    fn only_set_members_the_schema_lacks_are_unknown() {
        let body = br#"{"UserPool": {"Id": "x", "Policies": {}, "DcrConfiguration": {"EnableStatus": "Enabled"},
            "SomethingNull": null, "AcrConfiguration": {}}}"#;
        assert_eq!(
            unknown_members(body, "UserPool", UserPoolType::SCHEMA),
            ["DcrConfiguration"]
        );
        assert!(unknown_members(b"not json", "UserPool", UserPoolType::SCHEMA).is_empty());
        assert!(unknown_members(br#"{"Other": {}}"#, "UserPool", UserPoolType::SCHEMA).is_empty());
    }
}
