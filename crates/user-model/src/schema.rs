//! The diesel schema of `public.credere_user`, written by hand to match credere-backend's DDL column for column.

/// SQL types that exist only in the Credere database.
pub mod sql_types {
    /// The Postgres enum `public.usertype` (`'OCP'`, `'FI'`).
    #[derive(Debug, Clone, Copy, diesel::sql_types::SqlType, diesel::query_builder::QueryId)]
    #[diesel(postgres_type(name = "usertype", schema = "public"))]
    pub struct Usertype;
}

diesel::table! {
    use diesel::sql_types::*;
    use super::sql_types::Usertype;

    /// Credere's users: staff (`OCP`) and lender employees (`FI`). Always schema-qualified: a role's search path
    /// may find another `credere_user` first (e.g. in a schema named after the role, `"$user"`).
    public.credere_user (id) {
        /// `OCP` or `FI`; `type` in SQL, a Rust keyword.
        #[sql_name = "type"]
        user_type -> Usertype,
        /// Set by the database (`now()`).
        created_at -> Timestamptz,
        /// From the sequence `user_id_seq`.
        id -> Int4,
        /// A language code such as `es`.
        language -> Varchar,
        /// Unique (`user_email_key`).
        email -> Varchar,
        /// Display name.
        name -> Varchar,
        /// The Cognito `Username` (the user's `sub`).
        external_id -> Varchar,
        /// The lender an `FI` user belongs to.
        lender_id -> Nullable<Int4>,
        /// JSON object, `{}` by default.
        notification_preferences -> Json,
    }
}
