-- no plan: the diff has the gap column-type-cast; its statements, run directly:

create type "public"."MemberState" as enum ('ACTIVE', 'INACTIVE');

