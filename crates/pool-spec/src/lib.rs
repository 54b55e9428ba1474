//! Desired state of Credere's Cognito user pools and app clients.
//!
//! Owns: the settings types (shaped like Cognito's parameters), the two built-in environments
//! ([`production`], [`development`]), validation against Cognito's limits ([`PoolSpec::validate`]), the
//! resolution of a spec into a concrete [`DesiredState`] ([`PoolSpec::resolve`]), the pure [`plan`] of
//! desired against observed state, the defaults a first administrator is created with ([`AdminDefaults`]),
//! and how its values read as text (their `Display`, [`Bracketed`] for lists, and [`Shown`] for a value from outside
//! the tool, escaped for a terminal).
//!
//! Not here: the reference page `docs/cognito.rst`. It is rendered from these values by `cargo xtask docs`
//! (`xtask/src/docs/`), where console wording, Sphinx directives, SQL and CLI flags belong; services that import
//! this crate for the spec do not carry them.
//!
//! Invariant: a [`DesiredState`] only comes from a spec that passed validation ([`PoolSpec::resolve`] is its
//! only constructor), and a [`Plan`] never asks to delete or recreate anything: what Cognito cannot change
//! becomes a [`Conflict`] of a [`Refusal`], from which no [`Action`] can be had.
//!
//! Must not depend on: the AWS SDK, a database, the file system or the network. Everything here is pure,
//! so the `cognito` crate converts SDK values into these types and the callers do the I/O.
//!
//! ```
//! use pool_spec::{Environment, Plan, plan};
//!
//! let spec = pool_spec::for_environment("development".parse::<Environment>()?);
//! assert_eq!(spec.pool.password_policy.minimum_length, 14);
//! let desired = spec.resolve(None)?; // development sends email through Cognito: no SES ARN needed
//! let plan: Plan = plan(desired, None); // nothing observed: create everything
//! assert!(plan.creates_pool() && plan.creates_client() && plan.conflicts().is_empty());
//!
//! let mut too_short = pool_spec::production();
//! too_short.pool.password_policy.minimum_length = 5;
//! let error = too_short.validate().unwrap_err();
//! assert!(error.to_string().contains("minimum_length"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod admin;
mod environment;
mod features;
mod plan;
mod settings;
mod spec;
mod text;
mod validate;

pub use admin::{AdminDefaults, Language, TemporaryPassword, UnknownCode, UserType};
pub use environment::{Environment, UnknownEnvironment, needs_confirmation};
pub use features::{PlanFeature, Removal};
pub use plan::{Action, ApplyCall, Change, Conflict, Creation, Observed, Plan, Refusal, Update, plan, plan_new_pool};
pub use settings::{
    ClientSettings, CustomAttribute, DeletionProtection, EmailConfiguration, MfaConfiguration, MfaSettings,
    PasswordPolicy, PoolSettings, PreventUserExistenceErrors, RecoveryMechanism, Tags, TimeUnit, TokenValidity,
    UserPoolTier, Validity, carries_tags, with_tags,
};
pub use spec::{
    DesiredState, ENVIRONMENT_TAG, EmailSpec, MANAGED_BY_TAG, MANAGED_BY_VALUE, PoolSpec, ResolveError, SES_FROM,
    SES_IDENTITY, development, for_environment, production, ses_identity_arn, ses_identity_covers, ses_identity_domain,
};
pub use text::{Bracketed, Shown};
pub use validate::{AUTH_FLOWS, AWS_OWNED_ATTRIBUTES, SpecError, Violation};
