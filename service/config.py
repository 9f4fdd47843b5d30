"""Explicit configuration of the Alur service.

(REST authentication is `ALUR_REST_AUTH`, read by `service.api.auth`; Flask settings such as that one may
also be given as upper-case keys of the mapping passed to `create_app`.)

Every setting has one name, one default and one environment variable. `Config.from_env()` reads the
environment once; `create_app(config)` and the CLI receive a `Config` (or a mapping of overrides), so
tests never depend on the process environment.
"""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Mapping

_TRUE = {"1", "true", "yes", "on", "ya"}
_FALSE = {"0", "false", "no", "off", "tidak", ""}


class ConfigError(ValueError):
    """A configuration value cannot be used; the message names the setting."""


def _flag(name: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ConfigError(f"{name}: expected on/off (1/0, true/false), got {raw!r}")


@dataclass(frozen=True)
class Config:
    """Settings of one service process. Environment variable in brackets."""

    # [ALUR_INSTANCE_PATH] directory for the embedded database and other local state
    instance_path: Path = Path("instance")
    # [DATABASE_URL] SQLAlchemy URL; default: SQLite file `<instance_path>/alur.db`
    database_url: str | None = None
    # [SECRET_KEY] Flask session key; a random one per process when unset (sessions then die on restart)
    secret_key: str | None = None
    # [ALUR_SCHEDULER] run the timer scheduler as a thread inside `alur serve`
    scheduler: bool = True
    # [ALUR_SCHEDULER_INTERVAL] seconds between two scheduler polls
    scheduler_interval: float = 5.0
    # [ALUR_TIMER_LEASE] seconds a scheduler owns a claimed due timer before another may take it over
    timer_lease_seconds: float = 60.0
    # [ALUR_DEFAULT_TENANT] tenant used when a request names none (None = the shared, tenant-less space)
    default_tenant: str | None = None
    # [ALUR_SQL_ECHO] log SQL statements
    sql_echo: bool = False
    # [ALUR_WEB] serve the web pages (service.web); off = the REST API only
    web: bool = True
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

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> "Config":
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        if "ALUR_INSTANCE_PATH" in env:
            values["instance_path"] = Path(env["ALUR_INSTANCE_PATH"])
        if env.get("DATABASE_URL"):
            values["database_url"] = env["DATABASE_URL"]
        if env.get("SECRET_KEY"):
            values["secret_key"] = env["SECRET_KEY"]
        if "ALUR_SCHEDULER" in env:
            values["scheduler"] = _flag("ALUR_SCHEDULER", env["ALUR_SCHEDULER"])
        if "ALUR_WEB" in env:
            values["web"] = _flag("ALUR_WEB", env["ALUR_WEB"])
        if "ALUR_SQL_ECHO" in env:
            values["sql_echo"] = _flag("ALUR_SQL_ECHO", env["ALUR_SQL_ECHO"])
        for name, key in (("scheduler_interval", "ALUR_SCHEDULER_INTERVAL"),
                          ("timer_lease_seconds", "ALUR_TIMER_LEASE")):
            if env.get(key):
                try:
                    values[name] = float(env[key])
                except ValueError:
                    raise ConfigError(f"{key}: expected a number of seconds, got {env[key]!r}") from None
        if env.get("ALUR_DEFAULT_TENANT"):
            values["default_tenant"] = env["ALUR_DEFAULT_TENANT"]
        values.update(overrides)
        return cls(**values).validated()

    @classmethod
    def coerce(cls, config: "Config | Mapping[str, Any] | None") -> "Config":
        """A Config from a Config, a mapping of field names (overrides of the environment), or None."""
        if isinstance(config, Config):
            return config.validated()
        if config is None:
            return cls.from_env()
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(config) - known)
        overrides = {k: v for k, v in config.items() if k in known}
        # Upper-case keys are Flask settings (TESTING, SERVER_NAME...), passed through.
        flask = {k: v for k, v in config.items() if k in unknown and k.isupper()}
        bad = [k for k in unknown if not k.isupper()]
        if bad:
            raise ConfigError(f"unknown configuration keys: {', '.join(bad)}")
        if flask:
            overrides["flask"] = {**dict(overrides.get("flask", {})), **flask}
        if "instance_path" in overrides:
            overrides["instance_path"] = Path(overrides["instance_path"])
        return cls.from_env(**overrides)

    def validated(self) -> "Config":
        if self.scheduler_interval <= 0:
            raise ConfigError("ALUR_SCHEDULER_INTERVAL must be positive")
        if self.timer_lease_seconds <= 0:
            raise ConfigError("ALUR_TIMER_LEASE must be positive")
        return self

    def with_secret(self) -> "Config":
        return self if self.secret_key else replace(self, secret_key=secrets.token_hex(32))


__all__ = ["Config", "ConfigError"]
