"""The Java delegates of Camunda's invoice example (examples/invoice, Apache 2.0), as Alur handlers.

Like the originals they log what they would do; ArchiveInvoiceService fails when `shouldFail` is true
(Camunda's example uses it to show an incident), and both record what they did in a process variable so
the result can be seen in the instance's history.

Installed as a package, the `alur.delegates` entry points register them. Without installing, name this
module in ALUR_DELEGATE_MODULES: `register(registry)` below adds them.
"""
from __future__ import annotations

import logging
from typing import Any

log = logging.getLogger(__name__)

ARCHIVE = "org.camunda.bpm.example.invoice.service.ArchiveInvoiceService"
NOTIFY = "org.camunda.bpm.example.invoice.service.NotifyCreditorService"


class ArchiveFailed(Exception):
    """Camunda's example throws a ProcessEngineException("Could not archive invoice...")."""


class ArchiveInvoiceService:
    def execute(self, execution: Any) -> None:
        if execution.getVariable("shouldFail"):
            raise ArchiveFailed("Could not archive invoice...")
        document = execution.getVariableTyped("invoiceDocument")
        filename = document.getFilename() if document is not None else None
        log.info("... Now archiving invoice %s, filename: %s", execution.getVariable("invoiceNumber"), filename)
        execution.setVariable("archivedDocument", filename)


class NotifyCreditorService:
    def execute(self, execution: Any) -> None:
        log.info("... Now notifying creditor %s", execution.getVariable("creditor"))
        execution.setVariable("creditorNotified", True)


DELEGATES = {ARCHIVE: ArchiveInvoiceService, NOTIFY: NotifyCreditorService}


def register(registry: Any) -> None:
    for name, handler in DELEGATES.items():
        registry.register(name, handler)
