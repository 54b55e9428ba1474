//! Retries the SDK does not make: creates sent once with a look-before-resending after an ambiguous
//! failure, ConcurrentModificationException on every write, and reads whose every attempt waits its turn at a
//! client-side [`RateLimit`] (as do the creates of a paced run: `users import`'s AdminCreateUser), which
//! throttling slows down.
//!
//! The SDK retries throttling, 5xx answers, timeouts and dropped connections, which is right for reads
//! and full-state updates (sending one twice is harmless) but duplicates a create that reached Cognito
//! before its answer was lost. ConcurrentModificationException, which Cognito returns for a write racing
//! another write to the same pool (SetUserPoolMfaConfig right after CreateUserPool, for one), is transient
//! but not in the SDK's retry lists.

use std::future::Future;
use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_sdk_cognitoidentityprovider::error::{ProvideErrorMetadata, SdkError};

use crate::{Error, RateLimit};

/// Attempts per call, the first included, for the retries made here.
const MAX_ATTEMPTS: u32 = 5;
/// Throttled attempts in a row after which a rate-limited read gives up: with its backoff, about 13 s of
/// refusals of one call while the whole scan slows down.
const MAX_THROTTLED: u32 = 8;
/// The wait before the second attempt; it doubles for each one after.
const FIRST_BACKOFF: Duration = Duration::from_millis(100);

/// What a create that is sent once came to.
pub(crate) enum Created<Made, Found> {
    /// Cognito answered with the new resource.
    Made(Made),
    /// The answer was lost, and the resource the call made was found.
    Found(Found),
}

/// How a failed call is treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Failure {
    /// Cognito refused it before doing anything (throttling, a concurrent modification): send it again.
    Transient,
    /// It may or may not have taken effect (a 5xx, a timeout, a dropped connection or an unreadable answer).
    Ambiguous,
    /// Anything else: report it.
    Final,
}

fn classify<E: ProvideErrorMetadata, R>(error: &SdkError<E, R>) -> Failure
where
    R: HttpStatus,
{
    match error {
        SdkError::ServiceError(context) => match error.code() {
            Some(
                "ThrottlingException"
                | "TooManyRequestsException"
                | "RequestLimitExceeded"
                | "ConcurrentModificationException",
            ) => Failure::Transient,
            _ if context.raw().status_code() >= 500 => Failure::Ambiguous,
            _ => Failure::Final,
        },
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) | SdkError::ResponseError(_) => Failure::Ambiguous,
        _ => Failure::Final,
    }
}

/// The status code of a raw HTTP response, whatever the SDK's response type.
pub(crate) trait HttpStatus {
    fn status_code(&self) -> u16;
}

impl HttpStatus for aws_smithy_runtime_api::http::Response {
    fn status_code(&self) -> u16 {
        self.status().as_u16()
    }
}

/// A per-call configuration that turns the SDK's retries off, for calls this module retries itself.
pub(crate) fn without_retries() -> aws_sdk_cognitoidentityprovider::config::Builder {
    aws_sdk_cognitoidentityprovider::config::Builder::default().retry_config(RetryConfig::disabled())
}

async fn back_off(operation: &'static str, attempt: u32, why: &str) {
    let wait = FIRST_BACKOFF * 2u32.pow(attempt - 1);
    tracing::debug!(operation, attempt, wait_ms = wait.as_millis() as u64, why, "retrying");
    tokio::time::sleep(wait).await;
}

