"""The `execution` and `task` objects a handler sees: Camunda 7's DelegateExecution and DelegateTask.

Handlers (Python callables registered by name, JavaScript listeners through service.engine.scripting) reach
the instance only through these objects. They wrap one SpiffWorkflow task through its public surface
(`data`, `internal_data`, `task_spec`, `workflow`, `id`); nothing else of SpiffWorkflow crosses.

Values crossing are plain (ARCHITECTURE: "plain"): every value written is checked by `check_variables`
(types, finite numbers, text, the per-variable size ALUR_MAX_VARIABLE_BYTES) and copied in; every value read
is a copy, so a handler changing a list it read changes nothing until it writes it back. The instance's
whole size is checked when the action saves (ALUR_MAX_INSTANCE_BYTES).

The method names are the contract: Camunda's (`getVariable`, `setVariable`, `getBusinessKey`, ...) as a
Java delegate or a JavaScript listener writes them, and snake_case aliases beside them for Python handlers.
"""
from __future__ import annotations

from copy import deepcopy
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterable

from ..errors import EngineError
from ..values import check_variables
from ..workflow import HIDDEN_KEYS

# The task-local variable names of a task (camunda:inputOutput inputs, setVariableLocal): removed from the
# task's data when it completes, so they never reach the process scope. Same key as specs.LOCALS_KEY.
LOCALS_KEY = "alur_locals"
USER_TASK_KEY = "alur_user_task"
# A File variable is held as a plain reference to a document of the instance (service/ops/file_variables.py):
# {FILE_MARKER: <document id>, "filename", "mimeType", "encoding"}.
FILE_MARKER = "alurFile"


class TypedValue:
    """`getVariableTyped`: a value with its Camunda type name."""

    def __init__(self, value: Any, type_name: str) -> None:
        self._value = value
        self._type = type_name

    def getValue(self) -> Any:
        return deepcopy(self._value)

    def getType(self) -> str:
        return self._type

    value = property(getValue)
    type = property(getType)


class FileValue(TypedValue):
    """A File variable as Camunda's FileValue describes it (the bytes stay in the document store)."""

    def __init__(self, reference: dict[str, Any]) -> None:
        super().__init__(reference, "File")

    def getFilename(self) -> str | None:
        return self._value.get("filename")

    def getMimeType(self) -> str | None:
        return self._value.get("mimeType")

    def getEncoding(self) -> str | None:
        return self._value.get("encoding")

    filename = property(getFilename)
    mime_type = property(getMimeType)
    encoding = property(getEncoding)


def _typed(value: Any) -> TypedValue | None:
    if value is None:
        return None
    if isinstance(value, dict) and isinstance(value.get(FILE_MARKER), str):
        return FileValue(value)
    kinds = ((bool, "Boolean"), (int, "Long"), (float, "Double"), (str, "String"), (datetime, "Date"),
             ((dict, list), "Json"))
    return TypedValue(value, next((name for kind, name in kinds if isinstance(value, kind)), "Object"))


@dataclass(frozen=True)
class InstanceIdentity:
    """What a handler may ask about the instance it runs in; set by the host when it starts or loads one."""

    instance_id: str | None = None
    definition_id: str | None = None
    definition_key: str | None = None
    business_key: str | None = None
    tenant_id: str | None = None


def identity_of(task: Any) -> InstanceIdentity:
    engine = getattr(task.workflow, "script_engine", None)
    identity = getattr(engine, "identity", None)
    return identity if isinstance(identity, InstanceIdentity) else InstanceIdentity()


def _checked(name: Any, value: Any) -> Any:
    if not isinstance(name, str):
        raise EngineError(f"variable name {name!r} must be a non-empty string")
    if name in HIDDEN_KEYS:
        raise EngineError(f"variable name {name!r} is reserved by the engine; choose another name")
    check_variables({name: value})
    return deepcopy(value)


