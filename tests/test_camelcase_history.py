"""A Prisma-style schema (every identifier quoted and camelCase, enum columns with
defaults, relations) through ten successive changes: each version is planned, applied
(every hazard its plan names allowed) and must then drift with exit 0, on every major.
The rows inserted along the way must survive every change."""

from __future__ import annotations

from conftest import run_sql
from pgproof.core import plan_file

USER = '''CREATE TABLE "User" (
    "id" SERIAL NOT NULL,
    "email" TEXT NOT NULL,
    "role" "Role" NOT NULL DEFAULT 'USER',
    {plan}
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,{extra}
    CONSTRAINT "User_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "User_email_key" ON "User"("email");
'''
ORDER = '''CREATE TABLE "Order" (
    "id" SERIAL NOT NULL,
    "userId" INTEGER NOT NULL,
    "orderStatus" "OrderStatus" NOT NULL DEFAULT 'PENDING',
    {paid}
    "totalCents" INTEGER NOT NULL DEFAULT 0,{extra}
    CONSTRAINT "Order_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "Order_userId_idx" ON "Order"("userId");
ALTER TABLE "Order" ADD CONSTRAINT "Order_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id")
    ON DELETE CASCADE ON UPDATE CASCADE;
'''
PAID_BOOL = '"isPaid" BOOLEAN NOT NULL DEFAULT false,'
PAID_ENUM = '"isPaid" "PaymentState" NOT NULL DEFAULT \'UNPAID\','
PAID_DIRECTIVE = ('-- pgproof: convert column public."Order"."isPaid" using '
                  'CASE WHEN "isPaid" THEN \'PAID\' ELSE \'UNPAID\' END::"PaymentState"\n')
PLAN_TEXT = '"plan" TEXT DEFAULT \'basic\','
PLAN_ENUM = '"plan" "PlanKind" DEFAULT \'free\','
PLAN_ENUM_2 = '"plan" "PlanKind" DEFAULT \'team\','
POLICY = '''ALTER TABLE "Order" ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Order_ownerReads" ON "Order" FOR SELECT USING ("userId" = 1 OR "orderStatus" = 'PENDING');
'''


def _v(roles: str, statuses: str = "", *, user_extra: str = "", order: str | None = None, paid: str = PAID_BOOL,
       plan: str = PLAN_TEXT, enums: str = "", order_extra: str = "", tail: str = "") -> str:
    text = f'CREATE TYPE "Role" AS ENUM ({roles});\n' + enums
    if statuses:
        text += f'CREATE TYPE "OrderStatus" AS ENUM ({statuses});\n'
    text += USER.format(plan=plan, extra=user_extra)
    if order is not None:
        text += order + ORDER.format(paid=paid, extra=order_extra)
    return text + tail


PAYMENT = 'CREATE TYPE "PaymentState" AS ENUM (\'UNPAID\', \'PAID\');\n'
KINDS = 'CREATE TYPE "PlanKind" AS ENUM (\'free\', \'pro\');\n'
KINDS_2 = 'CREATE TYPE "PlanKind" AS ENUM (\'pro\', \'team\');\n'
TAGS = 'CREATE TYPE "Tag" AS ENUM (\'NEW\', \'HOT\', \'OLD\');\n'
TAGS_2 = 'CREATE TYPE "Tag" AS ENUM (\'NEW\', \'HOT\');\n'
TAGS_COLUMN = '\n    "orderTags" "Tag"[] NOT NULL DEFAULT ARRAY[\'NEW\']::"Tag"[],'
CHECK = 'ALTER TABLE "Order" ADD CONSTRAINT "Order_totalCents_check" CHECK ("totalCents" >= 0);\n'
DISPLAY = '\n    "displayName" TEXT,'

