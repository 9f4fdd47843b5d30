"""Every shipped decision table is DMN 1.3 as Camunda Modeler writes it, and every rule says why."""
from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

DMN13 = "https://www.omg.org/spec/DMN/20191111/MODEL/"
CAMUNDA_DMN = "http://camunda.org/schema/1.0/dmn"
FILES = sorted((Path(__file__).resolve().parents[2] / "dmn").glob("*.dmn"))


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_decision_table_file_is_well_formed(path: Path) -> None:
    root = etree.parse(str(path)).getroot()
    assert root.tag == f"{{{DMN13}}}definitions"
    assert root.nsmap.get("camunda") == CAMUNDA_DMN
    assert root.find(f"{{{DMN13}}}decision[@id='{path.stem}']") is not None, "decision id = file key"
    for table in root.iter(f"{{{DMN13}}}decisionTable"):
        assert table.get("hitPolicy"), table.get("id")
    for expr in root.iter(f"{{{DMN13}}}inputExpression"):
        assert expr.get("typeRef"), expr.get("id")
    for output in root.iter(f"{{{DMN13}}}output"):
        assert output.get("typeRef") and output.get("name"), output.get("id")
    for rule in root.iter(f"{{{DMN13}}}rule"):
        assert rule.get("id")
        text = rule.findtext(f"{{{DMN13}}}description")
        # The annotation column (Camunda writes it as the rule's description) cites the legal basis.
        assert text and text.strip(), f"rule {rule.get('id')} has no annotation"


def test_every_shipped_table_is_checked() -> None:
    assert len(FILES) >= 7
