"""Runtime tables: process instances (the engine's serialized state is the source of truth) and the
projections written in the same transaction: user tasks, external tasks, message subscriptions, timer
jobs, incidents, timer start jobs."""
from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Enum, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base
from .types import UTCDateTime, new_id, utcnow


class InstanceState(str, enum.Enum):
    ACTIVE = "ACTIVE"
    COMPLETED = "COMPLETED"
    CANCELLED = "CANCELLED"
    SUSPENDED = "SUSPENDED"


class ProcessInstance(Base):
    __tablename__ = "process_instance"
    # The instance lists' order (start time, then id), so a page is read from the index.
    __table_args__ = (Index("ix_process_instance_start", "start_time", "id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    definition_id: Mapped[str] = mapped_column(ForeignKey("process_definition.id"), index=True)
    definition_key: Mapped[str] = mapped_column(String(255), index=True)
    # unused since called processes run as instances of their own (kept for stored rows)
    called_definition_ids: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    business_key: Mapped[str | None] = mapped_column(String(255), index=True)
    tenant_id: Mapped[str | None] = mapped_column(String(64), index=True)
    # A called process's instance: its caller (Camunda's superProcessInstanceId), the caller's call-activity
    # task it ends, and the top of the call tree (its own id for an instance nobody called).
    super_process_instance_id: Mapped[str | None] = mapped_column(String(36), index=True)
    super_task_id: Mapped[str | None] = mapped_column(String(36))
    root_process_instance_id: Mapped[str | None] = mapped_column(String(36), index=True)
    state: Mapped[InstanceState] = mapped_column(
        Enum(InstanceState, native_enum=False, length=16, validate_strings=True), default=InstanceState.ACTIVE,
        index=True)
    start_time: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    end_time: Mapped[datetime | None] = mapped_column(UTCDateTime)
    start_user_id: Mapped[str | None] = mapped_column(String(255))
    engine_state: Mapped[str] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    next_timer_due: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    timer_lease_owner: Mapped[str | None] = mapped_column(String(100))
    timer_lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    incident: Mapped[bool] = mapped_column(default=False)
    # Ids written to the projection tables at the last save ({"tasks": [...], "external": [...],
    # "messages": [...]}), so a save diffs without reading those tables back.
    projected: Mapped[dict[str, list[str]]] = mapped_column(JSON, default=dict)
    # The id of the instance's timer job (/job/{id}): random, so knowing an instance id reveals no job id.
    job_id: Mapped[str] = mapped_column(String(36), default=new_id, unique=True)

    __mapper_args__ = {"version_id_col": version}

    user_tasks: Mapped[list["UserTask"]] = relationship(
        back_populates="instance", cascade="all, delete-orphan", passive_deletes=True)
    external_tasks: Mapped[list["ExternalTask"]] = relationship(
        back_populates="instance", cascade="all, delete-orphan", passive_deletes=True)
    subscriptions: Mapped[list["MessageSubscription"]] = relationship(
        back_populates="instance", cascade="all, delete-orphan", passive_deletes=True)


class UserTask(Base):
    __tablename__ = "user_task"
    # The task list's order (due date, then creation, then id), so a page is read from the index.
    __table_args__ = (Index("ix_user_task_tenant_created", "tenant_id", "created"),
                      Index("ix_user_task_due_order", "due", "created", "id"),
                      # Camunda's dueDate order (ties by id), walked in two ranges: no due date, then due.
                      Index("ix_user_task_due_id", "due", "id"),
                      # The tasks assigned to a user in the task list's order (a branch of task_pages).
                      Index("ix_user_task_assignee_order", "assignee", "due", "created", "id"))

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    instance_id: Mapped[str] = mapped_column(ForeignKey("process_instance.id", ondelete="CASCADE"), index=True)
    definition_id: Mapped[str] = mapped_column(String(255))
    definition_key: Mapped[str] = mapped_column(String(255), index=True)
    business_key: Mapped[str | None] = mapped_column(String(255))
    element_id: Mapped[str] = mapped_column(String(255), index=True)
    name: Mapped[str | None] = mapped_column(String(500))
    lane: Mapped[str | None] = mapped_column(String(255))
    assignee: Mapped[str | None] = mapped_column(String(255), index=True)
    owner: Mapped[str | None] = mapped_column(String(255))
    created: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    due: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    follow_up: Mapped[datetime | None] = mapped_column(UTCDateTime)
    priority: Mapped[int] = mapped_column(default=50)
    form_key: Mapped[str | None] = mapped_column(String(500))
    form_ref: Mapped[str | None] = mapped_column(String(255))
    form_ref_binding: Mapped[str | None] = mapped_column(String(32))
    form_ref_version: Mapped[int | None]
    tenant_id: Mapped[str | None] = mapped_column(String(64))
    properties: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    form_fields: Mapped[list[Any]] = mapped_column(JSON, default=list)
    documentation: Mapped[str | None] = mapped_column(Text)

    instance: Mapped[ProcessInstance] = relationship(back_populates="user_tasks")
    candidates: Mapped[list["TaskCandidate"]] = relationship(
        back_populates="task", cascade="all, delete-orphan", passive_deletes=True, lazy="selectin")

    @property
    def candidate_groups(self) -> list[str]:
        return [c.value for c in self.candidates if c.kind == "group"]

    @property
    def candidate_users(self) -> list[str]:
        return [c.value for c in self.candidates if c.kind == "user"]


class TaskCandidate(Base):
    """One candidate group or user of a task: a row each, so task queries filter by group in SQL."""

    __tablename__ = "task_candidate"
    # With task_id, the access rule's EXISTS (kind, value, task) is answered from the index alone.
    # The other two serve the lists of one group or user (service/ops/task_pages.py): walked in the list's
    # order and stopped at LIMIT (worklist: the task list's due/created order; due: Camunda's dueDate
    # order), and counted from the index alone (worklist holds every column a count's condition reads).
    # Unique: a task offered twice to one group (a lane and a candidateGroups attribute) is one row.
    __table_args__ = (Index("ix_task_candidate_lookup", "kind", "value", "task_id", unique=True),
                      Index("ix_task_candidate_worklist", "kind", "value", "due", "created", "task_id",
                            "tenant_id", "assignee"),
                      Index("ix_task_candidate_due", "kind", "value", "due", "task_id"))

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    task_id: Mapped[str] = mapped_column(ForeignKey("user_task.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(8))   # "group" | "user"
    value: Mapped[str] = mapped_column(String(255))
    # Copies of the task's columns that the lists filter and sort by, so a list of a group is read from this
    # table's index alone. Written with the row (persistence) and by every change of the task's assignee
    # (task_pages.refresh_copies); tenant, creation and due date of a task never change.
    tenant_id: Mapped[str | None] = mapped_column(String(64))
    assignee: Mapped[str | None] = mapped_column(String(255))
    due: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created: Mapped[datetime | None] = mapped_column(UTCDateTime)

    task: Mapped[UserTask] = relationship(back_populates="candidates")


class ExternalTask(Base):
    __tablename__ = "external_task"
    __table_args__ = (Index("ix_external_task_fetch", "topic", "lock_expiration"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    instance_id: Mapped[str] = mapped_column(ForeignKey("process_instance.id", ondelete="CASCADE"), index=True)
    definition_id: Mapped[str] = mapped_column(String(255))
    definition_key: Mapped[str] = mapped_column(String(255))
    business_key: Mapped[str | None] = mapped_column(String(255))
    element_id: Mapped[str] = mapped_column(String(255))
    name: Mapped[str | None] = mapped_column(String(500))
    topic: Mapped[str] = mapped_column(String(255))
    worker_id: Mapped[str | None] = mapped_column(String(255))
    lock_expiration: Mapped[datetime | None] = mapped_column(UTCDateTime)
    retries: Mapped[int | None]
    error_message: Mapped[str | None] = mapped_column(Text)
    error_details: Mapped[str | None] = mapped_column(Text)
    priority: Mapped[int] = mapped_column(default=0)
    tenant_id: Mapped[str | None] = mapped_column(String(64))
    properties: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    instance: Mapped[ProcessInstance] = relationship(back_populates="external_tasks")


class MessageSubscription(Base):
    """A message name an instance waits for, so correlation finds candidates in SQL."""

    __tablename__ = "message_subscription"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    instance_id: Mapped[str] = mapped_column(ForeignKey("process_instance.id", ondelete="CASCADE"), index=True)
    message_name: Mapped[str] = mapped_column(String(255), index=True)

    instance: Mapped[ProcessInstance] = relationship(back_populates="subscriptions")


class Incident(Base):
    __tablename__ = "incident"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    instance_id: Mapped[str | None] = mapped_column(ForeignKey("process_instance.id", ondelete="CASCADE"),
                                                    index=True)
    definition_id: Mapped[str | None] = mapped_column(String(255))
    tenant_id: Mapped[str | None] = mapped_column(String(64))
    incident_type: Mapped[str] = mapped_column(String(64))     # failedJob | failedExternalTask | timerStartFailed
    message: Mapped[str] = mapped_column(Text)
    element_id: Mapped[str | None] = mapped_column(String(255))
    task_id: Mapped[str | None] = mapped_column(String(36))
    created: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved: Mapped[bool] = mapped_column(default=False)
    annotation: Mapped[str | None] = mapped_column(Text)


class TimerStartJob(Base):
    """A timer start event of the latest definition of a key: creates instances on schedule."""

    __tablename__ = "timer_start_job"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    definition_id: Mapped[str] = mapped_column(ForeignKey("process_definition.id"), index=True)
    definition_key: Mapped[str] = mapped_column(String(255))
    tenant_id: Mapped[str | None] = mapped_column(String(64))
    element_id: Mapped[str] = mapped_column(String(255))
    timer_text: Mapped[str] = mapped_column(String(500))
    next_due: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    repetitions_left: Mapped[int | None]       # None: unbounded cycle (or a one-shot timer)
    fired: Mapped[int] = mapped_column(default=0)
    lease_owner: Mapped[str | None] = mapped_column(String(100))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    # Camunda's job retries: a failing start counts down to 0, then it is held with a failedJob incident.
    retries: Mapped[int] = mapped_column(default=3, server_default="3")


class TimerJob(Base):
    """One pending timer of an instance (boundary, intermediate, event-based gateway or event subprocess
    timer): a Camunda timer job, projected from the engine state at every save."""

    __tablename__ = "timer_job"
    __table_args__ = (Index("ix_timer_job_due", "due", "id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)   # random: the /job id
    instance_id: Mapped[str] = mapped_column(ForeignKey("process_instance.id", ondelete="CASCADE"), index=True)
    timer_task_id: Mapped[str] = mapped_column(String(36))     # the engine task waiting for the timer
    element_id: Mapped[str | None] = mapped_column(String(255))
    due: Mapped[datetime] = mapped_column(UTCDateTime)
    created: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


__all__ = ["InstanceState", "ProcessInstance", "UserTask", "TaskCandidate", "ExternalTask",
           "MessageSubscription", "Incident", "TimerStartJob", "TimerJob"]
