"""The deploy-outcome corpus (tests/fixtures/compat/): each model deployed unchanged over /engine-rest and its
outcome compared with Camunda 7's, recorded in expected.yaml.

An entry of expected.yaml is `deploys` (Camunda creates one process definition per executable process) or
`refused: <Camunda's reason>`, optionally with `owner: <helper>` when another line of work makes it pass
(the test is then an expected failure until that work is merged).
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from lxml import etree

CORPUS = Path(__file__).resolve().parent.parent / "fixtures" / "compat"
MANIFEST = CORPUS / "expected.yaml"
SUFFIXES = (".bpmn", ".bpmn20.xml")
BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"


@dataclass(frozen=True)
class Expected:
    path: str                    # relative to CORPUS
    refused: str | None          # Camunda's reason, None when Camunda deploys it
    owner: str | None = None     # the helper whose work makes Alur match, when not this branch
    known_difference: str | None = None   # why Alur differs, when it knowingly does

    @property
    def deploys(self) -> bool:
        return self.refused is None


@dataclass(frozen=True)
class Outcome:
    deployed: bool
    definitions: int
    message: str


def load_manifest() -> list[Expected]:
    data = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    entries = []
    for path, value in data["files"].items():
        if value == "deploys":
            entries.append(Expected(path, None))
        elif isinstance(value, dict):
            refused = value.get("refused")
            if bool(refused) == (value.get("outcome") == "deploys"):
                raise ValueError(f"{path}: give either `outcome: deploys` or `refused: <reason>`")
            entries.append(Expected(path, refused, value.get("owner"), value.get("known_difference")))
        else:
            raise ValueError(f"{path}: unreadable manifest entry {value!r}")
    return entries


def executable_processes(content: bytes) -> int:
    """How many process definitions Camunda 7 creates from this file on a new deployment: the processes
    with isExecutable="true" (BpmnParse.parseProcessDefinitions; a missing attribute counts as false)."""
    root = etree.fromstring(content, etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False))
    return sum(1 for p in root.iter(f"{{{BPMN}}}process") if (p.get("isExecutable") or "").lower() == "true")


def deploy(client: Any, path: str) -> Outcome:
    """Deploy one corpus file (named by its own file name), then delete the deployment so the next file
    sees an empty engine, as each Camunda test does."""
    content = (CORPUS / path).read_bytes()
    name = path.rsplit("/", 1)[-1]
    data = {"deployment-name": "compat", "deployment-source": "compat-corpus", name: (io.BytesIO(content), name)}
    response = client.post("/engine-rest/deployment/create", data=data, content_type="multipart/form-data")
    body = response.get_json(silent=True) or {}
    if response.status_code != 200:
        return Outcome(False, 0, f"{response.status_code} {body.get('message', response.data[:300])}")
    client.delete(f"/engine-rest/deployment/{body['id']}?cascade=true")
    definitions = len(body.get("deployedProcessDefinitions") or {})
    return Outcome(True, definitions, "; ".join(body.get("warnings") or []))


def matches(expected: Expected, outcome: Outcome) -> bool:
    if not expected.deploys:
        return not outcome.deployed
    content = (CORPUS / expected.path).read_bytes()
    return outcome.deployed and outcome.definitions == executable_processes(content)