class DelegateExecution:
    """One token at one element (Camunda's DelegateExecution), for delegates and execution listeners."""

    def __init__(self, task: Any, *, event_name: str | None = None, activity_id: str | None = None,
                 activity_name: str | None = None) -> None:
        self._task = task
        self._event = event_name
        spec = task.task_spec
        # A `take` listener runs on a sequence flow: the current activity is the flow, not the task.
        self._activity_id = activity_id or getattr(spec, "bpmn_id", None) or spec.name
        self._activity_name = activity_name if activity_id else getattr(spec, "bpmn_name", None)

    # -- variables ---------------------------------------------------------------------------
    def _locals(self) -> list[str]:
        return list(self._task.internal_data.get(LOCALS_KEY) or ())

    def getVariable(self, name: str) -> Any:
        return deepcopy(self._task.data.get(name)) if name not in HIDDEN_KEYS else None

    def getVariables(self) -> dict[str, Any]:
        return {k: deepcopy(v) for k, v in self._task.data.items() if k not in HIDDEN_KEYS}

    def getVariableTyped(self, name: str) -> TypedValue | None:
        """The value with its type; a File variable as a FileValue (getFilename, getMimeType, getEncoding)."""
        return _typed(self._task.data.get(name)) if name not in HIDDEN_KEYS else None

    def getVariableLocal(self, name: str) -> Any:
        return deepcopy(self._task.data.get(name)) if name in self._locals() else None

    def getVariablesLocal(self) -> dict[str, Any]:
        return {k: deepcopy(self._task.data[k]) for k in self._locals() if k in self._task.data}

    def getVariableNames(self) -> list[str]:
        return [k for k in self._task.data if k not in HIDDEN_KEYS]

    def hasVariable(self, name: str) -> bool:
        return name in self._task.data and name not in HIDDEN_KEYS

    def hasVariableLocal(self, name: str) -> bool:
        return name in self._locals() and name in self._task.data

    def setVariable(self, name: str, value: Any) -> None:
        """Camunda writes to the nearest scope that has the variable, else the process: here the task's data
        (which flows on to the process when the task completes); a local variable stays local."""
        self._task.data[name] = _checked(name, value)

    def setVariables(self, values: dict[str, Any]) -> None:
        if not isinstance(values, dict):
            raise EngineError("setVariables takes a mapping of names to values")
        for name, value in values.items():
            self.setVariable(name, value)

    def setVariableLocal(self, name: str, value: Any) -> None:
        self._task.data[name] = _checked(name, value)
        names = self._locals()
        if name not in names:
            self._task.internal_data[LOCALS_KEY] = [*names, name]

    def removeVariable(self, name: str) -> None:
        if name not in HIDDEN_KEYS:
            self._task.data.pop(name, None)

    def removeVariableLocal(self, name: str) -> None:
        if name in self._locals():
            self._task.data.pop(name, None)
            self._task.internal_data[LOCALS_KEY] = [n for n in self._locals() if n != name]

    # -- identity ----------------------------------------------------------------------------
    def getBusinessKey(self) -> str | None:
        return identity_of(self._task).business_key

    getProcessBusinessKey = getBusinessKey

    def getProcessInstanceId(self) -> str | None:
        return identity_of(self._task).instance_id

    def getProcessDefinitionId(self) -> str | None:
        return identity_of(self._task).definition_id

    def getTenantId(self) -> str | None:
        return identity_of(self._task).tenant_id

    def getId(self) -> str:
        """The execution id: the running token's task id (Camunda's execution ids are opaque too)."""
        return str(self._task.id)

    def getCurrentActivityId(self) -> str:
        return str(self._activity_id)

    def getCurrentActivityName(self) -> str | None:
        return self._activity_name

    def getActivityInstanceId(self) -> str:
        # The form the REST API gives activity instance ids ("<element>:<task id>").
        return f"{self._activity_id}:{self._task.id}"

    def getEventName(self) -> str | None:
        return self._event

    # -- snake_case aliases (Python handlers) ---------------------------------------------------
    get_variable = getVariable
    get_variables = getVariables
    get_variable_typed = getVariableTyped
    get_variable_local = getVariableLocal
    get_variables_local = getVariablesLocal
    variable_names = getVariableNames
    has_variable = hasVariable
    has_variable_local = hasVariableLocal
    set_variable = setVariable
    set_variables = setVariables
    set_variable_local = setVariableLocal
    remove_variable = removeVariable
    remove_variable_local = removeVariableLocal
    current_activity_id = property(getCurrentActivityId)
    current_activity_name = property(getCurrentActivityName)
    activity_instance_id = property(getActivityInstanceId)
    event_name = property(getEventName)
    business_key = property(getBusinessKey)
    process_instance_id = property(getProcessInstanceId)
    process_definition_id = property(getProcessDefinitionId)
    tenant_id = property(getTenantId)
    id = property(getId)

    def __repr__(self) -> str:
        return f"<DelegateExecution {self._activity_id} event={self._event}>"


