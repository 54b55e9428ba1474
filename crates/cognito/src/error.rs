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
    /// Two pools carry the spec's name and tags right after this run created one: another run created
    /// its twin at the same moment. Nothing else was created.
    #[error(
        "{} user pools named `{name}` carry this tool's tags: {}. Two runs created a pool at the same moment; \
         this run made {ours}. Delete the newer one, {} (it is empty; `aws cognito-idp delete-user-pool \
         --user-pool-id {}`), then run provision again",
        .pools.len(),
        .pools.iter().map(|pool| pool.to_string()).collect::<Vec<_>>().join(", "),
        newest(.pools),
        newest(.pools)
    )]
    DuplicatePool {
        /// The pool name.
        name: String,
        /// The pool this run created.
        ours: String,
        /// Every pool with the name and tags, oldest first.
        pools: Vec<PoolSummary>,
    },
    /// The live resource holds settings this SDK cannot read, and the plan needs an update that would
    /// reset them.
    #[error(
        "the {resource} `{id}` has settings this tool cannot read, so an update would reset them: {}. Nothing was \
         changed. Make the change the plan shows in the console instead, or build this tool with a newer \
         aws-sdk-cognitoidentityprovider that knows them",
        .members.join(", ")
    )]
    Unreadable {
        /// `user pool` or `app client`.
        resource: &'static str,
        /// Its ID.
        id: String,
        /// The members it cannot read.
        members: Vec<String>,
    },
    /// A spec number does not fit the API's 32-bit integer.
    #[error("{field} is {value}, which Cognito's API cannot take; fix the spec")]
    OutOfRange {
        /// The spec field.
        field: &'static str,
        /// Its value.
        value: u64,
    },
    /// A value that only a live pool can report (or a spec string Cognito does not know) reached a request.
    #[error("{field} `{value}` is not a value Cognito accepts in a request; fix the spec")]
    Unsendable {
        /// The spec field.
        field: &'static str,
        /// Its value.
        value: String,
    },
    /// A request could not be built from the spec (a required member was unset).
    #[error("could not build the {what} of a request: {source}")]
    Build {
        /// The request part.
        what: &'static str,
        /// The SDK builder's complaint.
        source: aws_smithy_types::error::operation::BuildError,
    },
    /// The spec is invalid or its SES identity ARN cannot be resolved.
    #[error(transparent)]
    Spec(pool_spec::ResolveError),
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

    pub(crate) fn missing(operation: &'static str, field: &'static str) -> Error {
        Error::Unexpected {
            operation,
            field,
            value: "nothing".into(),
        }
    }

    pub(crate) fn build(what: &'static str) -> impl FnOnce(aws_smithy_types::error::operation::BuildError) -> Error {
        move |source| Error::Build { what, source }
    }

    /// Cognito's error code, when the error is an API answer.
    pub fn code(&self) -> Option<&str> {
        match self {
            Error::Api { code, .. } => code.as_deref(),
            _ => None,
        }
    }
}

/// A pool found by name, with its creation time when Cognito reported one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolSummary {
    /// The pool ID.
    pub id: String,
    /// When it was created (ListUserPools' `CreationDate`), as RFC 3339.
    pub created: Option<String>,
}

impl std::fmt::Display for PoolSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.created {
            Some(created) => write!(f, "{} (created {created})", self.id),
            None => f.write_str(&self.id),
        }
    }
}

fn newest(pools: &[PoolSummary]) -> &str {
    pools.last().map_or("", |pool| pool.id.as_str())
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
    if message.contains("email address is not verified") {
        "\nhint: the SES identity is not verified where Cognito looked: verify the address (or its domain) in SES \
         in the region the ARN names, or pass --ses-identity-arn with the ARN of an identity that is verified"
    } else if message.contains("email arn does not belong to your account") {
        "\nhint: the SES identity ARN names another AWS account: pass --ses-identity-arn with an identity of the \
         pool's own account (arn:aws:ses:REGION:ACCOUNT_ID:identity/ADDRESS_OR_DOMAIN)"
    } else if message.contains("no credentials")
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
    } else if code == Some("ConcurrentModificationException") {
        "\nhint: another change to this pool was in progress and kept winning; wait a minute and run the same \
         command again: it plans from what now exists"
    } else if message.contains("dns error") || message.contains("failed to lookup address") {
        "\nhint: the endpoint could not be resolved: check --region and --endpoint-url"
    } else {
        ""
    }
}
