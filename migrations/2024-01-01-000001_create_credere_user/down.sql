-- The sequence and the index go with the table (the sequence is owned by credere_user.id).
DROP TABLE public.credere_user;
DROP TYPE public.usertype;
