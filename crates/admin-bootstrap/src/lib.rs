//! The first-admin workflow: one Cognito user and its `credere_user` row, made in one resumable step.
//!
//! Owns: validating the request ([`Request::validate`]: email syntax through the `email_address` crate, name,
//! language, pool, `DATABASE_URL`, backend URL), its plan ([`plan_bootstrap`]: reads only, the row's writes tried
//! and rolled back, for the caller to show and confirm), the workflow ([`bootstrap`]: check the database → in one
//! transaction, write the row → resolve the pool → ensure the Cognito user → finish the row and commit →
//! optionally have credere-backend email a link with a temporary password, not sent without confirmation when
//! it would replace a password the admin chose) and its typed [`Report`]; and the runbooks on an existing user
//! (disable, enable, reset the authenticator: [`plan_access`] reads, [`apply_access`] writes).
//!
//! Invariant: database first. The row is written (or promoted) in a transaction before any Cognito call and
//! committed only after the Cognito step, so a database that cannot take it (unreachable, not Credere's
//! schema, privileges, read-only, constraints, triggers) leaves Cognito untouched, and a failed run leaves no
//! row. Conflicts (a row linked to another user, a lender row, several rows whose emails differ only in case, a
//! disabled Cognito user) are refused and nothing is committed; runs for one email take turns on a lock; every
//! step first looks for what exists, so a re-run after success changes nothing and a re-run after a failure
//! finishes the job. No password is ever read, returned or logged: Cognito generates the temporary one and
//! nobody sees it. Never migrates a database.
//!
//! Must not depend on: the AWS SDK (Cognito is reached only through the `cognito` crate), diesel directly
//! (only through `user-model`), or the xtask binary.
//!
//! ```
//! use admin_bootstrap::Request;
//!
//! let request = Request {
//!     email: "  Admin@Example.ORG ".into(),
//!     name: "Ada O'Brien".into(),
//!     language: "es".into(),
//!     environment: Some(pool_spec::Environment::Development),
//!     database_url: Some("postgresql:///credere".into()),
//!     ..Request::default()
//! };
//! let input = request.validate()?;
//! assert_eq!(input.email(), "admin@example.org");
//! assert_eq!(input.name(), "Ada O'Brien");
//!
//! let bad = Request { email: "not an email".into(), ..request };
//! assert!(bad.validate().is_err());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod access;
mod env_file;
mod input;
mod reset;
mod workflow;

pub use access::{AccessPlan, PlanError, WriteFailed, apply_access, plan_access};
pub use env_file::{BACKEND_DEFAULT_REGION, BackendEnv, EnvFileError, client_secret_id_note};
pub use input::{Input, InputError, MAX_EMAIL_CHARS, MAX_NAME_CHARS, Request, normalize_email};
pub use reset::{ResetOutcome, ResetTarget, replaces_own_password, reset_unless_own_password, send_password_reset};
pub use workflow::{BootstrapPlan, Error, Report, bootstrap, plan_bootstrap};