# (the schema, rows inserted once it is applied)
VERSIONS = [
    (_v("'USER', 'ADMIN'"),
     '''INSERT INTO "User" ("email", "role", "plan") VALUES ('a@x.io', 'ADMIN', 'pro'), ('b@x.io', 'USER', 'pro')'''),
    (_v("'USER', 'ADMIN'", "'PENDING', 'SHIPPED'", order=""),
     '''INSERT INTO "Order" ("userId", "orderStatus", "isPaid", "totalCents")
        VALUES (1, 'PENDING', true, 1200), (2, 'PENDING', false, 800)'''),
    (_v("'USER', 'ADMIN'", "'PENDING', 'SHIPPED', 'DELIVERED'", order="", user_extra=DISPLAY),
     '''UPDATE "User" SET "displayName" = 'Ann' WHERE "id" = 1'''),
    (_v("'USER', 'MODERATOR', 'ADMIN'", "'PENDING', 'SHIPPED', 'DELIVERED'", order="", user_extra=DISPLAY)
     .replace("DEFAULT 'USER'", "DEFAULT 'MODERATOR'"), ""),
    (_v("'USER', 'MODERATOR', 'ADMIN'", "'PENDING', 'DELIVERED'", order="", user_extra=DISPLAY)
     .replace("DEFAULT 'USER'", "DEFAULT 'MODERATOR'"), ""),  # a label removed: the enum is re-created
    (_v("'USER', 'MODERATOR', 'ADMIN'", "'PENDING', 'DELIVERED'", order=PAID_DIRECTIVE, paid=PAID_ENUM,
        enums=PAYMENT, user_extra=DISPLAY).replace("DEFAULT 'USER'", "DEFAULT 'MODERATOR'"), ""),
    (_v("'USER', 'MODERATOR', 'ADMIN'", "'PENDING', 'DELIVERED'", order="", paid=PAID_ENUM, plan=PLAN_ENUM,
        enums=PAYMENT + KINDS, user_extra=DISPLAY).replace("DEFAULT 'USER'", "DEFAULT 'MODERATOR'"), ""),
    (_v("'USER', 'MODERATOR', 'ADMIN'", "'PENDING', 'DELIVERED'", order="", paid=PAID_ENUM, plan=PLAN_ENUM_2,
        enums=PAYMENT + KINDS_2, user_extra=DISPLAY).replace("DEFAULT 'USER'", "DEFAULT 'MODERATOR'"), ""),
    (_v("'USER', 'MODERATOR', 'ADMIN'", "'PENDING', 'DELIVERED'", order="", paid=PAID_ENUM, plan=PLAN_ENUM_2,
        enums=PAYMENT + KINDS_2 + TAGS, user_extra=DISPLAY, order_extra=TAGS_COLUMN, tail=POLICY)
     .replace("DEFAULT 'USER'", "DEFAULT 'MODERATOR'"),
     '''UPDATE "Order" SET "orderTags" = ARRAY['HOT']::"Tag"[] WHERE "id" = 1'''),
    (_v("'USER', 'MODERATOR', 'ADMIN'", "'PENDING', 'DELIVERED'", order="", paid=PAID_ENUM, plan=PLAN_ENUM_2,
        enums=PAYMENT + KINDS_2 + TAGS_2, order_extra=TAGS_COLUMN, tail=POLICY + CHECK)
     .replace("DEFAULT 'USER'", "DEFAULT 'MODERATOR'"), ""),
]


def test_a_camelcase_schema_goes_through_ten_changes(pgproof, empty_db, tmp_path):
    assert len(VERSIONS) == 10
    schema = tmp_path / "schema.sql"
    for number, (text, rows) in enumerate(VERSIONS, start=1):
        schema.write_text(text)
        plan_path = tmp_path / f"plan{number}.sql"
        made = pgproof("plan", "--db", empty_db, "--schema", str(schema), "--out", str(plan_path))
        assert made.code == 0, f"version {number}: {made.err}"
        codes = plan_file.read(plan_path).hazard_codes
        allowed = ("--allow-hazards", ",".join(codes)) if codes else ()
        applied = pgproof("apply", str(plan_path), "--db", empty_db, "--yes", *allowed)
        assert applied.code == 0, f"version {number}: {applied.err}"
        drift = pgproof("drift", "--db", empty_db, "--schema", str(schema))
        assert drift.code == 0, f"version {number}: {drift.out}{drift.err}"
        if rows:
            run_sql(empty_db, rows)
    assert run_sql(empty_db, 'SELECT "id", "orderStatus"::text, "isPaid"::text, "orderTags"::text FROM "Order" '
                             'ORDER BY "id"') == [(1, "PENDING", "PAID", "{HOT}"), (2, "PENDING", "UNPAID", "{NEW}")]
    assert run_sql(empty_db, 'SELECT "email", "role"::text, "plan"::text FROM "User" ORDER BY "id"') == [
        ("a@x.io", "ADMIN", "pro"), ("b@x.io", "USER", "pro")]
