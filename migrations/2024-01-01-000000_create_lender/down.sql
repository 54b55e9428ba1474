-- Drop public.lender only when up.sql created it (it carries up.sql's comment).
DO $$
BEGIN
    IF obj_description(to_regclass('public.lender'), 'pg_class') = 'created by credere-cognito migrations' THEN
        DROP TABLE public.lender;
    END IF;
END
$$;
