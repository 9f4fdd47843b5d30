"""Which form a task or a start event shows: the deployed Camunda Form it references (latest or the bound
version, in the task's tenant), else its camunda:formField entries, else none."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from service.forms import FormDefinition, form_from_form_data, parse_camunda_form
from service.ops import NotFound, OpsContext, get_form
from service.ops.views import TaskView


class FormMissing(Exception):
    """The model names a form that is not deployed: the page says so instead of guessing."""


class EmbeddedForm(Exception):
    """The task names a Camunda Tasklist embedded form (`embedded:app:forms/x.html`, `app:...`): HTML with
    AngularJS bindings that Alur's pages do not run. The page says so; the task is completed over REST."""


EMBEDDED_PREFIXES = ("embedded:", "app:")


def camunda_form(ctx: OpsContext, ref: str, tenant: str | None, *, binding: str | None = None,
                 version: int | None = None) -> FormDefinition:
    try:
        schema = get_form(ctx, ref, tenant=tenant, version=version if binding == "version" else None)
    except NotFound as exc:
        raise FormMissing(ref) from exc
    return parse_camunda_form(schema, name=ref)


def task_form(ctx: OpsContext, task: TaskView) -> FormDefinition | None:
    if task.form_ref:
        return camunda_form(ctx, task.form_ref, task.tenant_id, binding=task.form_ref_binding,
                            version=task.form_ref_version)
    if task.form_fields:
        return form_from_form_data(task.element_id, task.form_fields)
    if task.form_key and task.form_key.startswith(EMBEDDED_PREFIXES):
        raise EmbeddedForm(task.form_key)
    return None


def start_form(ctx: OpsContext, form_ref: str | None, tenant: str | None,
               form_fields: Sequence[Mapping[str, Any]] = ()) -> FormDefinition | None:
    """The start event's Camunda Form when it references one, else its inline camunda:formField entries."""
    if form_ref and not form_ref.startswith(("embedded:", "app:", "camunda-forms:")):
        return camunda_form(ctx, form_ref, tenant)
    if form_fields:
        return form_from_form_data("start", form_fields)
    if form_ref and form_ref.startswith(EMBEDDED_PREFIXES):
        raise EmbeddedForm(form_ref)
    return None


def empty_values(form: FormDefinition | None) -> dict[str, Any]:
    """Initial values: each field's default."""
    if form is None:
        return {}
    return {f.variable: f.default for f in form.value_fields() if f.default is not None}


__all__ = ["FormMissing", "EmbeddedForm", "camunda_form", "task_form", "start_form", "empty_values"]
