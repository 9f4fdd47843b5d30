"""Explicit configuration of the Alur service: the one place that reads the environment.

Every setting has one field, one default and one environment variable (`ENVIRONMENT`). `Config.from_env()`
reads the environment once; `create_app(config)` and the CLI receive a `Config` (or a mapping of overrides),
so tests never depend on the process environment. In a mapping, a setting may be given by its field name or
by its variable name (`{"ALUR_REST_AUTH": "off"}`); other upper-case keys are Flask settings.
"""
from __future__ import annotations

import math
import os
import secrets
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Callable, Mapping

_TRUE = {"1", "true", "yes", "on", "ya"}
_FALSE = {"0", "false", "no", "off", "tidak", ""}


class ConfigError(ValueError):
    """A configuration value cannot be used; the message names the setting."""


def parse_flag(name: str, raw: Any) -> bool:
    """The one on/off parser: 1/0, true/false, yes/no, on/off, ya/tidak (any case)."""
    if isinstance(raw, bool):
        return raw
    value = str(raw).strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ConfigError(f"{name}: expected on/off (1/0, true/false), got {raw!r}")


def _number(kind: Callable[[Any], Any], what: str) -> Callable[[str, Any], Any]:
    def parse(name: str, raw: Any) -> Any:
        try:
            if isinstance(raw, bool):
                raise ValueError(raw)
            return kind(raw if isinstance(raw, (int, float)) else str(raw).strip())
        except ValueError:
            raise ConfigError(f"{name}: expected {what}, got {raw!r}") from None
    return parse


def _path(name: str, raw: Any) -> Path:
    return Path(raw)


def _text(name: str, raw: Any) -> str:
    return str(raw)


def _types(name: str, raw: Any) -> tuple[str, ...]:
    items = raw.split(",") if isinstance(raw, str) else list(raw)
    return tuple(str(t).strip().lower().lstrip(".") for t in items if str(t).strip())


def _modules(name: str, raw: Any) -> tuple[str, ...]:
    """Comma-separated dotted import paths (checked for shape here; imported when the app starts)."""
    items = raw.split(",") if isinstance(raw, str) else list(raw)
    paths = tuple(str(i).strip() for i in items if str(i).strip())
    for path in paths:
        if not all(part.isidentifier() for part in path.split(".")):
            raise ConfigError(f"{name}: {path!r} is not a module path")
    return paths


def _networks(name: str, raw: Any) -> tuple[str, ...]:
    """IP addresses or CIDR networks, comma-separated; each checked here so a typo fails at start."""
    import ipaddress

    items = raw.split(",") if isinstance(raw, str) else list(raw)
    out = []
    for item in (str(i).strip() for i in items):
        if not item:
            continue
        try:
            out.append(str(ipaddress.ip_network(item, strict=False)))
        except ValueError:
            raise ConfigError(f"{name}: not an IP address or network: {item!r}") from None
    return tuple(out)


