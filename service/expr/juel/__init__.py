"""The JUEL subset used by Camunda 7 models (`${...}` / `#{...}`): parsed and interpreted, never eval'd."""
from .compiled import CompiledJuel, compile, compile_with_hosts, is_juel

__all__ = ["CompiledJuel", "compile", "compile_with_hosts", "is_juel"]
