//! Shared by the user-model tests: databases built from the credere-backend DDL (`test_support`'s) or the
//! migrations, and a catalog snapshot to compare them by.

use testkit::TestDatabase;
use user_model::diesel::prelude::*;
use user_model::diesel::sql_types::Text;

pub use test_support::connect;

/// A fresh database with credere-backend's DDL applied directly.
pub fn ddl_database() -> (TestDatabase, PgConnection) {
    let database = test_support::ddl_database();
    let conn = connect(&database);
    (database, conn)
}

/// A fresh database with the workspace's migrations applied.
pub fn migrated_database() -> (TestDatabase, PgConnection) {
    let database = testkit::database();
    let mut conn = connect(&database);
    let applied = user_model::run_pending_migrations(&mut conn).expect("running the migrations");
    assert_eq!(
        applied.len(),
        2,
        "both migrations run on an empty database: {applied:?}"
    );
    (database, conn)
}

#[derive(QueryableByName)]
struct Fact {
    #[diesel(sql_type = Text)]
    fact: String,
}

/// Everything about `credere_user` that must match credere-backend: columns (order, type, nullability, default),
/// constraints, indexes, the id sequence and the usertype labels, one sorted line each.
pub fn schema_facts(conn: &mut PgConnection) -> Vec<String> {
    let facts: Vec<Fact> = diesel::sql_query(
        "SELECT format('column %s #%s %s %s.%s nullable=%s default=%s', column_name, ordinal_position, data_type, \
                       udt_schema, udt_name, is_nullable, coalesce(column_default, '-')) AS fact \
           FROM information_schema.columns \
          WHERE table_schema = 'public' AND table_name = 'credere_user' \
         UNION ALL \
         SELECT format('constraint %s %s %s', conname, contype, pg_get_constraintdef(oid)) \
           FROM pg_catalog.pg_constraint WHERE conrelid = to_regclass('public.credere_user') \
         UNION ALL \
         SELECT format('index %s', indexdef) FROM pg_catalog.pg_indexes \
          WHERE schemaname = 'public' AND tablename = 'credere_user' \
         UNION ALL \
         SELECT format('id sequence %s', pg_get_serial_sequence('public.credere_user', 'id')) \
          WHERE to_regclass('public.credere_user') IS NOT NULL \
         UNION ALL \
         SELECT format('sequence %s %s start=%s step=%s min=%s max=%s cache=%s cycle=%s', sequencename, data_type, \
                       start_value, increment_by, min_value, max_value, cache_size, cycle) \
           FROM pg_catalog.pg_sequences WHERE schemaname = 'public' AND sequencename = 'user_id_seq' \
         UNION ALL \
         SELECT format('usertype %s', string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder)) \
           FROM pg_catalog.pg_enum e JOIN pg_catalog.pg_type t ON t.oid = e.enumtypid \
           JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace \
          WHERE n.nspname = 'public' AND t.typname = 'usertype' \
         HAVING count(*) > 0",
    )
    .load(conn)
    .expect("reading the catalog");
    let mut facts: Vec<String> = facts.into_iter().map(|row| row.fact).collect();
    facts.sort();
    facts
}

/// Names of the relations and types in `public`, to see what a migration left behind.
pub fn public_objects(conn: &mut PgConnection) -> Vec<String> {
    let facts: Vec<Fact> = diesel::sql_query(
        "SELECT c.relname::text AS fact FROM pg_catalog.pg_class c \
           JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' \
         UNION ALL \
         SELECT t.typname::text FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace \
          WHERE n.nspname = 'public' AND t.typtype = 'e' \
         ORDER BY 1",
    )
    .load(conn)
    .expect("listing public objects");
    facts.into_iter().map(|row| row.fact).collect()
}
