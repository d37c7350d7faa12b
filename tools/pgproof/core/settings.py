"""Settings: flags > environment (DATABASE_URL, PGPROOF_SCRATCH, then a .env file) >
`[tool.pgproof]` in pyproject.toml > defaults.

The nearest pyproject.toml at or above the working directory is the project; relative
paths in it are relative to its folder. Only the CLI reads settings; every other module
receives URLs and paths.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dotenv import dotenv_values

from pgproof.core import db
from pgproof.core.errors import ConfigError
from pgproof.core.exclusions import DEFAULT_PATTERNS, Exclusions

# key in [tool.pgproof] -> (default, what it is)
KNOWN_KEYS: dict[str, tuple[Any, str]] = {
    "schema": ("schema/schema.sql", "the desired schema: a .sql file or a folder of them"),
    "fixes": ("data_fixes", "folder of data fixes"),
    "scratch": ("auto", "scratch provider: auto, embedded, local, local:/path/to/bin, docker or a postgresql:// URL"),
    "exclude": (list(DEFAULT_PATTERNS), "glob patterns of schema.name that pgproof never manages"),
    "lock_timeout_ms": (3000, "lock_timeout for each step of apply"),
    "statement_timeout_ms": (0, "statement_timeout for each step of apply (0: none)"),
    "apply_lock_wait_s": (30, "how long apply waits for another apply to finish"),
    "cache": (True, "keep a warm scratch cache (off by default where CI=true)"),
    "cache_dir": (None, "the cache folder (default: $XDG_CACHE_HOME/pgproof, else ~/.cache/pgproof)"),
    "managed_roles": ([], "roles whose privileges pgproof compares, plans and drifts (GRANT / REVOKE)"),
    "manage_owners": (False, "whether the owners of objects are compared, planned and drifted"),
    "rehearsal": ("violating", "which of the target's rows plan rehearses with on the scratch copy: "
                               "violating, sample or none"),
}
REHEARSALS = ("violating", "sample", "none")


@dataclass(frozen=True)
class Settings:
    db_url: str | None
    schema: Path
    fixes: Path
    scratch: str
    exclusions: Exclusions
    lock_timeout_ms: int = 3000
    statement_timeout_ms: int = 0
    apply_lock_wait_s: int = 30
    project_file: Path | None = None
    sources: dict[str, str] = field(default_factory=dict)  # setting -> where it came from
    cache: bool = False  # use the warm scratch cache in cache_dir
    cache_dir: Path | None = None
    rehearsal: str = "violating"  # plan/rehearsal.py


def find_project(start: Path) -> Path | None:
    """The nearest pyproject.toml at or above `start`."""
    for folder in (start, *start.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            return candidate
    return None


def read_project(path: Path | None) -> dict[str, Any]:
    """[tool.pgproof] of `path`, validated; {} when there is none."""
    if path is None:
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"cannot read {path}: it is not UTF-8 text; save it as UTF-8.") from None
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read {path}: {exc}; fix the TOML syntax.") from None
    tool = data.get("tool", {})
    section = tool.get("pgproof", {}) if isinstance(tool, dict) else None
    if not isinstance(section, dict):
        raise ConfigError(
            f"[tool.pgproof] in {path} must be a table of settings (like schema = \"schema/schema.sql\"), "
            "not a single value; fix pyproject.toml."
        )
    unknown = sorted(set(section) - set(KNOWN_KEYS))
    if unknown:
        raise ConfigError(
            f"unknown setting {unknown[0]!r} in [tool.pgproof] of {path}; "
            f"known settings are {', '.join(KNOWN_KEYS)}."
        )
    return section


def resolve(
    flags: Mapping[str, Any],
    *,
    cwd: Path | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Settings from `flags` (None means not given), the environment and the project."""
    cwd = cwd or Path.cwd()
    environ = os.environ if environ is None else environ
    project_file = find_project(cwd)
    project = read_project(project_file)
    base = project_file.parent if project_file else cwd
    dotenv = _dotenv(cwd, base)
    sources: dict[str, str] = {}

    def pick(name: str, env: str | None = None) -> Any:
        if flags.get(name) is not None:
            sources[name] = "flag"
            return flags[name]
        if env and environ.get(env):
            sources[name] = f"${env}"
            return environ[env]
        if env and dotenv.get(env):
            sources[name] = f".env {env}"
            return dotenv[env]
        if name in project:
            sources[name] = f"[tool.pgproof] {name}"
            return project[name]
        sources[name] = "default"
        return KNOWN_KEYS[name][0] if name in KNOWN_KEYS else None

    exclude = pick("exclude")
    if not isinstance(exclude, (list, tuple)) or not all(isinstance(p, str) for p in exclude):
        raise ConfigError("exclude in [tool.pgproof] must be a list of strings like \"public.alembic_version\".")
    db_url = pick("db", "DATABASE_URL")
    return Settings(
        cache=_cache_on(pick("cache", "PGPROOF_CACHE"), sources.get("cache", "default"), environ),
        cache_dir=_cache_dir(pick("cache_dir", "PGPROOF_CACHE_DIR"), base, environ),
        db_url=db.normalise(str(db_url), what=_origin(sources["db"])) if db_url else None,
        schema=_path(base, pick("schema"), flags.get("schema") is not None, cwd),
        fixes=_path(base, pick("fixes"), flags.get("fixes") is not None, cwd),
        scratch=str(pick("scratch", "PGPROOF_SCRATCH")),
        exclusions=Exclusions(tuple(exclude), *_access(pick("managed_roles"), pick("manage_owners"))),
        lock_timeout_ms=_int(pick("lock_timeout_ms"), "lock_timeout_ms"),
        statement_timeout_ms=_int(pick("statement_timeout_ms"), "statement_timeout_ms"),
        apply_lock_wait_s=_int(pick("apply_lock_wait_s"), "apply_lock_wait_s"),
        rehearsal=_rehearsal(pick("rehearsal"), sources.get("rehearsal", "default")),
        project_file=project_file,
        sources=sources,
    )


