"""What Camunda's task resource shows besides the task itself: identity links (assignee, owner,
candidates), the variables visible from the task (its process instance's), and form variables."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete

from service.store import InstanceState, TaskCandidate, UserTask

from . import persistence
from .context import OpsContext
from .engine_errors import engine_errors
from .errors import BadRequest, Conflict, NotFound

LINK_TYPES = {"assignee", "owner", "candidate"}


@dataclass(frozen=True)
class IdentityLink:
    user_id: str | None
    group_id: str | None
    type: str


def _task(session: Any, task_id: str) -> UserTask:
    task = session.get(UserTask, task_id)
    if task is None:
        raise NotFound(f"Cannot find task with id {task_id}", pesan="Tugas tidak ditemukan")
    return task


def task_instance_id(ctx: OpsContext, task_id: str) -> str:
    with ctx.transaction() as session:
        return _task(session, task_id).instance_id


def identity_links(ctx: OpsContext, task_id: str, link_type: str | None = None) -> list[IdentityLink]:
    with ctx.transaction() as session:
        task = _task(session, task_id)
        links: list[IdentityLink] = []
        if task.assignee:
            links.append(IdentityLink(task.assignee, None, "assignee"))
        if task.owner:
            links.append(IdentityLink(task.owner, None, "owner"))
        for c in task.candidates:
            links.append(IdentityLink(c.value if c.kind == "user" else None,
                                      c.value if c.kind == "group" else None, "candidate"))
    return [link for link in links if link_type is None or link.type == link_type]


def _check_link(user_id: str | None, group_id: str | None, link_type: str) -> None:
    if (user_id is None) == (group_id is None):
        raise BadRequest("Identity link requires either userId or groupId, not both and not neither")
    if link_type not in LINK_TYPES:
        raise BadRequest(f"Unsupported identity link type '{link_type}' (use candidate, assignee or owner)")
    if link_type in ("assignee", "owner") and group_id is not None:
        raise BadRequest(f"An identity link of type '{link_type}' needs a userId")


def add_identity_link(ctx: OpsContext, task_id: str, *, user_id: str | None, group_id: str | None,
                      link_type: str) -> None:
    _check_link(user_id, group_id, link_type)
    with ctx.transaction() as session:
        task = _task(session, task_id)
        if link_type == "assignee":
            task.assignee = user_id
        elif link_type == "owner":
            task.owner = user_id
        else:
            kind, value = ("user", user_id) if user_id is not None else ("group", group_id)
            if not any(c.kind == kind and c.value == value for c in task.candidates):
                session.add(TaskCandidate(task_id=task.id, kind=kind, value=value))


def delete_identity_link(ctx: OpsContext, task_id: str, *, user_id: str | None, group_id: str | None,
                         link_type: str) -> None:
    _check_link(user_id, group_id, link_type)
    with ctx.transaction() as session:
        task = _task(session, task_id)
        if link_type == "assignee":
            if task.assignee == user_id:
                task.assignee = None
        elif link_type == "owner":
            if task.owner == user_id:
                task.owner = None
        else:
            kind, value = ("user", user_id) if user_id is not None else ("group", group_id)
            session.execute(delete(TaskCandidate).where(TaskCandidate.task_id == task.id, TaskCandidate.kind == kind,
                                                        TaskCandidate.value == value))


def task_variables(ctx: OpsContext, task_id: str) -> dict[str, Any]:
    """The variables a task sees: its process instance's (user tasks have no local scope here)."""
    with ctx.transaction() as session, engine_errors():
        task = _task(session, task_id)
        return dict(persistence.load(ctx, session, task.instance_id).inst.variables())


def set_task_variables(ctx: OpsContext, task_id: str, values: dict[str, Any], *,
                       remove: list[str] | None = None) -> None:
    with ctx.transaction() as session, engine_errors():
        task = _task(session, task_id)
        row = persistence.get_row(session, task.instance_id)
        if row.state != InstanceState.ACTIVE:
            raise Conflict(f"Process instance {row.id} is not active ({row.state.value})",
                           camunda_type="ProcessEngineException")
        loaded = persistence.load(ctx, session, row.id, row=row)
        if values:
            loaded.inst.set_variables(dict(values))
        for name in remove or []:
            loaded.inst.remove_variable(name)
        persistence.save(ctx, session, loaded)


def form_variables(ctx: OpsContext, task_id: str, names: list[str] | None = None) -> dict[str, Any]:
    """Camunda: the values of the task's form fields (defaults where no variable exists yet); a task
    without form fields returns all its variables. `names` narrows the result."""
    with ctx.transaction() as session, engine_errors():
        task = _task(session, task_id)
        fields = list(task.form_fields or [])
        values = dict(persistence.load(ctx, session, task.instance_id).inst.variables())
    return select_form_values(fields, values, names)


def select_form_values(fields: list[dict[str, Any]], values: dict[str, Any],
                       names: list[str] | None) -> dict[str, Any]:
    if fields:
        out = {}
        for f in fields:
            field_id = f.get("id")
            if not field_id:
                continue
            out[field_id] = values[field_id] if field_id in values else _default(f)
    else:
        out = values
    return {k: v for k, v in out.items() if names is None or k in names}


def _default(form_field: dict[str, Any]) -> Any:
    value = form_field.get("default_value")
    kind = (form_field.get("type") or "string").lower()
    if value is None:
        return None
    if kind == "long":
        try:
            return int(value)
        except ValueError:
            return value
    if kind == "boolean":
        return str(value).lower() == "true"
    return value


__all__ = ["IdentityLink", "identity_links", "add_identity_link", "delete_identity_link", "task_variables",
           "set_task_variables", "form_variables", "select_form_values", "task_instance_id", "LINK_TYPES"]
