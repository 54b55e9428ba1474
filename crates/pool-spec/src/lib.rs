//! Desired state of Credere's Cognito user pools and app clients.
//!
//! Owns: the settings types (shaped like Cognito's parameters), the two built-in environments
//! ([`production`], [`development`]), validation against Cognito's limits ([`PoolSpec::validate`]), the
//! resolution of a spec into a concrete [`DesiredState`] ([`PoolSpec::resolve`]), the pure [`plan`] of
//! desired against observed state, and the rendering of the reference page `docs/cognito.rst`
//! ([`render::cognito_page`]).
//!
//! Invariant: a [`DesiredState`] only comes from a spec that passed validation, and a [`Plan`] never asks
//! to delete or recreate anything: what Cognito cannot change becomes a [`Conflict`], not an action.
//!
//! Must not depend on: the AWS SDK, a database, the file system or the network. Everything here is pure,
//! so the `cognito` crate converts SDK values into these types and the callers do the I/O.

mod environment;
mod plan;
pub mod render;
mod settings;
mod spec;
mod text;
mod validate;

pub use environment::{Environment, UnknownEnvironment};
pub use plan::{ApplyCall, Change, Conflict, Observed, Plan, plan};
pub use settings::{
    ClientSettings, DeletionProtection, EmailConfiguration, MfaConfiguration, MfaSettings,
    PasswordPolicy, PoolSettings, PreventUserExistenceErrors, RecoveryMechanism, Tags, TimeUnit,
    TokenValidity, Validity,
};
pub use spec::{
    AdminDefaults, DesiredState, ENVIRONMENT_TAG, EmailSpec, MANAGED_BY_TAG, MANAGED_BY_VALUE,
    PoolSpec, ResolveError, SES_FROM, SES_IDENTITY, development, for_environment, production,
    ses_identity_arn,
};
pub use validate::{AUTH_FLOWS, SpecError, Violation};
