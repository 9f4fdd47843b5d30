"""DMN 1.1-1.5 decisions with FEEL cells and Camunda 7 semantics (replaces SpiffWorkflow's eval-based DMNEngine)."""
from .errors import DecisionError, DmnModelError
from .evaluate import evaluate_decision
from .model import DecisionModel, DecisionResult, MatchedRule
from .parser import DMN_NAMESPACES, parse_dmn
from .results import RESULT_MAPPINGS, map_decision_result

__all__ = ["DMN_NAMESPACES", "DecisionError", "DecisionModel", "DecisionResult", "DmnModelError", "MatchedRule",
           "RESULT_MAPPINGS", "evaluate_decision", "map_decision_result", "parse_dmn"]
