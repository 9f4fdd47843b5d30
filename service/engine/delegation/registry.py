"""Handlers registered by name: what camunda:class, delegateExpression beans and expression beans resolve to.

A handler is a Python callable taking the `execution` (or `task`) facade, a class whose instances have
`execute(execution)` (delegates) or `notify(execution | task)` (listeners), or such an instance (a "bean":
expression methods are called on it). Sources, read by `reload()`:
- the package entry points of group `alur.delegates` (name = the name models use, value = the handler);
- the modules named in ALUR_DELEGATE_MODULES: their `register(registry)` is called, or their module-level
  `DELEGATES` dict ({name: handler}) is added.
Nothing from a model is ever imported: a name resolves only to what was registered here.
"""
from __future__ import annotations

import importlib
import threading
from importlib.metadata import entry_points
from typing import Any, Iterable

ENTRY_POINT_GROUP = "alur.delegates"


class RegistryError(Exception):
    """A handler source cannot be loaded (a module that does not import, a bad entry)."""


class DelegateRegistry:
    def __init__(self, modules: Iterable[str] = (), *, use_entry_points: bool = True) -> None:
        self.modules = tuple(modules)
        self.use_entry_points = use_entry_points
        self._handlers: dict[str, Any] = {}
        self._lock = threading.Lock()

    def register(self, name: str, handler: Any) -> None:
        if not isinstance(name, str) or not name.strip():
            raise RegistryError(f"a handler needs a non-empty name, got {name!r}")
        if handler is None:
            raise RegistryError(f"handler {name!r} is None")
        with self._lock:
            self._handlers[name.strip()] = handler

    def unregister(self, name: str) -> None:
        with self._lock:
            self._handlers.pop(name, None)

    def get(self, name: str) -> Any | None:
        return self._handlers.get(name)

    def __contains__(self, name: object) -> bool:
        return name in self._handlers

    def names(self) -> list[str]:
        return sorted(self._handlers)

    def reload(self) -> "DelegateRegistry":
        """Read every source again (a newly installed plugin, a changed module list); handlers registered
        by hand stay."""
        if self.use_entry_points:
            for ep in entry_points(group=ENTRY_POINT_GROUP):
                try:
                    handler = ep.load()
                except Exception as exc:  # noqa: BLE001 - a broken plugin is named, not skipped
                    raise RegistryError(f"entry point {ep.name!r} ({ep.value}) of group {ENTRY_POINT_GROUP} "
                                        f"cannot be loaded: {type(exc).__name__}: {exc}") from exc
                self.register(ep.name, handler)
        for path in self.modules:
            self._load_module(path)
        return self

    def _load_module(self, path: str) -> None:
        try:
            module = importlib.import_module(path)
        except Exception as exc:  # noqa: BLE001 - named for the operator (ALUR_DELEGATE_MODULES)
            raise RegistryError(f"delegate module {path!r} (ALUR_DELEGATE_MODULES) cannot be imported: "
                                f"{type(exc).__name__}: {exc}") from exc
        register = getattr(module, "register", None)
        table = getattr(module, "DELEGATES", None)
        if callable(register):
            register(self)
        elif isinstance(table, dict):
            for name, handler in table.items():
                self.register(name, handler)
        else:
            raise RegistryError(f"delegate module {path!r} (ALUR_DELEGATE_MODULES) has neither register(registry) "
                                "nor a DELEGATES dict")


__all__ = ["DelegateRegistry", "RegistryError", "ENTRY_POINT_GROUP"]
