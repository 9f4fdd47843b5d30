"""Repository tables: tenants, deployments with their byte-exact resources, and the definitions
(process, decision, form) parsed from them. Definitions are immutable once written."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base
from .types import UTCDateTime, new_id, utcnow


def tenant_scope(tenant_id: str | None) -> str:
    """Unique constraints ignore NULLs, so versions are numbered within this non-null scope."""
    return tenant_id or ""


class Tenant(Base):
    __tablename__ = "tenant"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str | None] = mapped_column(String(255))
    created: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Deployment(Base):
    __tablename__ = "deployment"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str | None] = mapped_column(String(255), index=True)
    source: Mapped[str | None] = mapped_column(String(255))
    deployment_time: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    tenant_id: Mapped[str | None] = mapped_column(ForeignKey("tenant.id"), index=True)
    # Deployment order even when two deployments share a timestamp (frozen test clocks, fast machines).
    sequence: Mapped[int] = mapped_column(unique=True)

    resources: Mapped[list["DeploymentResource"]] = relationship(
        back_populates="deployment", cascade="all, delete-orphan", order_by="DeploymentResource.position")


class DeploymentResource(Base):
    __tablename__ = "deployment_resource"
    __table_args__ = (UniqueConstraint("deployment_id", "name", name="uq_deployment_resource_name"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    deployment_id: Mapped[str] = mapped_column(ForeignKey("deployment.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(500))
    position: Mapped[int] = mapped_column(default=0)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))

    deployment: Mapped[Deployment] = relationship(back_populates="resources")


class _DefinitionColumns:
    """Columns every kind of definition has (Camunda: key, version, deployment, resource, tenant)."""

    id: Mapped[str] = mapped_column(String(255), primary_key=True)
    key: Mapped[str] = mapped_column(String(255), index=True)
    name: Mapped[str | None] = mapped_column(String(255))
    version: Mapped[int]
    tenant_id: Mapped[str | None] = mapped_column(String(64))
    tenant_scope: Mapped[str] = mapped_column(String(64), default="")
    resource_name: Mapped[str] = mapped_column(String(500))
    digest: Mapped[str] = mapped_column(String(64))


class ProcessDefinition(_DefinitionColumns, Base):
    __tablename__ = "process_definition"
    __table_args__ = (UniqueConstraint("key", "tenant_scope", "version", name="uq_process_definition_version"),
                      Index("ix_process_definition_latest", "key", "tenant_scope", "version"))

    deployment_id: Mapped[str] = mapped_column(ForeignKey("deployment.id"), index=True)
    resource_id: Mapped[str] = mapped_column(ForeignKey("deployment_resource.id"))
    executable: Mapped[bool] = mapped_column(default=True)
    startable: Mapped[bool] = mapped_column(default=True)
    suspended: Mapped[bool] = mapped_column(default=False)
    version_tag: Mapped[str | None] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    history_time_to_live: Mapped[int | None] = mapped_column(default=None)   # days

    resource: Mapped[DeploymentResource] = relationship()


class StartMessage(Base):
    """A message start event of a process definition, so correlation finds it in SQL."""

    __tablename__ = "start_message"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    definition_id: Mapped[str] = mapped_column(ForeignKey("process_definition.id", ondelete="CASCADE"),
                                               index=True)
    message_name: Mapped[str] = mapped_column(String(255), index=True)
    element_id: Mapped[str] = mapped_column(String(255))


class DecisionDefinition(_DefinitionColumns, Base):
    __tablename__ = "decision_definition"
    __table_args__ = (UniqueConstraint("key", "tenant_scope", "version", name="uq_decision_definition_version"),
                      Index("ix_decision_definition_latest", "key", "tenant_scope", "version"))

    deployment_id: Mapped[str] = mapped_column(ForeignKey("deployment.id"), index=True)
    resource_id: Mapped[str] = mapped_column(ForeignKey("deployment_resource.id"))
    version_tag: Mapped[str | None] = mapped_column(String(255))

    resource: Mapped[DeploymentResource] = relationship()


class FormDefinition(_DefinitionColumns, Base):
    __tablename__ = "form_definition"
    __table_args__ = (UniqueConstraint("key", "tenant_scope", "version", name="uq_form_definition_version"),)

    deployment_id: Mapped[str] = mapped_column(ForeignKey("deployment.id"), index=True)
    resource_id: Mapped[str] = mapped_column(ForeignKey("deployment_resource.id"))

    resource: Mapped[DeploymentResource] = relationship()


__all__ = ["Tenant", "Deployment", "DeploymentResource", "ProcessDefinition", "DecisionDefinition",
           "FormDefinition", "StartMessage", "tenant_scope"]
