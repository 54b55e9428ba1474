-- credere_user as credere-backend's migrations leave it. The table was once called "user", which is why its
-- sequence, primary key, unique and foreign key constraints carry user_* names: keep them exactly.
CREATE TYPE public.usertype AS ENUM ('OCP', 'FI');

CREATE SEQUENCE public.user_id_seq AS integer;

CREATE TABLE public.credere_user (
    type public.usertype NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    id integer DEFAULT nextval('public.user_id_seq'::regclass) NOT NULL,
    language character varying NOT NULL,
    email character varying NOT NULL,
    name character varying NOT NULL,
    external_id character varying NOT NULL,
    lender_id integer,
    notification_preferences json DEFAULT '{}'::json NOT NULL,
    CONSTRAINT user_pkey PRIMARY KEY (id),
    CONSTRAINT user_email_key UNIQUE (email),
    CONSTRAINT user_lender_id_fkey FOREIGN KEY (lender_id) REFERENCES public.lender (id)
);

ALTER SEQUENCE public.user_id_seq OWNED BY public.credere_user.id;

CREATE INDEX ix_credere_user_external_id ON public.credere_user USING btree (external_id);
