"""User tasks: query the projection in SQL; claim / unclaim / assign on the projection; complete through
the engine (load, complete, save) with the optimistic lock deciding concurrent completions. Also what
Camunda's task resource shows besides the task itself: identity links (assignee, owner, candidates), the
variables visible from the task (its process instance's), and form variables."""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Callable

from sqlalchemy import Select, and_, bindparam, delete, exists, func, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from service.store import InstanceState, ProcessInstance, TaskCandidate, UserGroup, UserTask

from . import access_sql, definitions, file_variables, persistence, query, sql_like, task_filters, task_pages
from .access import Principal
from .context import OpsContext, updated_rows
from .engine_errors import engine_errors
from .errors import BadRequest, NotActive, NotFound, Suspended, TaskAlreadyClaimed
from .views import TaskView

SORT_COLUMNS = {
    "created": UserTask.created, "dueDate": UserTask.due, "followUpDate": UserTask.follow_up,
    "priority": UserTask.priority, "name": UserTask.name, "nameCaseInsensitive": func.lower(UserTask.name),
    "id": UserTask.id, "assignee": UserTask.assignee, "instanceId": UserTask.instance_id,
    "processInstanceId": UserTask.instance_id, "tenantId": UserTask.tenant_id,
    "taskDefinitionKey": UserTask.element_id, "processDefinitionKey": UserTask.definition_key,
}


@dataclass
class TaskQuery:
    task_id: str | None = None
    instance_id: str | None = None
    business_key: str | None = None
    candidate_group: str | None = None
    candidate_groups: list[str] | None = None
    candidate_user: str | None = None
    include_assigned: bool = False
    assignee: str | None = None
    unassigned: bool = False
    task_definition_key: str | None = None
    definition_key: str | None = None
    definition_id: str | None = None
    tenant_ids: list[str] | None = None
    without_tenant: bool = False
    due_before: datetime | None = None
    due_after: datetime | None = None
    overdue_at: datetime | None = None      # tasks whose due date is before this moment
    name_like: str | None = None
    name: str | None = None
    priority: int | None = None
    task_ids: list[str] | None = None
    instance_ids: list[str] | None = None
    definition_keys: list[str] | None = None
    task_definition_keys: list[str] | None = None
    due_until: datetime | None = None         # due date set and at most this moment
    without_due: bool = False
    visible_to: Principal | None = None       # only tasks access.can_see_task lets this user see
    workable_by: Principal | None = None      # only tasks access.can_work_task lets this user work
    more: task_filters.TaskFilters = field(default_factory=task_filters.TaskFilters)   # the other Camunda filters
    sort: list[tuple[str, str]] = field(default_factory=list)   # (sortBy, "asc"|"desc")
    first_result: int = 0
    max_results: int | None = None


def _filtered(q: TaskQuery) -> Select[Any]:
    conds = [*task_conditions(q), *due_tenant_conditions(q, UserTask.due, UserTask.tenant_id)]
    if q.visible_to is not None:
        conds.append(access_sql.task_visible(q.visible_to))
    if q.workable_by is not None:
        conds.append(access_sql.task_workable(q.workable_by))
    return select(UserTask).where(*conds) if conds else select(UserTask)


def due_tenant_conditions(q: TaskQuery, due: Any, tenant: Any) -> list[ColumnElement[bool]]:
    """The filters on due date and tenant, on the given columns (user_task's, or the copies on
    task_candidate that task_pages reads)."""
    conds = []
    cond = query.tenant_condition(tenant, q.tenant_ids, include_without_tenant=q.without_tenant)
    if cond is not None:
        conds.append(cond)
    if q.due_until is not None:
        conds.append(due <= q.due_until)
    if q.without_due:
        conds.append(due.is_(None))
    if q.due_before is not None:
        conds.append(due < q.due_before)
    if q.due_after is not None:
        conds.append(due > q.due_after)
    if q.overdue_at is not None:
        conds.append(and_(due.is_not(None), due < q.overdue_at))
    return conds


