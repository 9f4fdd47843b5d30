"""Every table of the store, importable from one place (Alembic's target metadata)."""
from __future__ import annotations

from .base import Base
from .documents import InstanceDocument
from .history import HistoryEvent
from .operations import Batch, OperationLogEntry
from .repository import (DecisionDefinition, Deployment, DeploymentResource, FormDefinition,
                         ProcessDefinition, StartMessage, Tenant, tenant_scope)
from .runtime import (ExternalTask, Incident, InstanceState, MessageSubscription, ProcessInstance,
                      TaskCandidate, TimerJob, TimerStartJob, UserTask)
from .users import AppUser, UserGroup, UserTenant
from .variables import VariableValue

metadata = Base.metadata

__all__ = ["Base", "metadata", "Tenant", "Deployment", "DeploymentResource", "ProcessDefinition",
           "DecisionDefinition", "FormDefinition", "StartMessage", "ProcessInstance", "InstanceState", "UserTask",
           "TaskCandidate", "ExternalTask", "MessageSubscription", "Incident", "TimerStartJob",
           "TimerJob", "HistoryEvent", "tenant_scope", "AppUser", "UserGroup", "UserTenant", "InstanceDocument",
           "OperationLogEntry", "Batch", "VariableValue"]
