//! The typed error of every Cognito operation here, and the classification of a failed call.

use aws_credential_types::provider::error::CredentialsError;
use aws_sdk_cognitoidentityprovider::error::{ProvideErrorMetadata, SdkError};
use pool_spec::Shown;

/// Why a Cognito operation (on a pool or on a user) failed. Messages speak of Cognito and the spec; what to
/// type next (a flag, a command) is the binary's to add, keyed on the variant or the [`ApiErrorKind`].
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An API call failed (after the SDK's retries).
    #[error("{operation} failed")]
    Api {
        /// The operation, e.g. `CreateUserPool`.
        operation: &'static str,
        /// What went wrong, classified, with the SDK's error as its source.
        #[source]
        failure: ApiFailure,
    },
    /// AdminCreateUser found a user with this email already.
    #[error("a Cognito user with email {email:?} already exists in pool {pool_id}")]
    UsernameExists {
        /// The pool asked.
        pool_id: String,
        /// The email that is taken.
        email: String,
    },
    /// AdminGetUser found no user with this email.
    #[error("pool {pool_id} has no Cognito user with email {email:?}")]
    UserNotFound {
        /// The pool asked.
        pool_id: String,
        /// The email looked for.
        email: String,
    },
    /// Cognito answered without a value every answer of this operation has.
    #[error("{operation} answered without {field}; the response cannot be trusted")]
    Missing {
        /// The operation.
        operation: &'static str,
        /// What was missing, e.g. `UserPool.Id`.
        field: &'static str,
    },
    /// Several pools carry the spec's name and their tags do not single one out.
    #[error(
        "{} user pools are named `{name}`: {}. Their tags do not single one out; choose one by its ID",
        .ids.len(), .ids.join(", ")
    )]
    AmbiguousPool {
        /// The pool name.
        name: String,
        /// Every candidate's ID.
        ids: Vec<String>,
    },
    /// A new pool was asked for beside the spec's pool, but several pools carry its name and their tags do not
    /// single one out: one may be a new pool an earlier run created and did not finish. Nothing was created.
    #[error(
        "{} user pools are named `{name}` already: {}. A new pool is created beside one pool only, so nothing was \
         created: one of them may be a new pool an earlier run created and did not finish",
        .ids.len(), .ids.join(", ")
    )]
    SeveralBeside {
        /// The pool name.
        name: String,
        /// Every pool of the name.
        ids: Vec<String>,
    },
    /// The pool was created, and a later step of its creation (its MFA, the duplicate check's read, its client)
    /// failed: the pool stays, found by its ID. A duplicate found is [`Error::DuplicatePool`] instead.
    #[error("the user pool `{pool_id}` was created, but not finished")]
    Unfinished {
        /// The pool created.
        pool_id: String,
        /// The step that failed.
        #[source]
        source: Box<Error>,
    },
    /// The pool ID given names no pool in this account and region.
    #[error(transparent)]
    PoolNotFound(#[from] crate::NoSuchPool),
    /// No pool has the environment's spec name in the region searched.
    #[error(
        "no user pool named `{name}` exists for the {environment} environment in {region}; nothing was changed. \
         Pools live in one region: look in the pool's region, provision the {environment} environment's pool, or \
         name the pool by its ID"
    )]
    NoPoolForEnvironment {
        /// The environment.
        environment: pool_spec::Environment,
        /// The spec's pool name.
        name: String,
        /// The region searched.
        region: String,
    },
    /// The pool ID given names a pool of another name than the spec's.
    #[error(
        "user pool `{}` is named `{}`, not `{expected}`: is the pool ID for another environment?",
        Shown(id),
        Shown(actual)
    )]
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
    #[error("{operation} returned an unexpected {field}: {}", Shown(value))]
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
         this run made {ours}. Delete the newer one, {} (it is empty): with deletion protection on (production's \
         spec turns it on), DeleteUserPool is refused until it is off, so first `aws cognito-idp update-user-pool \
         --user-pool-id {} --deletion-protection INACTIVE` (an update resets what it leaves out, which does not \
         matter for a pool about to go), then `aws cognito-idp delete-user-pool --user-pool-id {}`, then run \
         provision again",
        .pools.len(),
        .pools.iter().map(|pool| pool.to_string()).collect::<Vec<_>>().join(", "),
        newest(.pools),
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
    /// The pool has no app client with the spec's client name.
    #[error("user pool `{}` has no app client named `{}`", Shown(.pool_id), Shown(.name))]
    ClientNotFound {
        /// The pool.
        pool_id: String,
        /// The client name looked for.
        name: String,
    },
    /// The operating system's random number generator failed.
    #[error("the operating system's random number generator failed: {message}")]
    Random {
        /// getrandom's description of the failure.
        message: String,
    },
}