def task_conditions(q: TaskQuery) -> list[ColumnElement[bool]]:
    """Every filter of `q` on user_task but the due date, tenant and access ones."""
    conds = []
    if q.task_id is not None:
        conds.append(UserTask.id == q.task_id)
    if q.instance_id is not None:
        conds.append(UserTask.instance_id == q.instance_id)
    if q.business_key is not None:
        conds.append(UserTask.business_key == q.business_key)
    groups = list(q.candidate_groups or []) + ([q.candidate_group] if q.candidate_group else [])
    if groups:
        conds.append(exists().where(TaskCandidate.task_id == UserTask.id, TaskCandidate.kind == "group",
                                    TaskCandidate.value.in_(groups)))
    if q.candidate_user is not None:
        # Camunda: the user is a candidate, or a member of a candidate group (app_user_group).
        member_of = select(UserGroup.name).where(UserGroup.user_id == q.candidate_user)
        conds.append(exists().where(TaskCandidate.task_id == UserTask.id, or_(
            and_(TaskCandidate.kind == "user", TaskCandidate.value == q.candidate_user),
            and_(TaskCandidate.kind == "group", TaskCandidate.value.in_(member_of)))))
    if (groups or q.candidate_user is not None) and not q.include_assigned:
        # Camunda: a candidate query lists only tasks nobody has claimed yet.
        conds.append(UserTask.assignee.is_(None))
    if q.assignee is not None:
        conds.append(UserTask.assignee == q.assignee)
    if q.unassigned:
        conds.append(UserTask.assignee.is_(None))
    if q.task_definition_key is not None:
        conds.append(UserTask.element_id == q.task_definition_key)
    if q.definition_key is not None:
        conds.append(UserTask.definition_key == q.definition_key)
    if q.definition_id is not None:
        conds.append(UserTask.definition_id == q.definition_id)
    for column, wanted in ((UserTask.id, q.task_ids), (UserTask.instance_id, q.instance_ids),
                           (UserTask.definition_key, q.definition_keys),
                           (UserTask.element_id, q.task_definition_keys)):
        if wanted is not None:
            conds.append(column.in_(wanted))
    if q.name is not None:
        conds.append(UserTask.name == q.name)
    if q.priority is not None:
        conds.append(UserTask.priority == q.priority)
    if q.name_like is not None:
        conds.append(sql_like.like(UserTask.name, q.name_like, parameter="nameLike"))
    conds.extend(task_filters.conditions(q.more, include_assigned=q.include_assigned))
    return conds


def query_tasks(ctx: OpsContext, q: TaskQuery | None = None, **filters: Any) -> list[TaskView]:
    q = q or TaskQuery(**filters)
    params: dict[str, Any] = {}
    if q.sort == [("dueDate", "asc")] and task_pages.supported(q):
        statement, params = task_pages.page_statement(q, task_pages.DUE_ASC)
    else:
        statement = query.ordered(_filtered(q), q.sort, SORT_COLUMNS, UserTask.id, default=[("created", "asc")])
        statement = query.paged(statement, q.first_result, q.max_results)
    with ctx.transaction() as session:
        return [task_view(t) for t in session.scalars(statement, params)]


def query_tasks_in_due_order(ctx: OpsContext, q: TaskQuery) -> list[TaskView]:
    """The task list's order: overdue first, then by due date (none last), then oldest first. Ascending due
    dates already put the overdue ones (due before now) first; a page is read from the index of each
    access branch (task_pages)."""
    params: dict[str, Any] = {}
    if task_pages.supported(q):
        statement, params = task_pages.page_statement(q, task_pages.WORKLIST)
    else:
        statement = _filtered(q).order_by(UserTask.due.asc().nulls_last(), UserTask.created, UserTask.id)
        statement = query.paged(statement, q.first_result, q.max_results)
    with ctx.transaction() as session:
        return [task_view(t) for t in session.scalars(statement, params)]