@dataclass(frozen=True)
class Config:
    """Settings of one service process; each field's environment variable is in `ENVIRONMENT`."""

    # directory for the embedded database and other local state
    instance_path: Path = Path("instance")
    # SQLAlchemy URL; default: SQLite file `<instance_path>/alur.db`
    database_url: str | None = None
    # Flask session key; a random one per process when unset (sessions then die on restart)
    secret_key: str | None = None
    # run the timer scheduler as a thread inside `alur serve`
    scheduler: bool = True
    # seconds between two scheduler polls
    scheduler_interval: float = 5.0
    # seconds a scheduler owns a claimed due timer before another may take it over
    timer_lease_seconds: float = 60.0
    # log SQL statements
    sql_echo: bool = False
    # serve the web pages (service.web); off = the REST API only
    web: bool = True
    # HTTP Basic authentication on /engine-rest; off for local development
    rest_auth: bool = True
    # failed logins per user name within the window before further attempts are refused
    login_max_failures: int = 5
    # seconds after its last failure that a user name (and address) is forgotten by the login back-off
    login_window_seconds: float = 300.0
    # the longest login back-off delay, in seconds (it doubles from 1 s with each failure past the limit)
    login_max_delay_seconds: float = 60.0
    # reverse proxies (addresses or CIDR networks) whose X-Forwarded-For names the client of a login
    trusted_proxies: tuple[str, ...] = ()
    # the address users open; https:// makes the session cookie Secure
    public_url: str | None = None
    # never mark the session cookie Secure (a TLS-terminating proxy in front)
    insecure_cookies: bool = False
    # uploaded documents; default `<instance_path>/documents`
    documents_path: Path | None = None
    # largest uploaded document, in bytes (None: the operations layer's default, 20 MiB)
    document_max_bytes: int | None = None
    # allowed document extensions (None: the operations layer's default list)
    document_types: tuple[str, ...] | None = None
    # the working-day calendar (None: the bundled file)
    holidays_file: Path | None = None
    # the engine's work budget (service/engine/budget.py): automatic steps of one action without a wait state
    engine_max_steps: int = 1000
    # wall-clock seconds of one action's automatic steps
    engine_max_action_seconds: float = 10.0
    # children of one multi-instance activity, and created by one action
    engine_max_multi_instance: int = 1000
    # live tokens (unfinished tasks) of one instance
    engine_max_tokens: int = 5000
    # call activities nested inside each other at run time
    engine_max_call_depth: int = 10
    # modules whose register(registry) or DELEGATES dict adds delegate/listener handlers (docs/DELEGATES.md)
    delegate_modules: tuple[str, ...] = ()
    # the JavaScript sandbox (service/engine/scripting): milliseconds one script may run
    script_timeout_ms: int = 1000
    # megabytes of V8 heap one script may use
    script_memory_mb: int = 64
    # shortest period of a timer cycle accepted at deploy (and at run time for expressions)
    timer_min_cycle_seconds: float = 60.0
    # create the demo users at `alur serve` (never on a production server: known passwords)
    demo_users: bool = False
    # folder holding bpmn/, dmn/, forms/ for `alur serve --deploy-dirs` (None: the current folder)
    root: Path | None = None
    # `alur serve` port
    port: int = 5000
    # size limits on what users send (service/ops/input_limits.py), in bytes or levels
    max_request_bytes: int = 64 * 1024 * 1024      # one HTTP request body (413 above)
    max_model_bytes: int = 5 * 1024 * 1024         # one deployed BPMN, DMN or form resource
    max_form_bytes: int = 1024 * 1024              # one form's JSON
    max_form_depth: int = 32                       # nesting of arrays and objects in a form's JSON
    max_variable_bytes: int = 1024 * 1024          # one variable's value (strings, lists, objects together)
    max_instance_bytes: int = 16 * 1024 * 1024     # one process instance's saved state (all its variables)
    # `alur serve` worker processes (None: one per core on PostgreSQL, 1 on SQLite, which allows one writer)
    workers: int | None = None
    # request threads of each `alur serve` process; its connection pool holds one per thread plus the scheduler's
    threads: int = 8
    # extra Flask settings (tests: TESTING=True)
    flask: Mapping[str, Any] = field(default_factory=dict)

    @property
    def uses_default_database(self) -> bool:
        """True for the default SQLite file in the instance folder: the only database whose folder
        Alur creates (a user-given URL naming a missing folder is an error, not a new directory)."""
        return not self.database_url

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(Path(self.instance_path) / 'alur.db').resolve()}"

    @property
    def effective_documents_path(self) -> Path:
        return self.documents_path or Path(self.instance_path).resolve() / "documents"

    @property
    def effective_root(self) -> Path:
        return self.root or Path.cwd()

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> "Config":
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for name, (variable, parse) in ENVIRONMENT.items():
            raw = env.get(variable)
            # An empty value means unset, except for on/off settings ("" = off) and the instance folder
            # ("" = the current folder).
            if raw is not None and (raw != "" or name == "instance_path" or parse is parse_flag):
                values[name] = parse(variable, raw)
        values.update(overrides)
        return cls(**values).validated()

    @classmethod
    def coerce(cls, config: "Config | Mapping[str, Any] | None") -> "Config":
        """A Config from a Config, a mapping of overrides of the environment (field or variable names,
        upper-case Flask settings), or None."""
        if isinstance(config, Config):
            return config.validated()
        if config is None:
            return cls.from_env()
        known = {f.name for f in fields(cls)}
        by_variable = {variable: name for name, (variable, _) in ENVIRONMENT.items()}
        overrides: dict[str, Any] = {}
        flask: dict[str, Any] = {}
        bad: list[str] = []
        for key, value in config.items():
            if key in by_variable:
                name = by_variable[key]
                overrides[name] = value if value is None else ENVIRONMENT[name][1](key, value)
            elif key in known:
                overrides[key] = value
            elif key.isupper():
                flask[key] = value
            else:
                bad.append(key)
        if bad:
            raise ConfigError(f"unknown configuration keys: {', '.join(sorted(bad))}")
        if flask:
            overrides["flask"] = {**dict(overrides.get("flask", {})), **flask}
        for name in ("instance_path", "documents_path", "holidays_file", "root"):
            if overrides.get(name) is not None:
                overrides[name] = Path(overrides[name])
        return cls.from_env(**overrides)

    def validated(self) -> "Config":
        positive = {"scheduler_interval": self.scheduler_interval, "timer_lease_seconds": self.timer_lease_seconds,
                    "login_max_failures": self.login_max_failures,
                    "login_window_seconds": self.login_window_seconds,
                    "login_max_delay_seconds": self.login_max_delay_seconds, "port": self.port,
                    "engine_max_steps": self.engine_max_steps,
                    "engine_max_action_seconds": self.engine_max_action_seconds,
                    "engine_max_multi_instance": self.engine_max_multi_instance,
                    "engine_max_tokens": self.engine_max_tokens, "engine_max_call_depth": self.engine_max_call_depth,
                    "timer_min_cycle_seconds": self.timer_min_cycle_seconds,
                    "script_timeout_ms": self.script_timeout_ms, "script_memory_mb": self.script_memory_mb,
                    **{name: getattr(self, name) for name in SIZE_LIMITS},
                    "threads": self.threads}
        if self.workers is not None:
            positive["workers"] = self.workers
        if self.document_max_bytes is not None:
            positive["document_max_bytes"] = self.document_max_bytes
        for name, value in positive.items():
            if not math.isfinite(value) or value <= 0:
                raise ConfigError(f"{ENVIRONMENT[name][0]} must be positive, got {value!r}")
        return self

    def with_secret(self) -> "Config":
        return self if self.secret_key else replace(self, secret_key=secrets.token_hex(32))