impl Error {
    /// The map from an SDK error of `operation` to [`Error::Api`].
    pub(crate) fn api<E, R>(operation: &'static str) -> impl FnOnce(SdkError<E, R>) -> Error
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
        R: std::fmt::Debug + Send + Sync + 'static,
    {
        move |error| Error::Api {
            operation,
            failure: ApiFailure::new(error),
        }
    }

    /// Cognito answered `operation` without `field`.
    pub(crate) fn missing(operation: &'static str, field: &'static str) -> Error {
        Error::Missing { operation, field }
    }

    pub(crate) fn build(what: &'static str) -> impl FnOnce(aws_smithy_types::error::operation::BuildError) -> Error {
        move |source| Error::Build { what, source }
    }

    /// The failed call's classification, when the error is an API call's failure.
    pub fn api_failure(&self) -> Option<&ApiFailure> {
        match self {
            Error::Api { failure, .. } => Some(failure),
            Error::Unfinished { source, .. } => source.api_failure(),
            _ => None,
        }
    }

    /// Cognito's error code, when the error is an API answer.
    pub fn code(&self) -> Option<&str> {
        self.api_failure().and_then(ApiFailure::code)
    }
}

/// What kind of failure an AWS call met: what a maintainer does next depends on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiErrorKind {
    /// No credentials could be loaded: none are configured, or their provider failed (an expired SSO session).
    NoCredentials,
    /// AWS refused the credentials: an unknown key, an expired token, a bad signature.
    CredentialsRefused,
    /// The credentials lack an IAM permission the call needs.
    AccessDenied,
    /// The SES identity of the pool's `EmailConfiguration.SourceArn` is not verified where Cognito looked.
    SesIdentityNotVerified,
    /// The SES identity of `EmailConfiguration.SourceArn` belongs to another AWS account.
    SesIdentityOfAnotherAccount,
    /// Requests came faster than the account's quota, even after the retries.
    Throttled,
    /// Another change to the same pool kept winning, even after the retries.
    ConcurrentModification,
    /// Cognito refused the call with another error code (see [`ApiFailure::code`]).
    Service,
    /// The endpoint could not be reached: a name that does not resolve, a refused or dropped connection.
    Connection,
    /// The request was sent and the connection closed before a whole answer came back: the call may have taken
    /// effect.
    ConnectionLost,
    /// No answer came in time.
    Timeout,
    /// Anything else: an answer that could not be read, a request that could not be made.
    Other,
}

/// A failed AWS call, classified: Cognito's code and message when it answered, and the SDK's error (without
/// the raw HTTP response) for what more a caller wants to know.
#[derive(Debug)]
pub struct ApiFailure {
    kind: ApiErrorKind,
    code: Option<String>,
    message: Option<String>,
    /// The SDK's own words for a failure without an answer, e.g. `dispatch failure`.
    stage: String,
    sdk: Box<dyn std::error::Error + Send + Sync>,
}

impl ApiFailure {
    fn new<E, R>(error: SdkError<E, R>) -> Self
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
        R: std::fmt::Debug + Send + Sync + 'static,
    {
        let code = error.code().map(str::to_owned);
        let message = error.message().map(str::to_owned);
        let kind = classify(&error);
        let stage = error.to_string();
        let sdk = error.into_source().unwrap_or_else(|error| Box::new(error));
        Self {
            kind,
            code,
            message,
            stage,
            sdk,
        }
    }

    /// What kind of failure it was.
    pub fn kind(&self) -> ApiErrorKind {
        self.kind
    }

    /// The service's error code, e.g. `ResourceNotFoundException`; `None` when no answer came back.
    pub fn code(&self) -> Option<&str> {
        self.code.as_deref()
    }

    /// The service's message, when it answered with one.
    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }

    /// The SDK's error: the operation's error when the service answered, else the connector's, timeout's or
    /// response's error.
    pub fn sdk_error(&self) -> &(dyn std::error::Error + Send + Sync + 'static) {
        self.sdk.as_ref()
    }
}