/// Sends a create (whose SDK retries are off) at most once per attempt. A transient refusal (Cognito refused
/// before acting) is sent again; after an ambiguous failure `look` searches for what the call would have made, and
/// that is adopted; only when `look` finds nothing is the create sent again. With a `limit`, each attempt and each
/// look waits its turn there, and a refusal slows it down and an answer speeds it up, as for
/// [`send_limited`]'s calls: the create shares their pace.
pub(crate) async fn send_once<Output, E, R, Send, Sent, Found, Look, Looked>(
    operation: &'static str,
    limit: Option<&RateLimit>,
    send: Send,
    look: Look,
) -> Result<Created<Output, Found>, Error>
where
    Send: Fn() -> Sent,
    Sent: Future<Output = Result<Output, SdkError<E, R>>>,
    Look: Fn() -> Looked,
    Looked: Future<Output = Result<Option<Found>, Error>>,
    E: ProvideErrorMetadata + std::error::Error + std::marker::Send + Sync + 'static,
    R: HttpStatus + std::fmt::Debug + std::marker::Send + Sync + 'static,
{
    let wait = async || {
        if let Some(limit) = limit {
            limit.wait().await;
        }
    };
    let mut attempt = 1;
    loop {
        wait().await;
        let error = match send().await {
            Ok(output) => {
                if let Some(limit) = limit {
                    limit.answered();
                }
                return Ok(Created::Made(output));
            }
            Err(error) => error,
        };
        let failure = classify(&error);
        if let (Failure::Transient, Some(limit)) = (failure, limit) {
            limit.throttled();
        }
        if failure == Failure::Ambiguous {
            tracing::debug!(operation, "ambiguous failure: looking for what the call made");
            wait().await;
            if let Some(found) = look().await? {
                return Ok(Created::Found(found));
            }
        }
        if failure == Failure::Final || attempt == MAX_ATTEMPTS {
            return Err(Error::api(operation)(error));
        }
        back_off(
            operation,
            attempt,
            if failure == Failure::Ambiguous {
                "nothing was made"
            } else {
                "refused"
            },
        )
        .await;
        attempt += 1;
    }
}

/// Sends a write, again after a ConcurrentModificationException (the SDK retries the rest).
pub(crate) async fn retry_concurrent_modification<Output, E, R, Send, Sent>(
    operation: &'static str,
    send: Send,
) -> Result<Output, Error>
where
    Send: Fn() -> Sent,
    Sent: Future<Output = Result<Output, SdkError<E, R>>>,
    E: ProvideErrorMetadata + std::error::Error + std::marker::Send + Sync + 'static,
    R: std::fmt::Debug + std::marker::Send + Sync + 'static,
{
    let mut attempt = 1;
    loop {
        match send().await {
            Ok(output) => return Ok(output),
            Err(error) if error.code() == Some("ConcurrentModificationException") && attempt < MAX_ATTEMPTS => {
                back_off(operation, attempt, "ConcurrentModificationException").await;
                attempt += 1;
            }
            Err(error) => return Err(Error::api(operation)(error)),
        }
    }
}

/// Sends a read (whose SDK retries are off) with each attempt, retries included, waiting its turn at `limit`.
/// Throttling slows `limit` down and the call is sent again after a backoff, up to [`MAX_THROTTLED`] refusals in a
/// row; a 5xx, a timeout or a dropped connection is retried as the SDK would, up to [`MAX_ATTEMPTS`] attempts.
pub(crate) async fn send_limited<Output, E, R, Send, Sent>(
    operation: &'static str,
    limit: &RateLimit,
    send: Send,
) -> Result<Output, SdkError<E, R>>
where
    Send: Fn() -> Sent,
    Sent: Future<Output = Result<Output, SdkError<E, R>>>,
    E: ProvideErrorMetadata,
    R: HttpStatus,
{
    let (mut throttled, mut failed) = (0, 0);
    loop {
        limit.wait().await;
        let error = match send().await {
            Ok(output) => {
                limit.answered();
                return Ok(output);
            }
            Err(error) => error,
        };
        match classify(&error) {
            Failure::Transient => {
                limit.throttled();
                throttled += 1;
                if throttled == MAX_THROTTLED {
                    return Err(error);
                }
                back_off(operation, throttled, "throttled").await;
            }
            Failure::Ambiguous => {
                failed += 1;
                if failed == MAX_ATTEMPTS {
                    return Err(error);
                }
                back_off(operation, failed, "no answer").await;
            }
            Failure::Final => return Err(error),
        }
    }
}
