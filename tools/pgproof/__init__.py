"""pgproof: declarative schema-as-code, with diff-based migrations, for PostgreSQL + pgvector."""

__version__ = "0.2.0"
