"""Copy the deploy-outcome corpus (tests/fixtures/compat/) from the local mirrors of its three sources.

Run once when the corpus changes; the files are stored unchanged (byte for byte) with their licences.
The expected outcomes are in tests/fixtures/compat/expected.yaml, written by hand from Camunda's sources.
"""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

MIRRORS = Path("/work/.mirror")
TARGET = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "compat"
ENGINE_DIR = "engine/src/test/resources/org/camunda/bpm/engine/test/"
# Camunda engine test resources: BpmnParseTest's (deployable and invalid, each asserted by a Java test),
# and models of the engine tests for constructs issue 13 names.
ENGINE_PICKS = [
    re.compile(r"bpmn/parse/BpmnParseTest\.(?!testInvalidExecutionListener|testParseProcessDefinitionFSP)[^/]+$"),
    re.compile(r"bpmn/gateway/(Exclusive|Inclusive)GatewayTest\.test(NoIdOnSequenceFlow|WhitespaceInExpression)"
               r"\.bpmn20\.xml$"),
    re.compile(r"bpmn/event/conditional/IntermediateConditionalEventTest\.testVariableValue\.bpmn20\.xml$"),
    re.compile(r"api/externaltask/ExternalTaskServiceTest\.externalTaskWithNestedErrorEventDefinition"
               r"(VariableExpression)?\.bpmn20\.xml$"),
    re.compile(r"bpmn/multiinstance/MultiInstanceTest\.testParallelUserTasks\.bpmn20\.xml$"),
]


def _git(repo: Path, *args: str) -> bytes:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True).stdout


def _copy(repo: Path, path: str, dest: Path) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_bytes(_git(repo, "show", f"HEAD:{path}"))


def main() -> int:
    bpmn = re.compile(r"\.bpmn(20\.xml)?$")
    examples = MIRRORS / "camunda+camunda-bpm-examples" / "repo"
    for path in _git(examples, "ls-tree", "-r", "--name-only", "HEAD").decode().splitlines():
        if bpmn.search(path):
            _copy(examples, path, TARGET / "camunda-bpm-examples" / path)
    _copy(examples, "LICENSE", TARGET / "camunda-bpm-examples" / "LICENSE")

    miwg = MIRRORS / "bpmn-miwg+bpmn-miwg-test-suite" / "repo"
    for path in _git(miwg, "ls-tree", "-r", "--name-only", "HEAD").decode().splitlines():
        folder, _, name = path.partition("/")
        if folder == "Reference" and name.endswith(".bpmn") and "/" not in name:
            _copy(miwg, path, TARGET / "bpmn-miwg" / "Reference" / name)
        elif folder.startswith("bpmn.io (Camunda Modeler)") and name.endswith("-export.bpmn"):
            _copy(miwg, path, TARGET / "bpmn-miwg" / "camunda-modeler" / name)
    _copy(miwg, "LICENSE.txt", TARGET / "bpmn-miwg" / "LICENSE.txt")

    platform = MIRRORS / "camunda+camunda-bpm-platform" / "repo"
    for path in _git(platform, "ls-tree", "-r", "--name-only", "HEAD", ENGINE_DIR).decode().splitlines():
        rest = path[len(ENGINE_DIR):]
        if bpmn.search(path) and any(p.search(rest) for p in ENGINE_PICKS):
            _copy(platform, path, TARGET / "camunda-engine" / path.rsplit("/", 1)[1])
    _copy(platform, "LICENSE", TARGET / "camunda-engine" / "LICENSE")
    _copy(platform, "NOTICE", TARGET / "camunda-engine" / "NOTICE")
    return 0


if __name__ == "__main__":
    sys.exit(main())
