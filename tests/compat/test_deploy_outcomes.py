"""Every model of the compat corpus deploys unchanged over /engine-rest with Camunda 7's outcome: refused when
Camunda refuses it, else deployed with one process definition per executable process (expected.yaml).

Entries another helper's work makes pass (`owner`) and known differences are strict expected failures, so
the figure moves visibly when that work is merged. `bench/compat_deploys.py` prints the same comparison.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import pytest

from tests.compat import corpus
from tests.support import make_app

ENTRIES = corpus.load_manifest()


def _param(entry: corpus.Expected) -> Any:
    if entry.owner or entry.known_difference:
        reason = f"owner {entry.owner}" if entry.owner else f"known difference: {entry.known_difference}"
        return pytest.param(entry, id=entry.path, marks=pytest.mark.xfail(strict=True, reason=reason))
    return pytest.param(entry, id=entry.path)


@pytest.fixture(scope="module")
def compat_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    # order-handling.bpmn polls every 5 s: the corpus app allows the shortest cycle Camunda would run.
    app = make_app(Path(tmp_path_factory.mktemp("compat")), rest_auth=False, timer_min_cycle_seconds=1.0)
    yield app.test_client()
    app.extensions["alur"].db.dispose()


def test_manifest_lists_every_corpus_file() -> None:
    on_disk = {str(p.relative_to(corpus.CORPUS)) for p in corpus.CORPUS.rglob("*")
               if p.is_file() and p.name.endswith(corpus.SUFFIXES)}
    assert on_disk == {e.path for e in ENTRIES}


@pytest.mark.parametrize("entry", [_param(e) for e in ENTRIES])
def test_deploy_outcome_equals_camunda(compat_client: Any, entry: corpus.Expected) -> None:
    outcome = corpus.deploy(compat_client, entry.path)
    expected = f"refused ({entry.refused})" if entry.refused else "deploys"
    assert corpus.matches(entry, outcome), f"Camunda: {expected}; Alur: {outcome}"
