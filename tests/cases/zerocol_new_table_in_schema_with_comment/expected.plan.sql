-- transaction 1 of 1 (statements 1-3): SHARE UPDATE EXCLUSIVE lock on app."Marker"
BEGIN;
-- statement 1 of 3 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
create schema if not exists "app";
-- statement 2 of 3 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
create table "app"."Marker" (
);
-- statement 3 of 3 (comments, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
COMMENT ON TABLE app."Marker" IS 'no columns';
COMMIT;
