-- transaction 1 of 1 (statements 1-2): no table lock
BEGIN;
-- statement 1 of 2 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
set check_function_bodies = off;
-- statement 2 of 2 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
CREATE OR REPLACE FUNCTION public.segment_text(segment_id integer)
 RETURNS text
 LANGUAGE sql
 STABLE
BEGIN ATOMIC
 SELECT segments.text
    FROM public.segments
   WHERE (segments.id = segment_text.segment_id);
END;
COMMIT;