def count_tasks(ctx: OpsContext, q: TaskQuery | None = None, **filters: Any) -> int:
    q = q or TaskQuery(**filters)
    with ctx.transaction() as session:
        if (q.visible_to or q.workable_by) is not None and task_pages.count_supported(q):
            return task_pages.count(session, q)[0]
        return query.count(session, _filtered(q), UserTask.id)


def count_tasks_and_overdue(ctx: OpsContext, q: TaskQuery, now: datetime) -> tuple[int, int]:
    """The number of `q`'s tasks and of those due before `now` (the task list's two figures), in one
    statement where the list is read per access branch."""
    with ctx.transaction() as session:
        if (q.visible_to or q.workable_by) is not None and task_pages.count_supported(q):
            return task_pages.count(session, q, now)
        return (query.count(session, _filtered(q), UserTask.id),
                query.count(session, _filtered(replace(q, overdue_at=now)), UserTask.id))


def get_task(ctx: OpsContext, task_id: str) -> TaskView:
    with ctx.transaction() as session:
        return task_view(_task(session, task_id))


def _task(session: Session, task_id: str) -> UserTask:
    task = session.get(UserTask, task_id)
    if task is None:
        raise NotFound(f"Cannot find task with id {task_id}",
                       pesan="Tugas tidak ditemukan (mungkin sudah diselesaikan)")
    return task


def claim(ctx: OpsContext, task_id: str, user: str) -> TaskView:
    if not user:
        raise BadRequest("userId is required to claim a task", pesan="Pengguna wajib diisi untuk mengklaim tugas")
    with ctx.transaction() as session:
        # One conditional UPDATE, so two people claiming at once cannot both win.
        result = session.execute(update(UserTask).where(
            UserTask.id == task_id, or_(UserTask.assignee.is_(None), UserTask.assignee == user))
            .values(assignee=user).execution_options(synchronize_session=False))
        task = _task(session, task_id)
        if updated_rows(result) == 0:
            raise TaskAlreadyClaimed(f"Task '{task_id}' is already claimed by someone else.",
                                     pesan=f"Tugas ini sudah diklaim oleh {task.assignee}")
        task_pages.refresh_copies(session, [task_id])
        session.refresh(task)
        _notify_assignment(ctx, session, task)
        return task_view(task)


def _notify_assignment(ctx: OpsContext, session: Session, task: UserTask) -> None:
    """Run the task's `assignment` listeners (only a model declaring them loads the instance); a listener
    changing the assignee changes the projection too."""
    _, model = definitions.process_by_id(ctx, session, task.definition_id)
    if "assignment" not in model.task_listener_events.get(task.element_id, ()):
        return
    with engine_errors():
        loaded = persistence.load(ctx, session, task.instance_id)
        assignee = loaded.inst.notify_assignment(task.id, task.assignee)
        persistence.save(ctx, session, loaded)
    if assignee != task.assignee:
        task.assignee = assignee


def unclaim(ctx: OpsContext, task_id: str) -> TaskView:
    return assign(ctx, task_id, None)


def assign(ctx: OpsContext, task_id: str, user: str | None) -> TaskView:
    with ctx.transaction() as session:
        task = _task(session, task_id)
        task.assignee = user or None
        if user:
            _notify_assignment(ctx, session, task)
        session.flush()
        task_pages.refresh_copies(session, [task_id])
        return task_view(task)


# Built once: building and cache-keying the statement per request costs about as much as running it.
# Core columns, not the entity: the completion needs the row's values, and ORM loading of one row
# (identity map, instance state) costs several times the query on SQLite.
_TASK_WITH_INSTANCE = (select(*persistence.INSTANCE_COLUMNS, UserTask.assignee)
                       .join(UserTask, UserTask.instance_id == ProcessInstance.id)
                       .where(UserTask.id == bindparam("task_id")))


