//! The one crate that talks to Amazon Cognito (and STS, to learn the caller's account).
//!
//! Owns: building the SDK clients from aws-config (and running a profile's `credential_process` itself), finding a pool by name and tags, observing it in
//! pool-spec's shape, applying a plan, creating and reading users, moving users into a pool (`moving.rs`),
//! scanning every user of a pool within a client-side rate limit, disabling, enabling and resetting the
//! authenticator of a user (Cognito only: never the database), and rotating the app client's secret (the pure
//! [`RotationPlan`], a generated secret added once, the sign-in attempt that proves a secret, the delete).
//! Invariant: every update sends the whole desired configuration, never a part (Cognito resets what an
//! update leaves out); a pool is never deleted or recreated here.
//! Must not depend on: the database crates or the xtask binary. SDK types stay inside this crate's
//! implementation, apart from [`load_sdk_config`], which exists so tests build clients exactly as
//! the commands do.
//!
//! Checking a live pool against its spec (what `cargo xtask provision --check` does):
//!
//! ```no_run
//! # async fn example() -> Result<(), cognito::Error> {
//! let cognito = cognito::Cognito::connect(&cognito::ConnectOptions::default()).await;
//! let prepared = cognito.prepare(&pool_spec::development(), None, None).await?;
//! println!("{}", prepared.plan);
//! # Ok(())
//! # }
//! ```
//!
//! The client secret is a [`SecretString`] (from `secrecy`): its `Debug` is redacted, and only
//! [`ExposeSecret::expose_secret`] gives the value:
//!
//! ```
//! use cognito::{ExposeSecret, SecretString};
//! let secret = SecretString::from("abc123");
//! assert!(!format!("{secret:?}").contains("abc123"));
//! assert_eq!(secret.expose_secret(), "abc123");
//! ```

mod access;
mod apply;
mod client;
mod credential_helper;
mod error;
pub mod iam;
mod moving;
mod observe;
mod partition;
mod pool_choice;
mod pool_id;
mod provision;
mod retry;
mod rotation;
mod scan;
mod secrets;
mod unknown;
mod user_status;
mod users;

pub use access::{UserAccess, UserOperation, UserWrite, Written};
pub use apply::Applied;
pub use client::{Cognito, ConnectOptions, FALLBACK_REGION, known_profiles, load_sdk_config};
pub use credential_helper::{CREDENTIAL_HELPER_TIMEOUT, CredentialHelperError, HelperFailure};
pub use error::{ApiErrorKind, ApiFailure, Error, PoolSummary};
pub use observe::{FoundPool, LiveClient, LivePool, Unreadable};
pub use partition::Partition;
pub use pool_choice::{ChosenPool, PoolChoice, PoolChoiceError};
pub use pool_id::{NoSuchPool, PoolId, lower_case_region, pool_region};
pub use provision::{Prepared, SesIdentitySource};
pub use rotation::{RotationPlan, RotationRefusal, RotationStep};
pub use scan::{ListedUser, MfaState, PAGE_SIZE, PoolGroup, RateLimit, ScanProgress, UserFacts, UserScan};
pub use secrecy::{ExposeSecret, SecretString};
pub use secrets::{
    ClientSecretInfo, ClientSecrets, GENERATED_SECRET_CHARS, KnownSecret, PROOF_USERNAME_PREFIX, Proof,
    generate_secret, secret_hash,
};
pub use unknown::{NEWER_THAN_SDK, NewerMember, WhenOmitted};
pub use user_status::UserStatus;
pub use users::*;
