"""The JUEL subset used by Camunda 7 models (`${...}` / `#{...}`): parsed and interpreted, never eval'd."""
from .compiled import CompiledJuel, compile, is_juel

__all__ = ["CompiledJuel", "compile", "is_juel"]
