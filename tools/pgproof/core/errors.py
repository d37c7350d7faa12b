"""Exit codes and the error hierarchy: the one door through which failures reach people.

Every expected failure is a `PgProofError` whose message is one sentence: what went
wrong, where, and what to do. The CLI prints it and exits with its `exit_code`; anything
else is a bug: one sentence saying so, and the traceback with `--traceback`.
"""

from __future__ import annotations

import enum


class ExitCode(enum.IntEnum):
    """Like `terraform plan -detailed-exitcode` and migra's own exit codes."""

    OK = 0  # success, or no changes / no drift
    ERROR = 1  # something went wrong; the message says what
    CHANGES = 2  # diff has statements, or the target drifted
    REFUSED = 3  # refused for safety: hazards not allowed, stale or edited plan
    INTERRUPTED = 130  # Ctrl-C or SIGTERM, like a shell reports a SIGINT (128 + 2)


class PgProofError(Exception):
    """An expected failure, explained in one sentence."""

    exit_code = ExitCode.ERROR


class ConfigError(PgProofError):
    """Bad flags, environment or [tool.pgproof] settings."""


class ConnectionFailed(PgProofError):
    """A database could not be reached or refused our credentials."""


class SchemaError(PgProofError):
    """The desired schema does not load; the message carries file:line:col."""


class ScratchError(PgProofError):
    """A scratch database could not be provided."""


class DiffError(PgProofError):
    """The diff engine failed or the result does not converge."""


class UnparsableSQL(PgProofError):
    """A statement pglast cannot parse: named, never skipped."""


class FixError(PgProofError):
    """A data fix is malformed, failed, or cannot succeed (preflight)."""


class ApplyError(PgProofError):
    """A plan failed while being applied."""


class ConnectionLost(PgProofError):
    """A database connection broke in the middle of a command."""


class Interrupted(PgProofError):
    """Ctrl-C or SIGTERM stopped a command; the message says where the target stands."""

    exit_code = ExitCode.INTERRUPTED


class Refused(PgProofError):
    """Refused for safety; nothing was changed."""

    exit_code = ExitCode.REFUSED
