"""Settings: flags > the named environment (`--env NAME`: [tool.pgproof.environments.NAME])
> environment variables (DATABASE_URL, PGPROOF_SCRATCH, then a .env file) >
`[tool.pgproof]` in pyproject.toml > defaults.

A named environment gives a target a name (staging, production) and its own settings.
Its `db` is the name of an environment variable that holds the URL, never a URL: a
password does not belong in pyproject.toml. Reports name the environment, not its host.

The nearest pyproject.toml at or above the working directory is the project; relative
paths in it are relative to its folder. Only the CLI reads settings; every other module
receives URLs and paths.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dotenv import dotenv_values

from pgproof.core import db
from pgproof.core.errors import ConfigError
from pgproof.core.exclusions import DEFAULT_PATTERNS, UNCOMPARED_KINDS, Exclusions

# key in [tool.pgproof] -> (default, what it is)
KNOWN_KEYS: dict[str, tuple[Any, str]] = {
    "schema": ("schema/schema.sql", "the desired schema: a .sql file or a folder of them"),
    "fixes": ("data_fixes", "folder of data fixes"),
    "scratch": ("auto", "scratch provider: auto, embedded, local, local:/path/to/bin, docker or a postgresql:// URL"),
    "exclude": (list(DEFAULT_PATTERNS), "glob patterns of schema.name that pgproof never manages"),
    "lock_timeout_ms": (3000, "lock_timeout for each step of apply"),
    "statement_timeout_ms": (0, "statement_timeout for each step of apply (0: none)"),
    "row_check_timeout_ms": (60_000, "how long plan and apply may count the rows that would make one statement fail"),
    "apply_lock_wait_s": (30, "how long apply waits for another apply to finish"),
    "trash_retention_days": (7, "how many days `pgproof trash purge` keeps dropped tables and column values"),
    "cache": (True, "keep a warm scratch cache (off by default where CI=true)"),
    "cache_dir": (None, "the cache folder (default: $XDG_CACHE_HOME/pgproof, else ~/.cache/pgproof)"),
    "cache_idle_minutes": (15, "how long a cache server may sit idle before it stops (a number of minutes, "
                               "fractions allowed)"),
    "cache_max_bytes": (2 << 30, "the size cap of the cache folder, in bytes: least recently used entries "
                                 "are evicted past it"),
    "managed_roles": ([], "roles whose privileges pgproof compares, plans and drifts (GRANT / REVOKE)"),
    "manage_owners": (False, "whether the owners of objects are compared, planned and drifted"),
    "environments": ({}, "named targets: [tool.pgproof.environments.NAME] with db (an environment variable's name), "
                         "scratch, exclude, managed_roles, manage_owners, timeouts, rehearsal"),
    "ignore_kinds": ([], "kinds pgproof does not compare that drift may leave out, like [\"publication\"]"),
    "rehearsal": ("violating", "which of the target's rows plan rehearses with on the scratch copy: "
                               "violating, sample or none"),
}
REHEARSALS = ("violating", "sample", "none")
# What a named environment may set ([tool.pgproof.environments.NAME]); `db` names a variable.
ENVIRONMENT_KEYS = ("db", "scratch", "exclude", "managed_roles", "manage_owners", "lock_timeout_ms",
                    "statement_timeout_ms", "apply_lock_wait_s", "cache", "rehearsal")


@dataclass(frozen=True)
class Settings:
    db_url: str | None
    schema: Path
    fixes: Path
    scratch: str
    exclusions: Exclusions
    lock_timeout_ms: int = 3000
    statement_timeout_ms: int = 0
    row_check_timeout_ms: int = 60_000
    apply_lock_wait_s: int = 30
    trash_retention_days: int = 7
    project_file: Path | None = None
    sources: dict[str, str] = field(default_factory=dict)  # setting -> where it came from
    cache: bool = False  # use the warm scratch cache in cache_dir
    cache_dir: Path | None = None
    cache_idle_minutes: float = 15.0  # a cache server stops after this long unused
    cache_max_bytes: int = 2 << 30  # the cache's size cap
    rehearsal: str = "violating"  # plan/rehearsal.py
    environment: str | None = None  # the --env NAME these settings are for

    @property
    def target_label(self) -> str:
        """How reports name the target: the environment's name, else the masked URL."""
        return f"environment {self.environment}" if self.environment else db.mask(self.db_url)


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
    _check_environments(section.get("environments", {}), path)
    return section


