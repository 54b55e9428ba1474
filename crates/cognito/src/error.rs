//! The typed error of every Cognito operation here, with what to do next.

use aws_sdk_cognitoidentityprovider::error::{ProvideErrorMetadata, SdkError};

/// Why a Cognito operation failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An API call failed (after the SDK's retries).
    #[error("{operation} failed: {message}{}", hint(.code.as_deref(), .message))]
    Api {
        /// The operation, e.g. `CreateUserPool`.
        operation: &'static str,
        /// Cognito's error code, e.g. `ResourceNotFoundException`; `None` when no answer came back.
        code: Option<String>,
        /// The full error chain.
        message: String,
    },
    /// Several pools carry the spec's name and their tags do not single one out.
    #[error(
        "{} user pools are named `{name}`: {}. Their tags do not single one out; choose one with --pool-id ID",
        .ids.len(), .ids.join(", ")
    )]
    AmbiguousPool {
        /// The pool name.
        name: String,
        /// Every candidate's ID.
        ids: Vec<String>,
    },
    /// `--pool-id` names no pool in this account and region.
    #[error(transparent)]
    PoolNotFound(#[from] crate::NoSuchPool),
    /// `--pool-id` names a pool of another name than the spec's.
    #[error("user pool `{id}` is named `{actual}`, not `{expected}`: is --pool-id for another environment?")]
    PoolNameMismatch {
        /// The ID given.
        id: String,
        /// Its name.
        actual: String,
        /// The spec's name.
        expected: String,
    },
    /// The pool has several app clients with the spec's client name.
    #[error(
        "user pool `{pool_id}` has {} app clients named `{name}`: {}. Delete the extra ones in the console, then run again",
        .ids.len(), .ids.join(", ")
    )]
    AmbiguousClient {
        /// The pool.
        pool_id: String,
        /// The client name.
        name: String,
        /// Every candidate's ID.
        ids: Vec<String>,
    },
    /// Cognito answered with something this code cannot represent.
    #[error("{operation} returned an unexpected {field}: {value}")]
    Unexpected {
        /// The operation.
        operation: &'static str,
        /// The field.
        field: &'static str,
        /// What came back.
        value: String,
    },
    /// The spec is invalid or its SES identity ARN cannot be resolved.
    #[error(transparent)]
    Spec(pool_spec::ResolveError),
    /// The plan has conflicts, so nothing may be applied.
    #[error("the plan has {0} conflict(s) with settings Cognito never changes; nothing was applied")]
    Conflicts(usize),
}

impl Error {
    pub(crate) fn api<E, R>(operation: &'static str) -> impl FnOnce(SdkError<E, R>) -> Error
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
        R: std::fmt::Debug + 'static,
    {
        move |error| {
            let message = match (&error, error.code(), error.message()) {
                (SdkError::ServiceError(_), Some(code), Some(message)) => format!("{code}: {message}"),
                (SdkError::ServiceError(_), Some(code), None) => code.to_owned(),
                _ => chain(&error),
            };
            Error::Api {
                operation,
                code: error.code().map(str::to_owned),
                message,
            }
        }
    }

    /// Cognito's error code, when the error is an API answer.
    pub fn code(&self) -> Option<&str> {
        match self {
            Error::Api { code, .. } => code.as_deref(),
            _ => None,
        }
    }
}

/// An error and its sources, by their messages only: the SDK's `Debug` forms hold raw responses.
fn chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !message.contains(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
        source = cause.source();
    }
    message
}

/// The next step for the errors a maintainer meets first.
fn hint(code: Option<&str>, message: &str) -> &'static str {
    let message = message.to_ascii_lowercase();
    if message.contains("no credentials")
        || message.contains("loading credentials")
        || message.contains("credentials provider")
    {
        "\nhint: no AWS credentials were found: run `aws configure` or `aws sso login`, pass --profile NAME, \
         or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
    } else if matches!(
        code,
        Some("UnrecognizedClientException" | "InvalidClientTokenId" | "ExpiredTokenException")
    ) {
        "\nhint: the AWS credentials were refused or have expired: refresh them (e.g. `aws sso login`) or pick another --profile"
    } else if matches!(code, Some("AccessDeniedException" | "NotAuthorizedException")) {
        "\nhint: these credentials lack an IAM permission (cognito-idp:*) this call needs; use a profile that has it"
    } else if message.contains("dns error") || message.contains("failed to lookup address") {
        "\nhint: the endpoint could not be resolved: check --region and --endpoint-url"
    } else {
        ""
    }
}