def _cache_on(value: Any, source: str, environ: Mapping[str, str]) -> bool:
    """The cache is on unless turned off; in CI (CI=true) it is off unless turned on,
    because a CI job starts with an empty cache anyway."""
    if source == "default":
        return str(environ.get("CI", "")).lower() not in ("true", "1", "yes")
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "on", "yes"):
        return True
    if text in ("0", "false", "off", "no"):
        return False
    raise ConfigError(f"cache ({source}) must be on or off, not {value!r}.")


def _cache_dir(value: Any, base: Path, environ: Mapping[str, str]) -> Path:
    if value:
        return _path(base, value, False, base)
    return default_folder(dict(environ))


def _rehearsal(value: Any, source: str) -> str:
    if value not in REHEARSALS:
        where = "--rehearsal" if source == "flag" else f"rehearsal in {source}"
        raise ConfigError(f"{where} must be one of {', '.join(REHEARSALS)}, not {value!r}.")
    return value


def _origin(source: str) -> str:
    return {"flag": "--db"}.get(source, source.replace("$", "").replace(".env ", ".env's "))


def _access(roles: Any, owners: Any) -> tuple[tuple[str, ...], bool]:
    """managed_roles and manage_owners, validated."""
    if not isinstance(roles, (list, tuple)) or not all(isinstance(r, str) and r.strip() for r in roles):
        raise ConfigError('managed_roles in [tool.pgproof] must be a list of role names like ["app", "reporting"].')
    if not isinstance(owners, bool):
        raise ConfigError(f"manage_owners in [tool.pgproof] must be true or false, not {owners!r}.")
    return tuple(dict.fromkeys(roles)), owners


def _dotenv(*folders: Path) -> dict[str, str]:
    for folder in folders:
        candidate = folder / ".env"
        if candidate.is_file():
            try:
                values = dotenv_values(candidate, encoding="utf-8")
            except UnicodeDecodeError:
                raise ConfigError(f"cannot read {candidate}: it is not UTF-8 text; save it as UTF-8.") from None
            except OSError as exc:
                raise ConfigError(f"cannot read {candidate}: {exc.strerror}; make it readable.") from None
            return {k: v for k, v in values.items() if v is not None}
    return {}


def _path(base: Path, value: Any, from_flag: bool, cwd: Path) -> Path:
    path = Path(str(value))
    if path.is_absolute():
        return path
    return (cwd if from_flag else base) / path


def _int(value: Any, name: str) -> int:
    try:
        # TOML `true` is a bool, which Python would take for 1.
        number = -1 if isinstance(value, bool) or isinstance(value, float) else int(value)
    except (TypeError, ValueError):
        number = -1
    if number < 0:
        raise ConfigError(f"{name} in [tool.pgproof] must be a whole number >= 0, not {value!r}.")
    return number


def default_folder(environ: dict[str, str] | None = None) -> Path:
    """$XDG_CACHE_HOME/pgproof, else ~/.cache/pgproof."""
    environ = os.environ if environ is None else environ
    base = environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "pgproof"
