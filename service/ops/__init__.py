"""The operations layer: the only code that combines the engine and the store. The API, the web pages
and the CLI call these functions; each is one transaction and writes nothing when it fails."""
from .context import ModelCache, OpsContext
from .decisions import evaluate_decision
from .definitions import get_definition, get_form, list_definitions
from .deployments import Resource, deploy, get_deployment, resource_content
from .directories import deploy_directories
from .errors import BadRequest, Conflict, Forbidden, NotFound, OperationFailed, OpsError
from .instances import (cancel_instance, get_instance, get_variables, history, list_instances, set_variables,
                        start_instance)
from .messages import correlate_message
from .scheduler import Scheduler
from .tasks import TaskQuery, assign, claim, complete_task, count_tasks, get_task, query_tasks, unclaim
from .timers import TimerRun, expire_external_task_locks, fire_due_timers

__all__ = ["OpsContext", "ModelCache", "evaluate_decision", "get_definition", "get_form", "list_definitions",
           "Resource", "deploy", "get_deployment", "resource_content", "deploy_directories", "BadRequest",
           "Conflict", "Forbidden", "NotFound", "OperationFailed", "OpsError", "cancel_instance", "get_instance",
           "get_variables", "history", "list_instances", "set_variables", "start_instance", "correlate_message",
           "Scheduler", "TaskQuery", "assign", "claim", "complete_task", "count_tasks", "get_task", "query_tasks",
           "unclaim", "TimerRun", "expire_external_task_locks", "fire_due_timers"]
