"""The work budget of the engine: how much one action (start, complete, correlate, fire timers) and one
instance may do before the engine stops it.

Wall-clock time alone cannot stop a model that grows the instance (each step costs more than the last, and
memory is spent before the deadline is checked), so the budget counts work: automatic steps per action,
multi-instance children per activity and per action, live tokens per instance and the depth of called
processes. Over any limit the action fails as an IncidentError naming the element and the limit, and the
caller discards the instance it loaded (nothing of the action is stored). `min_cycle_seconds` is checked
when a model is deployed (and again when a timer expression yields a cycle at run time).
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Budget:
    max_steps: int = 1000              # automatic steps of one action without reaching a wait state
    max_action_seconds: float = 10.0   # wall clock of one action's automatic steps
    max_multi_instance: int = 1000     # children of one multi-instance activity, and created by one action
    max_tokens: int = 5000             # live (unfinished) tasks of one instance
    max_call_depth: int = 10           # called instances nested inside each other (super instances)
    min_cycle_seconds: float = 60.0    # shortest period of a repeating timer (timeCycle)

    # The Config setting of each limit, named in incident messages so an operator knows what to raise.
    SETTINGS = {"max_steps": "ALUR_ENGINE_MAX_STEPS", "max_action_seconds": "ALUR_ENGINE_MAX_ACTION_SECONDS",
                "max_multi_instance": "ALUR_ENGINE_MAX_MULTI_INSTANCE", "max_tokens": "ALUR_ENGINE_MAX_TOKENS",
                "max_call_depth": "ALUR_ENGINE_MAX_CALL_DEPTH", "min_cycle_seconds": "ALUR_TIMER_MIN_CYCLE_SECONDS"}

    def setting(self, field: str) -> str:
        return f"{self.SETTINGS[field]}={getattr(self, field):g}"


DEFAULT_BUDGET = Budget()

__all__ = ["Budget", "DEFAULT_BUDGET"]