def complete_task(ctx: OpsContext, task_id: str, variables: dict[str, Any] | None = None, *,
                  user: str | None = None, with_variables: bool = False,
                  guard: Callable[[TaskView], None] | None = None) -> dict[str, Any] | None:
    """Complete a user task. Returns the process variables when `with_variables`.

    Like Camunda's TaskService.complete, the assignee is not checked: whoever is authorised may complete
    a task someone else claimed (`user` is recorded as the one who completed it). Callers with stricter
    rules (the web pages: staff claim first, `access.require_can_complete`) pass `guard`, which sees the
    task as it is inside this transaction and raises to refuse. A task completed/changed concurrently
    raises Conflict and nothing is written.
    """
    if file_variables.has_uploads(variables):
        # File variables become documents of the instance, kept only if the task completes.
        with file_variables.stored(ctx, instance_id=task_instance_id(ctx, task_id), tenant_id=None,
                                   variables=dict(variables or {}), user=user, task_id=task_id) as stored:
            return complete_task(ctx, task_id, stored, user=user, with_variables=with_variables, guard=guard)
    with ctx.transaction() as session, engine_errors():
        # One query for the task's assignee and its instance row.
        found = session.connection().execute(_TASK_WITH_INSTANCE, {"task_id": task_id}).first()
        if found is None:
            raise NotFound(f"Cannot find task with id {task_id}",
                           pesan="Tugas tidak ditemukan (mungkin sudah diselesaikan)")
        values = found._mapping
        row = persistence.InstanceRecord(values)
        assignee = found[-1]
        if guard is not None:
            guard(task_view(_task(session, task_id)))
        if row.state == InstanceState.SUSPENDED:
            raise Suspended(f"Process instance {row.id} is suspended", pesan="Proses sedang ditangguhkan")
        loaded = persistence.load(ctx, session, row.id, row=row)
        loaded.inst.complete_user_task(task_id, dict(variables or {}), user=user or assignee, assignee=assignee)
        persistence.save(ctx, session, loaded)
        return dict(loaded.inst.variables()) if with_variables else None


def task_view(t: UserTask) -> TaskView:
    return TaskView(id=t.id, name=t.name, element_id=t.element_id, instance_id=t.instance_id,
                    definition_id=t.definition_id, definition_key=t.definition_key, business_key=t.business_key,
                    lane=t.lane, assignee=t.assignee, owner=t.owner, created=t.created, due=t.due,
                    follow_up=t.follow_up, priority=t.priority, form_key=t.form_key, form_ref=t.form_ref,
                    form_ref_binding=t.form_ref_binding, form_ref_version=t.form_ref_version, tenant_id=t.tenant_id,
                    candidate_groups=t.candidate_groups, candidate_users=t.candidate_users,
                    properties=dict(t.properties or {}), form_fields=list(t.form_fields or []),
                    documentation=t.documentation)


LINK_TYPES = {"assignee", "owner", "candidate"}


@dataclass(frozen=True)
class IdentityLink:
    user_id: str | None
    group_id: str | None
    type: str


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
            if user_id:
                _notify_assignment(ctx, session, task)
        elif link_type == "owner":
            task.owner = user_id
        else:
            kind, value = ("user", user_id) if user_id is not None else ("group", group_id)
            if not any(c.kind == kind and c.value == value for c in task.candidates):
                session.add(TaskCandidate(task_id=task.id, kind=kind, value=value))
        session.flush()
        task_pages.refresh_copies(session, [task.id])


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
        session.flush()
        task_pages.refresh_copies(session, [task.id])


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
            raise NotActive(f"Process instance {row.id} is not active ({row.state.value})")
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


__all__ = ["TaskQuery", "query_tasks", "query_tasks_in_due_order",
           "count_tasks", "get_task", "claim", "unclaim", "assign", "complete_task",
           "task_view", "SORT_COLUMNS", "IdentityLink", "identity_links", "add_identity_link",
           "delete_identity_link", "task_variables", "set_task_variables", "form_variables", "select_form_values",
           "task_instance_id", "LINK_TYPES"]
