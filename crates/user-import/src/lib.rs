//! Moving the users of an export file (`user_export`'s format) into another pool, and pointing Credere's
//! `credere_user` rows at them (`cargo xtask users import`).
//!
//! **Owns:** the [`Plan`] (pure: which users are created, which exist and are adopted, which groups are made,
//! which rows are relinked, and what is left alone and only shown; a target pool lacking a custom attribute the
//! users to create carry is refused, [`PlanError::MissingCustomAttributes`]), and the run around it: [`prepare_database`]
//! (schema check, the import's advisory lock, the relink rehearsed and rolled back), [`plan`] (the target read
//! with the export's scan, every row read) and [`import`] (the Cognito writes, then the relink).
//!
//! **Invariant:** nothing is written to Cognito before the database has shown it can take the relink. A user of
//! the file is the target's user of the same email (ignoring case), so a re-run adopts what an earlier run made
//! and creates nothing twice (AdminCreateUser is sent once, with a look by email after an ambiguous failure).
//! Every row is relinked in one transaction, and only once every user of the file is in the target pool.
//! Passwords and authenticators do not move: a created user has neither.
//!
//! **Must not depend on:** the AWS SDK (through `cognito` only), diesel (through `user-model` only), or xtask.

mod plan;
mod run;

pub use plan::{InTarget, MissingAttribute, Move, Plan, PlanError, RowLink, RowMove, TargetPool};
pub use run::{ImportError, ImportProgress, Report, import, plan, prepare_database};
