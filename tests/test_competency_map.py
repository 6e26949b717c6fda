"""The competency map: the 21 requirement bullets, and that each one is taught and evidenced.

``test_every_requirement_is_taught_and_evidenced`` reads the real notebooks and exercise
modules: it fails while any requirement lacks a notebook section or an exercise question,
or when a section or question names an id that is not in the map.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from helpers import competency
from helpers.exercises import ValueQuestion, CodeSolution, Exercise


def test_map_has_the_21_bullets_of_the_two_units() -> None:
    reqs = competency.load_requirements()
    assert len(reqs) == 21
    # 105090L2: online customer knowledge 6, retain online customers 3, professionalism 3;
    # 107188L5: principles 2, methods 6, professionalism 1.
    assert Counter((r.unit, r.group) for r in reqs) == {
        ("105090L2", "1"): 6, ("105090L2", "2"): 3, ("105090L2", "3"): 3,
        ("107188L5", "1"): 2, ("107188L5", "2"): 6, ("107188L5", "3"): 1,
    }
    assert len({r.id for r in reqs}) == 21
    assert all(r.text.endswith(".") and r.label for r in reqs)


def test_ids_stay_the_ones_exercise_modules_use() -> None:
    ids = [r.id for r in competency.load_requirements()]
    assert ids[:6] == [f"105090L2.1.{n}" for n in range(1, 7)]
    assert ids[12:] == ["107188L5.1.1", "107188L5.1.2"] + [f"107188L5.2.{n}" for n in range(1, 7)] + ["107188L5.3.1"]


def test_sub_items_are_listed_under_their_bullet() -> None:
    def items(req_id: str) -> tuple[str, ...]:
        return competency.requirement(req_id).items

    assert len(items("105090L2.1.6")) == 5  # five laws
    assert any("Cap. 486" in law for law in items("105090L2.1.6"))
    assert len(items("105090L2.1.4")) == 7 and items("105090L2.2.2") == items("105090L2.1.4")  # seven media
    assert len(items("105090L2.1.3")) == 4  # four relationship systems
    assert len(items("105090L2.2.1")) == 3  # three parts of customised strategies
    assert items("105090L2.1.5") == ("customer referral scheme", "new membership scheme")
    methods = [r for r in competency.load_requirements() if r.unit == "107188L5" and r.group == "2"]
    assert len(methods) == 6  # the six methods are the six bullets of group 2


def test_unknown_requirement_raises_with_the_valid_ids() -> None:
    with pytest.raises(KeyError, match="105090L2.1.1"):
        competency.requirement("105090L2.9.9")


def test_inconsistent_unit_or_group_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "map.yaml"
    bad.write_text("units:\n  105090L2:\n    title: T\n    level: 2\n    groups: {'1': G}\n"
                   "requirements:\n  105090L2.1.1: {unit: 105090L2, group: '2', label: x, text: y.}\n")
    with pytest.raises(ValueError, match="do not match its id"):
        competency.load_requirements(bad)


def test_requirement_lines_are_read_from_heading_cells() -> None:
    assert competency.parse_requirement_line("## Why\n\n*Requirements: 105090L2.1.2, 107188L5.1.2*") == [
        "105090L2.1.2", "107188L5.1.2"]
    assert competency.parse_requirement_line("**Requirements:** 105090L2.3.2") == ["105090L2.3.2"]
    assert competency.parse_requirement_line("## No ids here\nJust text about requirements of customers.") == []


def _notebook(path: Path, cells: list[tuple[str, str]]) -> Path:
    nb = {"cells": [{"cell_type": t, "metadata": {}, "source": s, **({"outputs": [], "execution_count": None}
                                                                    if t == "code" else {})}
                    for t, s in cells],
          "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    path.write_text(json.dumps(nb))
    return path


def test_discovery_finds_sections_notebooks_and_flags_problems(tmp_path: Path) -> None:
    notebooks, exercises = tmp_path / "notebooks", tmp_path / "exercises"
    notebooks.mkdir()
    exercises.mkdir()
    _notebook(notebooks / "01_demo.ipynb", [
        ("markdown", "# Demo\nWhy."),
        ("markdown", "## Who returns?\n*Requirements: 105090L2.1.2, 107188L5.1.2*"),
        ("code", "x = 1"),
        ("markdown", "### A sub-heading is not a section\n*Requirements: 105090L2.1.1*"),
        ("markdown", "## Typo in an id\n*Requirements: 105090L2.1.9*"),
    ])
    _notebook(exercises / "00_warm_up.ipynb", [
        ("code", 'from helpers.exercises import ____, bind\nbind(globals(), exercise="warm_up", version="1.0.0")')])
    cov = competency.discover(notebooks, exercises, modules=["warm_up"])
    assert [s.heading for s in cov.sections] == ["Who returns?", "Typo in an id"]
    assert [s.ref for s in cov.sections_for("107188L5.1.2")] == ["01_demo § Who returns?"]
    assert cov.exercise_notebooks == {"00_warm_up": "warm_up"}
    # warm_up: q1 on 105090L2.1.2, q2 on 107188L5.1.2, q3 on 105090L2.3.2
    assert [q.ref for q in cov.questions_for("105090L2.3.2")] == ["warm_up q3"]
    gaps = cov.uncovered()
    assert "105090L2.1.2" not in gaps and "107188L5.1.2" not in gaps
    assert gaps["105090L2.3.2"] == ["section"]
    assert gaps["105090L2.1.1"] == ["section", "question"]
    assert any("105090L2.1.9" in p for p in cov.problems)
    table = cov.table()
    assert len(table) == 21
    assert table.set_index("requirement").loc["105090L2.1.2", "questions"] == "warm_up q1"
    assert "19 of 21" not in cov.markdown() and "2 of 21 requirements" in cov.markdown()


def test_a_question_naming_an_unknown_id_is_a_problem(monkeypatch: pytest.MonkeyPatch) -> None:
    class Stray(ValueQuestion):
        var = "x"
        requirement = "105090L2.1.1"
        solution = CodeSolution("x = 1")

        def expected(self, ctx):
            return 1

    question = Stray(Exercise("stray", "1.0.0"), 1)
    monkeypatch.setattr(Stray, "requirement", "105090L2.7.7")  # as if the map lost the id
    import types
    import sys

    module = types.ModuleType("helpers.exercises.stray_demo")
    module.q1 = question
    monkeypatch.setitem(sys.modules, "helpers.exercises.stray_demo", module)
    cov = competency.discover(modules=["stray_demo"])
    assert any("stray_demo q1" in p and "105090L2.7.7" in p for p in cov.problems)


def test_a_module_that_does_not_load_is_reported_not_skipped() -> None:
    refs, problems = competency.exercise_questions(["no_such_exercise_module"])
    assert refs == [] and "does not load" in problems[0]


def test_every_requirement_is_taught_and_evidenced() -> None:
    """The real map: every requirement has a notebook section and an exercise question."""
    cov = competency.discover()
    report = cov.markdown()
    assert not cov.problems, report
    assert not cov.uncovered(), report