def _check_environments(environments: Any, path: Path) -> None:
    if not isinstance(environments, dict) or not all(isinstance(v, dict) for v in environments.values()):
        raise ConfigError(
            f"[tool.pgproof.environments] in {path} must hold one table per environment, like "
            '[tool.pgproof.environments.production] with db = "PRODUCTION_DATABASE_URL"; fix pyproject.toml.'
        )
    for name, section in environments.items():
        unknown = sorted(set(section) - set(ENVIRONMENT_KEYS))
        if unknown:
            raise ConfigError(
                f"unknown setting {unknown[0]!r} in [tool.pgproof.environments.{name}] of {path}; "
                f"an environment may set {', '.join(ENVIRONMENT_KEYS)}."
            )
        variable = section.get("db")
        if variable is not None and (not isinstance(variable, str) or not _VARIABLE.fullmatch(variable)):
            raise ConfigError(
                f"db in [tool.pgproof.environments.{name}] of {path} must be the name of an environment "
                'variable that holds the URL (like db = "PRODUCTION_DATABASE_URL"), never a URL: a password '
                "does not belong in pyproject.toml."
            )


def environment_section(project: dict[str, Any], name: str, project_file: Path | None) -> dict[str, Any]:
    """The settings of environment `name`, or one sentence naming the known ones."""
    environments = project.get("environments", {})
    if name not in environments:
        where = f"[tool.pgproof.environments] of {project_file}" if project_file else "no pyproject.toml"
        known = ", ".join(sorted(environments)) or "none"
        raise ConfigError(
            f"there is no environment {name!r} in {where} (known: {known}); add "
            f'[tool.pgproof.environments.{name}] with db = "{name.upper()}_DATABASE_URL", or use --db.'
        )
    section: dict[str, Any] = environments[name]
    return section


def resolve(
    flags: Mapping[str, Any],
    *,
    cwd: Path | None = None,
    environ: Mapping[str, str] | None = None,
    project: bool = True,
) -> Settings:
    """Settings from `flags` (None means not given), the environment and the project
    (unless `project` is False: init, which writes the project's settings)."""
    cwd = cwd or Path.cwd()
    environ = os.environ if environ is None else environ
    project_file = find_project(cwd) if project else None
    project_values = read_project(project_file)
    base = project_file.parent if project_file else cwd
    dotenv = _dotenv(cwd, base)
    sources: dict[str, str] = {}
    environment = flags.get("env")
    named = environment_section(project_values, environment, project_file) if environment else {}

    def pick(name: str, env: str | None = None) -> Any:
        if flags.get(name) is not None:
            sources[name] = "flag"
            return flags[name]
        if name in named:
            if name == "db":
                assert environment is not None  # `named` is empty without an environment
                sources[name] = f"${named[name]} of environment {environment}"
                return _variable(named[name], environment, environ, dotenv)
            sources[name] = f"[tool.pgproof.environments.{environment}] {name}"
            return named[name]
        if env and environ.get(env):
            sources[name] = f"${env}"
            return environ[env]
        if env and dotenv.get(env):
            sources[name] = f".env {env}"
            return dotenv[env]
        if name in project_values:
            sources[name] = f"[tool.pgproof] {name}"
            return project_values[name]
        sources[name] = "default"
        return KNOWN_KEYS[name][0] if name in KNOWN_KEYS else None

    exclude = pick("exclude")
    if not isinstance(exclude, (list, tuple)) or not all(isinstance(p, str) for p in exclude):
        raise ConfigError("exclude in [tool.pgproof] must be a list of strings like \"public.alembic_version\".")
    db_url = pick("db", "DATABASE_URL")
    return Settings(
        cache=_cache_on(pick("cache", "PGPROOF_CACHE"), sources.get("cache", "default"), environ),
        cache_dir=_cache_dir(pick("cache_dir", "PGPROOF_CACHE_DIR"), base, environ),
        cache_idle_minutes=_minutes(pick("cache_idle_minutes", "PGPROOF_CACHE_IDLE_MINUTES"), "cache_idle_minutes"),
        cache_max_bytes=_int(pick("cache_max_bytes", "PGPROOF_CACHE_MAX_BYTES"), "cache_max_bytes"),
        db_url=db.normalise(str(db_url), what=_origin(sources["db"])) if db_url else None,
        schema=_path(base, pick("schema"), flags.get("schema") is not None, cwd),
        fixes=_path(base, pick("fixes"), flags.get("fixes") is not None, cwd),
        scratch=str(pick("scratch", "PGPROOF_SCRATCH")),
        exclusions=Exclusions(tuple(exclude), *_access(pick("managed_roles"), pick("manage_owners")),
                              ignored_kinds=_ignored_kinds(pick("ignore_kinds"))),
        lock_timeout_ms=_int(pick("lock_timeout_ms"), "lock_timeout_ms"),
        statement_timeout_ms=_int(pick("statement_timeout_ms"), "statement_timeout_ms"),
        row_check_timeout_ms=_int(pick("row_check_timeout_ms", "PGPROOF_ROW_CHECK_TIMEOUT_MS"), "row_check_timeout_ms"),
        apply_lock_wait_s=_int(pick("apply_lock_wait_s"), "apply_lock_wait_s"),
        trash_retention_days=_int(pick("trash_retention_days"), "trash_retention_days"),
        rehearsal=_rehearsal(pick("rehearsal"), sources.get("rehearsal", "default")),
        project_file=project_file,
        sources=sources,
        environment=environment,
    )


_VARIABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _variable(name: str, environment: str, environ: Mapping[str, str], dotenv: Mapping[str, str | None]) -> str:
    """The URL held by the variable an environment's `db` names (environment, then .env)."""
    value = environ.get(name) or dotenv.get(name)
    if not value:
        raise ConfigError(
            f"environment {environment} reads its database URL from ${name}, which is not set; "
            f"export {name}=postgresql://... (or put it in .env), or use --db."
        )
    return value


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
    return str(value)


def _origin(source: str) -> str:
    return {"flag": "--db"}.get(source, source.replace("$", "").replace(".env ", ".env's "))


def _access(roles: Any, owners: Any) -> tuple[tuple[str, ...], bool]:
    """managed_roles and manage_owners, validated."""
    if not isinstance(roles, (list, tuple)) or not all(isinstance(r, str) and r.strip() for r in roles):
        raise ConfigError('managed_roles in [tool.pgproof] must be a list of role names like ["app", "reporting"].')
    if not isinstance(owners, bool):
        raise ConfigError(f"manage_owners in [tool.pgproof] must be true or false, not {owners!r}.")
    return tuple(dict.fromkeys(roles)), owners


def _ignored_kinds(kinds: Any) -> tuple[str, ...]:
    """ignore_kinds, validated against the kinds pgproof does not compare."""
    example = 'ignore_kinds = ["publication", "foreign server"]'
    if not isinstance(kinds, (list, tuple)) or not all(isinstance(k, str) for k in kinds):
        raise ConfigError(f"ignore_kinds in [tool.pgproof] must be a list of kinds like {example}.")
    for kind in kinds:
        if kind not in UNCOMPARED_KINDS:
            raise ConfigError(
                f"ignore_kinds in [tool.pgproof] names {kind!r}, which is not a kind pgproof leaves "
                f"uncompared; the kinds are: {', '.join(UNCOMPARED_KINDS)}."
            )
    return tuple(dict.fromkeys(kinds))


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


def _minutes(value: Any, name: str) -> float:
    try:
        number = -1.0 if isinstance(value, bool) else float(value)
    except (TypeError, ValueError):
        number = -1.0
    if not number > 0:
        raise ConfigError(f"{name} in [tool.pgproof] must be a number of minutes > 0 (like 15 or 0.5), not {value!r}.")
    return number


def default_folder(environ: Mapping[str, str] | None = None) -> Path:
    """$XDG_CACHE_HOME/pgproof, else ~/.cache/pgproof."""
    environ = os.environ if environ is None else environ
    base = environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "pgproof"