impl std::fmt::Display for ApiFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (&self.code, &self.message) {
            (Some(code), Some(message)) => write!(f, "{code}: {message}"),
            (Some(code), None) => f.write_str(code),
            (None, _) => f.write_str(&self.stage),
        }
    }
}

impl std::error::Error for ApiFailure {
    /// An answer's code and message are all the service said (the operation's error repeats them, or says
    /// "unhandled error"); a failure without an answer continues with the SDK's chain of causes.
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self.code {
            Some(_) => None,
            None => Some(self.sdk.as_ref()),
        }
    }
}

/// The one place a failed call is classified. AWS uses one code for several refusals, so the SES ones are told
/// apart by their message as well.
fn classify<E, R>(error: &SdkError<E, R>) -> ApiErrorKind
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug + 'static,
{
    let message = error.message().unwrap_or_default().to_ascii_lowercase();
    match error {
        SdkError::ServiceError(_) => match error.code() {
            Some("InvalidParameterException") if message.contains("email address is not verified") => {
                ApiErrorKind::SesIdentityNotVerified
            }
            Some("NotAuthorizedException") if message.contains("email arn does not belong to your account") => {
                ApiErrorKind::SesIdentityOfAnotherAccount
            }
            Some(
                "UnrecognizedClientException"
                | "InvalidClientTokenId"
                | "ExpiredTokenException"
                | "ExpiredToken"
                | "InvalidSignatureException"
                | "SignatureDoesNotMatch"
                | "IncompleteSignature",
            ) => ApiErrorKind::CredentialsRefused,
            Some("AccessDeniedException" | "AccessDenied" | "NotAuthorizedException") => ApiErrorKind::AccessDenied,
            Some("ThrottlingException" | "TooManyRequestsException" | "RequestLimitExceeded" | "Throttling") => {
                ApiErrorKind::Throttled
            }
            Some("ConcurrentModificationException") => ApiErrorKind::ConcurrentModification,
            _ => ApiErrorKind::Service,
        },
        // The helper's own error names it and says what it did; "no credentials were found" would mislead.
        _ if caused_by::<crate::CredentialHelperError>(error) => ApiErrorKind::Other,
        _ if caused_by::<CredentialsError>(error) => ApiErrorKind::NoCredentials,
        SdkError::TimeoutError(_) => ApiErrorKind::Timeout,
        SdkError::DispatchFailure(failure) if failure.is_timeout() => ApiErrorKind::Timeout,
        SdkError::DispatchFailure(failure) if failure.is_io() || caused_by::<std::io::Error>(error) => {
            ApiErrorKind::Connection
        }
        // The SDK's HTTP client calls a connection closed mid-answer (hyper's IncompleteMessage) a transient error
        // of no other kind.
        SdkError::DispatchFailure(failure)
            if failure.as_other() == Some(aws_smithy_types::retry::ErrorKind::TransientError) =>
        {
            ApiErrorKind::ConnectionLost
        }
        _ => ApiErrorKind::Other,
    }
}

