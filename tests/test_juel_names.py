"""Variables read by a condition, through the JUEL parser (service.expr.juel) rather than a regex scan,
and sample strings for form patterns through Hypothesis (service.sop.datagen)."""
from __future__ import annotations

import re

import pytest

from service.expr.juel import compile as compile_juel
from service.sop.datagen import DataGenError, condition_variables, regex_example


@pytest.mark.parametrize("text, names", [
    ("${execution.getVariable('nilai') > 5}", ["nilai"]),
    ("${execution.hasVariableLocal(\"catatan\") && ok}", ["catatan", "ok"]),
    ("${reviu.hasil == 'lengkap' && nilai > 10}", ["reviu", "nilai"]),
    ("${a[k] ? b : c.d}", ["a", "k", "b", "c"]),
    ("${'nilai' == teks}", ["teks"]),                 # a string literal is no variable
    ("Nomor ${nomor.size()} / ${tahun}", ["nomor", "tahun"]),
    ("${x > 1} ${x < 5}", ["x"]),
    ("${now() > batas}", ["batas"]),
])
def test_condition_variables_come_from_the_juel_parser(text: str, names: list[str]) -> None:
    assert condition_variables(text) == names
    assert list(compile_juel(text).variable_names()) == names


def test_a_condition_outside_the_subset_reads_nothing() -> None:
    assert condition_variables("${x +* 2}") == []


def test_feel_input_expressions_are_scanned() -> None:
    assert condition_variables("nilai_kontrak") == ["nilai_kontrak"]
    assert condition_variables('jenis = "barang" and nilai > 5') == ["jenis", "nilai"]


@pytest.mark.parametrize("pattern", [r"^[0-9]{3}/[A-Z]+$", r"[A-Z]{2}-\d{4,6}", r"(ab|cd)+x?", r"[^a]b\w\s\.",
                                     r"é+", r"NIB[0-9]{13}"])
def test_regex_examples_are_short_and_repeatable(pattern: str) -> None:
    text = regex_example(pattern)
    assert re.fullmatch(pattern, text)
    regex_example.cache_clear()
    assert regex_example(pattern) == text          # deterministic: the same value in every run
    assert text.isprintable()


@pytest.mark.parametrize("pattern", ["(", r"(?<=a)b", r"a{1000000}"])
def test_impossible_patterns_are_refused_with_their_text(pattern: str) -> None:
    with pytest.raises(DataGenError, match=re.escape(pattern)):
        regex_example(pattern)