_seconds = _number(float, "a number of seconds")
_count = _number(int, "a whole number")

# field -> (environment variable, parser)
ENVIRONMENT: dict[str, tuple[str, Callable[[str, Any], Any]]] = {
    "instance_path": ("ALUR_INSTANCE_PATH", _path),
    "database_url": ("DATABASE_URL", _text),
    "secret_key": ("SECRET_KEY", _text),
    "scheduler": ("ALUR_SCHEDULER", parse_flag),
    "scheduler_interval": ("ALUR_SCHEDULER_INTERVAL", _seconds),
    "timer_lease_seconds": ("ALUR_TIMER_LEASE", _seconds),
    "engine_max_steps": ("ALUR_ENGINE_MAX_STEPS", _count),
    "engine_max_action_seconds": ("ALUR_ENGINE_MAX_ACTION_SECONDS", _seconds),
    "engine_max_multi_instance": ("ALUR_ENGINE_MAX_MULTI_INSTANCE", _count),
    "engine_max_tokens": ("ALUR_ENGINE_MAX_TOKENS", _count),
    "engine_max_call_depth": ("ALUR_ENGINE_MAX_CALL_DEPTH", _count),
    "timer_min_cycle_seconds": ("ALUR_TIMER_MIN_CYCLE_SECONDS", _seconds),
    "delegate_modules": ("ALUR_DELEGATE_MODULES", _modules),
    "script_timeout_ms": ("ALUR_SCRIPT_TIMEOUT_MS", _count),
    "script_memory_mb": ("ALUR_SCRIPT_MEMORY_MB", _count),
    "sql_echo": ("ALUR_SQL_ECHO", parse_flag),
    "web": ("ALUR_WEB", parse_flag),
    "rest_auth": ("ALUR_REST_AUTH", parse_flag),
    "login_max_failures": ("ALUR_LOGIN_MAX_FAILURES", _count),
    "login_window_seconds": ("ALUR_LOGIN_WINDOW_SECONDS", _seconds),
    "login_max_delay_seconds": ("ALUR_LOGIN_MAX_DELAY_SECONDS", _seconds),
    "trusted_proxies": ("ALUR_TRUSTED_PROXIES", _networks),
    "public_url": ("ALUR_PUBLIC_URL", _text),
    "insecure_cookies": ("ALUR_INSECURE_COOKIES", parse_flag),
    "documents_path": ("ALUR_DOCUMENTS_PATH", _path),
    "document_max_bytes": ("ALUR_DOCUMENT_MAX_BYTES", _number(int, "a number of bytes")),
    "document_types": ("ALUR_DOCUMENT_TYPES", _types),
    "holidays_file": ("ALUR_HOLIDAYS_FILE", _path),
    "demo_users": ("ALUR_DEMO_USERS", parse_flag),
    "root": ("ALUR_ROOT", _path),
    "port": ("PORT", _count),
    "max_request_bytes": ("ALUR_MAX_REQUEST_BYTES", _count),
    "max_model_bytes": ("ALUR_MAX_MODEL_BYTES", _count),
    "max_form_bytes": ("ALUR_MAX_FORM_BYTES", _count),
    "max_form_depth": ("ALUR_MAX_FORM_DEPTH", _count),
    "max_variable_bytes": ("ALUR_MAX_VARIABLE_BYTES", _count),
    "max_instance_bytes": ("ALUR_MAX_INSTANCE_BYTES", _count),
    "workers": ("ALUR_WORKERS", _count),
    "threads": ("ALUR_THREADS", _count),
}
SIZE_LIMITS = ("max_request_bytes", "max_model_bytes", "max_form_bytes", "max_form_depth", "max_variable_bytes",
               "max_instance_bytes")


__all__ = ["Config", "ConfigError", "ENVIRONMENT", "parse_flag"]
