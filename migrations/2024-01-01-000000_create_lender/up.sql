-- credere_user.lender_id references public.lender(id). In a credere-backend database that table already exists
-- (with many more columns) and must not be touched; in an empty database a minimal one stands in for it.
-- The comment marks the table as ours, so that down.sql drops only a table this migration created.
DO $$
BEGIN
    IF to_regclass('public.lender') IS NULL THEN
        CREATE TABLE public.lender (id serial PRIMARY KEY);
        COMMENT ON TABLE public.lender IS 'created by credere-cognito migrations';
    END IF;
END
$$;