def _as_iso(value: Any, what: str) -> str | None:
    """A date a handler sets: a timezone-aware datetime or an ISO 8601 text with an offset."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise EngineError(f"{what} {value!r} is not an ISO 8601 date-time") from None
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise EngineError(f"{what} must be a date-time with a timezone, not {value!r}")
    return value.isoformat()


def _from_iso(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _names(values: Iterable[Any], what: str) -> list[str]:
    result = []
    for value in values:
        if not isinstance(value, str) or not value.strip():
            raise EngineError(f"{what} must be non-empty texts, not {value!r}")
        result.append(value.strip())
    return result


class DelegateTask:
    """A user task as a task listener sees it (Camunda's DelegateTask).

    Its attributes live in `record` (the user task's stored record: assignee, owner, candidates, dates,
    priority, name, description); what a listener changes is noted in `changed`, so the host can project it
    and fire the `assignment` / `update` events Camunda fires after such a change.
    """

    def __init__(self, task: Any, record: dict[str, Any], *, event_name: str | None = None) -> None:
        self._task = task
        self._record = record
        self._event = event_name
        self.changed: set[str] = set()
        self._execution = DelegateExecution(task, event_name=event_name)

    def _set(self, key: str, value: Any) -> None:
        if self._record.get(key) != value:
            self._record[key] = value
            self.changed.add(key)

    # -- the task ------------------------------------------------------------------------------
    def getId(self) -> str:
        return str(self._task.id)

    def getName(self) -> str | None:
        return self._record.get("name", getattr(self._task.task_spec, "bpmn_name", None))

    def setName(self, name: str | None) -> None:
        self._set("name", None if name is None else str(name))

    def getDescription(self) -> str | None:
        return self._record.get("description", getattr(self._task.task_spec, "documentation", None))

    def setDescription(self, description: str | None) -> None:
        self._set("description", None if description is None else str(description))

    def getTaskDefinitionKey(self) -> str:
        return str(getattr(self._task.task_spec, "bpmn_id", None) or self._task.task_spec.name)

    def getEventName(self) -> str | None:
        return self._event

    def getExecution(self) -> DelegateExecution:
        return self._execution

    def getCreateTime(self) -> datetime | None:
        return _from_iso(self._record.get("created"))

    def getAssignee(self) -> str | None:
        return self._record.get("assignee")

    def setAssignee(self, assignee: str | None) -> None:
        if assignee is not None and (not isinstance(assignee, str) or not assignee.strip()):
            raise EngineError(f"assignee must be a user id, not {assignee!r}")
        self._set("assignee", assignee.strip() if assignee else None)

    def getOwner(self) -> str | None:
        return self._record.get("owner")

    def setOwner(self, owner: str | None) -> None:
        if owner is not None and (not isinstance(owner, str) or not owner.strip()):
            raise EngineError(f"owner must be a user id, not {owner!r}")
        self._set("owner", owner.strip() if owner else None)

    def getPriority(self) -> int:
        return int(self._record.get("priority") or 50)

    def setPriority(self, priority: int) -> None:
        if isinstance(priority, bool) or not isinstance(priority, int) or not -(2**31) <= priority < 2**31:
            raise EngineError(f"priority must be a 32-bit integer, not {priority!r}")
        self._set("priority", priority)

    def getDueDate(self) -> datetime | None:
        return _from_iso(self._record.get("due"))

    def setDueDate(self, due: Any) -> None:
        self._set("due", _as_iso(due, "due date"))

    def getFollowUpDate(self) -> datetime | None:
        return _from_iso(self._record.get("follow_up"))

    def setFollowUpDate(self, follow_up: Any) -> None:
        self._set("follow_up", _as_iso(follow_up, "follow-up date"))

    # -- candidates ----------------------------------------------------------------------------
    def getCandidates(self) -> list[dict[str, str]]:
        """Camunda's identity links of type `candidate`, as plain dicts {type, userId | groupId}."""
        return ([{"type": "candidate", "groupId": g} for g in self._record.get("candidate_groups", [])]
                + [{"type": "candidate", "userId": u} for u in self._record.get("candidate_users", [])])

    def _add(self, key: str, values: Iterable[Any], what: str) -> None:
        current = list(self._record.get(key) or [])
        added = [v for v in _names(values, what) if v not in current]
        if added:
            self._set(key, current + added)

    def _delete(self, key: str, value: str) -> None:
        current = list(self._record.get(key) or [])
        if value in current:
            self._set(key, [v for v in current if v != value])

    def addCandidateUser(self, user_id: str) -> None:
        self._add("candidate_users", [user_id], "candidate users")

    def addCandidateUsers(self, user_ids: Iterable[str]) -> None:
        self._add("candidate_users", list(user_ids), "candidate users")

    def addCandidateGroup(self, group_id: str) -> None:
        self._add("candidate_groups", [group_id], "candidate groups")

    def addCandidateGroups(self, group_ids: Iterable[str]) -> None:
        self._add("candidate_groups", list(group_ids), "candidate groups")

    def deleteCandidateUser(self, user_id: str) -> None:
        self._delete("candidate_users", user_id)

    def deleteCandidateGroup(self, group_id: str) -> None:
        self._delete("candidate_groups", group_id)

    # -- the execution's answers, as Camunda's DelegateTask gives them -----------------------------
    def getProcessInstanceId(self) -> str | None:
        return self._execution.getProcessInstanceId()

    def getProcessDefinitionId(self) -> str | None:
        return self._execution.getProcessDefinitionId()

    def getExecutionId(self) -> str:
        return self._execution.getId()

    def getTenantId(self) -> str | None:
        return self._execution.getTenantId()

    # Variables: a task's variables are its execution's (Camunda resolves them through the execution).
    def getVariable(self, name: str) -> Any:
        return self._execution.getVariable(name)

    def getVariables(self) -> dict[str, Any]:
        return self._execution.getVariables()

    def getVariableTyped(self, name: str) -> TypedValue | None:
        return self._execution.getVariableTyped(name)

    def getVariableLocal(self, name: str) -> Any:
        return self._execution.getVariableLocal(name)

    def hasVariable(self, name: str) -> bool:
        return self._execution.hasVariable(name)

    def setVariable(self, name: str, value: Any) -> None:
        self._execution.setVariable(name, value)

    def setVariables(self, values: dict[str, Any]) -> None:
        self._execution.setVariables(values)

    def setVariableLocal(self, name: str, value: Any) -> None:
        self._execution.setVariableLocal(name, value)

    def removeVariable(self, name: str) -> None:
        self._execution.removeVariable(name)

    # -- snake_case aliases ----------------------------------------------------------------------
    get_variable = getVariable
    get_variables = getVariables
    get_variable_local = getVariableLocal
    has_variable = hasVariable
    set_variable = setVariable
    set_variables = setVariables
    set_variable_local = setVariableLocal
    remove_variable = removeVariable
    set_assignee = setAssignee
    set_owner = setOwner
    set_priority = setPriority
    set_due_date = setDueDate
    set_follow_up_date = setFollowUpDate
    set_name = setName
    set_description = setDescription
    add_candidate_user = addCandidateUser
    add_candidate_group = addCandidateGroup
    delete_candidate_user = deleteCandidateUser
    delete_candidate_group = deleteCandidateGroup
    candidates = property(getCandidates)
    id = property(getId)
    name = property(getName)
    description = property(getDescription)
    assignee = property(getAssignee)
    owner = property(getOwner)
    priority = property(getPriority)
    due_date = property(getDueDate)
    follow_up_date = property(getFollowUpDate)
    task_definition_key = property(getTaskDefinitionKey)
    event_name = property(getEventName)
    execution = property(getExecution)
    process_instance_id = property(getProcessInstanceId)
    tenant_id = property(getTenantId)

    def __repr__(self) -> str:
        return f"<DelegateTask {self.getTaskDefinitionKey()} event={self._event}>"


__all__ = ["DelegateExecution", "DelegateTask", "InstanceIdentity", "identity_of", "LOCALS_KEY", "FILE_MARKER",
           "TypedValue", "FileValue"]
