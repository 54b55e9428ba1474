//! A pool's users as a file (`cargo xtask users export`), and the reading of that file (what `users import` will
//! take).
//!
//! **Owns:** the file's format ([`FORMAT`], [`VERSION`]): versioned JSON Lines, a [`Header`] (the pool, its
//! observed settings, its groups, how many users it reported), one [`User`] a line, and a closing line with the
//! number of users written, so that a cut-short file is told from a whole one; its [`Writer`] and its reader
//! ([`read`]), which refuses, naming the problem, a file from another tool, a newer version, a truncated or
//! malformed file ([`ReadError`]); where the file goes ([`Destination`]: checked, and its owner-only temporary
//! file made, before any call; renamed into place once whole); and the read-only run ([`export`]).
//!
//! **Invariant:** read-only towards Cognito (ListUserPools when the pool is found by environment,
//! DescribeUserPool, GetUserPoolMfaConfig, DescribeUserPoolDomain for a pool with a domain, ListUsers, ListGroups,
//! ListUsersInGroup), every call within one client-side rate limit. The file holds personal data: it is mode
//! 0600 from its first byte and reaches its name whole or not at all. The format and its reader and writer do no
//! I/O of their own.
//!
//! **Must not depend on:** the AWS SDK (Cognito's answers arrive as `cognito` types), the database crates, or
//! xtask.
//!
//! ```
//! use user_export::{Header, PoolFacts, User, Writer};
//!
//! let spec = pool_spec::development().resolve(None)?;
//! let settings = pool_spec::Observed {
//!     pool: spec.pool().clone(),
//!     email: spec.email().clone(),
//!     mfa: spec.mfa().clone(),
//!     tags: spec.tags().clone(),
//!     client: None,
//!     plan_features: Default::default(),
//! };
//! let header = Header {
//!     tool: "credere-cognito 0.1.0".into(),
//!     exported_at: chrono::DateTime::UNIX_EPOCH,
//!     pool: PoolFacts {
//!         id: "us-east-1_AbC".into(),
//!         name: "credere".into(),
//!         region: "us-east-1".into(),
//!         reported_users: 1,
//!     },
//!     settings,
//!     groups: Vec::new(),
//!     custom_attributes: Vec::new(),
//! };
//! let user = User::new("0d8a…", true, "CONFIRMED");
//! let mut writer = Writer::start(Vec::new(), &header)?;
//! writer.user(&user)?;
//! let bytes = writer.finish()?;
//! let read = user_export::read(&bytes[..])?;
//! assert_eq!((&read.header, &read.users), (&header, &vec![user]));
//! // Export::write_to writes it the same way.
//! let mut again = Vec::new();
//! read.write_to(&mut again)?;
//! assert_eq!(again, bytes);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod destination;
mod format;
mod run;

pub use destination::{Destination, DestinationError, Pending};
pub use format::{Attribute, Export, FORMAT, Group, Header, PoolFacts, ReadError, User, VERSION, Writer, read};
pub use run::{Summary, TOOL, export};