/// Whether an error of type `T` is among `error`'s causes.
fn caused_by<T: std::error::Error + 'static>(error: &(dyn std::error::Error + 'static)) -> bool {
    std::iter::successors(error.source(), |cause| cause.source()).any(|cause| cause.is::<T>())
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

#[cfg(test)]
mod tests {
    use aws_sdk_cognitoidentityprovider::operation::create_user_pool::CreateUserPoolError;
    use aws_smithy_runtime_api::client::result::ConnectorError;
    use aws_smithy_runtime_api::http::{Response, StatusCode};
    use aws_smithy_types::body::SdkBody;
    use aws_smithy_types::error::ErrorMetadata;

    use super::*;

    type Sdk = SdkError<CreateUserPoolError, Response>;

    fn boxed(message: &str) -> Box<dyn std::error::Error + Send + Sync> {
        message.into()
    }

    fn answered(code: &str, message: &str) -> Sdk {
        let error = ErrorMetadata::builder().code(code).message(message).build();
        let status = StatusCode::try_from(400).unwrap();
        SdkError::service_error(
            CreateUserPoolError::generic(error),
            Response::new(status, SdkBody::empty()),
        )
    }

    fn api(error: Sdk) -> Error {
        Error::api("CreateUserPool")(error)
    }

    #[test]
    fn an_answer_keeps_its_code_and_message_and_is_classified_by_code() {
        for (code, kind) in [
            ("UnrecognizedClientException", ApiErrorKind::CredentialsRefused),
            ("ExpiredTokenException", ApiErrorKind::CredentialsRefused),
            ("InvalidClientTokenId", ApiErrorKind::CredentialsRefused),
            ("AccessDeniedException", ApiErrorKind::AccessDenied),
            ("NotAuthorizedException", ApiErrorKind::AccessDenied),
            ("TooManyRequestsException", ApiErrorKind::Throttled),
            ("ThrottlingException", ApiErrorKind::Throttled),
            ("ConcurrentModificationException", ApiErrorKind::ConcurrentModification),
            ("LimitExceededException", ApiErrorKind::Service),
            ("InvalidParameterException", ApiErrorKind::Service),
        ] {
            let error = api(answered(code, "Something happened."));
            let failure = error.api_failure().unwrap();
            assert_eq!(failure.kind(), kind, "{code}");
            assert_eq!(error.code(), Some(code));
            assert_eq!(failure.message(), Some("Something happened."));
            assert_eq!(failure.to_string(), format!("{code}: Something happened."));
            assert_eq!(error.to_string(), "CreateUserPool failed");
        }
    }

    #[test]
    fn the_ses_refusals_are_told_apart_by_code_and_message() {
        let unverified = "Email address is not verified. The following identities failed the check: a@example.org";
        let cases = [
            (
                "InvalidParameterException",
                unverified,
                ApiErrorKind::SesIdentityNotVerified,
            ),
            ("NotAuthorizedException", unverified, ApiErrorKind::AccessDenied),
            (
                "NotAuthorizedException",
                "Email arn does not belong to your account.",
                ApiErrorKind::SesIdentityOfAnotherAccount,
            ),
            (
                "InvalidParameterException",
                "Email arn does not belong to your account.",
                ApiErrorKind::Service,
            ),
        ];
        for (code, message, kind) in cases {
            assert_eq!(
                api(answered(code, message)).api_failure().unwrap().kind(),
                kind,
                "{code}: {message}"
            );
        }
    }

    #[test]
    fn the_operation_error_stays_reachable_without_the_raw_response() {
        let error = api(answered("InvalidParameterException", "bad"));
        let sdk = error.api_failure().unwrap().sdk_error();
        let operation = sdk.downcast_ref::<CreateUserPoolError>().unwrap();
        assert_eq!(operation.code(), Some("InvalidParameterException"));
    }

    #[test]
    fn missing_credentials_are_found_among_the_causes_by_type() {
        let credentials = CredentialsError::not_loaded("no providers in chain provided credentials");
        let error = api(SdkError::dispatch_failure(ConnectorError::other(
            Box::new(credentials),
            None,
        )));
        let failure = error.api_failure().unwrap();
        assert_eq!(failure.kind(), ApiErrorKind::NoCredentials);
        assert_eq!(error.code(), None);
        // The SDK's chain stays the source, so the binary can print every cause.
        let causes: Vec<String> = std::iter::successors(Some(failure as &dyn std::error::Error), |e| e.source())
            .map(ToString::to_string)
            .collect();
        assert_eq!(causes[0], "dispatch failure");
        assert!(causes.iter().any(|cause| cause.contains("not enabled")), "{causes:?}");
    }

    #[test]
    fn failures_without_an_answer_are_connection_timeout_or_other() {
        let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        let cases: [(Sdk, ApiErrorKind); 5] = [
            (
                SdkError::dispatch_failure(ConnectorError::io(Box::new(refused))),
                ApiErrorKind::Connection,
            ),
            (
                SdkError::dispatch_failure(ConnectorError::other(
                    boxed("connection closed before message completed"),
                    Some(aws_smithy_types::retry::ErrorKind::TransientError),
                )),
                ApiErrorKind::ConnectionLost,
            ),
            (
                SdkError::dispatch_failure(ConnectorError::timeout(boxed("slow"))),
                ApiErrorKind::Timeout,
            ),
            (
                SdkError::timeout_error(boxed("operation timeout")),
                ApiErrorKind::Timeout,
            ),
            (SdkError::construction_failure(boxed("no region")), ApiErrorKind::Other),
        ];
        for (error, kind) in cases {
            let error = api(error);
            assert_eq!(error.api_failure().unwrap().kind(), kind, "{error:?}");
        }
    }

    #[test]
    fn a_missing_value_names_the_operation_and_the_field() {
        assert_eq!(
            Error::missing("GetCallerIdentity", "Account").to_string(),
            "GetCallerIdentity answered without Account; the response cannot be trusted"
        );
    }
}
