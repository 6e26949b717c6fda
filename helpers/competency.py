"""The competency map: requirements of both units, and what teaches and evidences each one.

The requirement ids, wording and sub-items live in ``helpers/competencies.yaml``.
What teaches and evidences a requirement is *discovered*, so the map cannot go stale:

- **sections**: every ``##`` heading cell of ``notebooks/*.ipynb`` carries a line
  ``*Requirements: 105090L2.1.2, 107188L5.1.2*``;
- **questions**: every question of every exercise module in :mod:`helpers.exercises`
  declares ``requirement = "<id>"``;
- **exercise notebooks**: ``exercises/*.ipynb`` name their module in the setup cell's
  ``bind(globals(), exercise="<name>", ...)`` (or in the notebook metadata
  ``oclab.exercise``).

``python -m helpers.competency`` prints the coverage table (requirement → sections,
questions); ``--csv FILE`` also writes it.

Examples
--------
>>> reqs = load_requirements()
>>> len(reqs), reqs[0].id, reqs[0].group_title
(21, '105090L2.1.1', 'Online customer knowledge')
>>> parse_requirement_line("## Who comes back?\\n*Requirements: 105090L2.1.2, 107188L5.1.2*")
['105090L2.1.2', '107188L5.1.2']
"""

from __future__ import annotations

import argparse
import functools
import importlib
import json
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

#: The project folder (holds ``notebooks/`` and ``exercises/``); the package is installed editable.
PROJECT = Path(__file__).resolve().parent.parent
MAP_PATH = Path(__file__).resolve().parent / "competencies.yaml"

_ID = r"\d{6}L\d\.\d+\.\d+"
_REQUIREMENTS_LINE = re.compile(r"^\s*[*_]*\s*Requirements?\s*:?\s*[*_]*\s*:?\s*(.+?)\s*[*_]*\s*$", re.I | re.M)
_HEADING = re.compile(r"^##\s+(?!#)(.+?)\s*#*\s*$", re.M)
# bind(globals(), exercise="warm_up", ...) or bind(globals(), "warm_up", ...)
_BIND = re.compile(r"""\bbind\(\s*globals\(\)\s*,\s*(?:exercise\s*=\s*)?["']([A-Za-z_]\w*)["']""")


@dataclass(frozen=True)
class Requirement:
    """One performance-requirement bullet of a unit.

    Examples
    --------
    >>> r = requirement("105090L2.2.1")
    >>> r.unit, r.group, len(r.items)
    ('105090L2', '2', 3)
    """

    id: str
    unit: str
    unit_title: str
    group: str
    group_title: str
    label: str
    text: str
    items: tuple[str, ...] = ()


@dataclass(frozen=True)
class Section:
    """A ``##`` section of a teaching notebook and the requirement ids it names."""

    notebook: str
    heading: str
    requirements: tuple[str, ...]

    @property
    def ref(self) -> str:
        return f"{self.notebook} § {self.heading}"


@dataclass(frozen=True)
class QuestionRef:
    """An exercise question: which module, which number, which variable, which requirement."""

    exercise: str
    number: int
    var: str
    requirement: str
    kind: str

    @property
    def ref(self) -> str:
        return f"{self.exercise} q{self.number}"


@dataclass
class Coverage:
    """The discovered map: requirements, sections, questions, and every problem found."""

    requirements: list[Requirement]
    sections: list[Section]
    questions: list[QuestionRef]
    exercise_notebooks: dict[str, str] = field(default_factory=dict)  # notebook file -> exercise name
    problems: list[str] = field(default_factory=list)

    def sections_for(self, req_id: str) -> list[Section]:
        return [s for s in self.sections if req_id in s.requirements]

    def questions_for(self, req_id: str) -> list[QuestionRef]:
        return [q for q in self.questions if q.requirement == req_id]

    def uncovered(self) -> dict[str, list[str]]:
        """Requirement id -> what it lacks (``"section"``, ``"question"``); covered ids are left out."""
        gaps: dict[str, list[str]] = {}
        for req in self.requirements:
            lacks = [what for what, found in (("section", self.sections_for(req.id)),
                                              ("question", self.questions_for(req.id))) if not found]
            if lacks:
                gaps[req.id] = lacks
        return gaps

    def table(self) -> pd.DataFrame:
        """One row per requirement: id, unit, group, label, sections, questions (``; ``-joined)."""
        import pandas as pd

        rows = [
            {
                "requirement": r.id,
                "unit": r.unit,
                "group": r.group_title,
                "label": r.label,
                "sections": "; ".join(s.ref for s in self.sections_for(r.id)),
                "questions": "; ".join(q.ref for q in self.questions_for(r.id)),
            }
            for r in self.requirements
        ]
        return pd.DataFrame(rows, columns=["requirement", "unit", "group", "label", "sections", "questions"])

    def markdown(self) -> str:
        """The coverage table as Markdown, with a line per gap and problem underneath."""
        lines = ["| requirement | label | sections | questions |", "|---|---|---|---|"]
        for row in self.table().itertuples(index=False):
            lines.append(f"| {row.requirement} | {row.label} | {row.sections or '—'} | {row.questions or '—'} |")
        gaps = self.uncovered()
        lines.append("")
        lines.append(f"{len(self.requirements) - len(gaps)} of {len(self.requirements)} requirements have "
                     "both a notebook section and an exercise question.")
        words = {"section": "notebook section", "question": "exercise question"}
        for req_id, lacks in gaps.items():
            lines.append(f"- {req_id}: no {' and no '.join(words[w] for w in lacks)}")
        for problem in self.problems:
            lines.append(f"- problem: {problem}")
        return "\n".join(lines)


# ---------------------------------------------------------------------------
# The YAML map


@functools.cache
def _raw_map(path: str) -> dict:
    import yaml

    return yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}


def load_requirements(path: str | Path = MAP_PATH) -> list[Requirement]:
    """The requirements of ``competencies.yaml``, in file order.

    Raises
    ------
    ValueError
        When an entry's unit or group is not declared, or does not match its id.

    Examples
    --------
    >>> [r.id for r in load_requirements()][-1]
    '107188L5.3.1'
    """
    raw = _raw_map(str(Path(path).resolve()))
    units = raw.get("units", {})
    found = []
    for req_id, entry in (raw.get("requirements") or {}).items():
        req_id = str(req_id)
        unit, group = str(entry.get("unit", "")), str(entry.get("group", ""))
        if not re.fullmatch(_ID, req_id) or req_id.split(".")[:2] != [unit, group]:
            raise ValueError(f"{path}: requirement {req_id!r} has unit {unit!r} and group {group!r}, "
                             "which do not match its id (UNIT.GROUP.N)")
        if unit not in units or group not in units[unit].get("groups", {}):
            raise ValueError(f"{path}: requirement {req_id!r} names unit {unit!r} group {group!r}, "
                             "which is not declared under `units`")
        found.append(Requirement(
            id=req_id, unit=unit, unit_title=str(units[unit]["title"]), group=group,
            group_title=str(units[unit]["groups"][group]), label=str(entry.get("label", "")),
            text=str(entry.get("text", "")), items=tuple(str(i) for i in entry.get("items") or ()),
        ))
    return found


def requirement(req_id: str) -> Requirement:
    """The requirement ``req_id``; KeyError names the valid ids when it is unknown."""
    for req in load_requirements():
        if req.id == req_id:
            return req
    raise KeyError(f"{req_id!r} is not a requirement id; valid ids: {', '.join(r.id for r in load_requirements())}")


# ---------------------------------------------------------------------------
# Discovery


def parse_requirement_line(text: str) -> list[str]:
    """Requirement ids named on the ``*Requirements: ...*`` line(s) of a markdown cell.

    Examples
    --------
    >>> parse_requirement_line("## Title\\n\\n*Requirement: 105090L2.1.6*")
    ['105090L2.1.6']
    >>> parse_requirement_line("## Title without ids")
    []
    """
    ids: list[str] = []
    for match in _REQUIREMENTS_LINE.finditer(text):
        ids.extend(re.findall(r"[^\s,;*_]+", match.group(1)))
    return ids


def _read_notebook(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _source(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def notebook_sections(path: str | Path) -> list[Section]:
    """The ``##`` sections of one notebook with the requirement ids each names (possibly none)."""
    path = Path(path)
    sections = []
    for cell in _read_notebook(path).get("cells", []):
        if cell.get("cell_type") != "markdown":
            continue
        text = _source(cell)
        heading = _HEADING.search(text)
        if heading:
            sections.append(Section(path.stem, heading.group(1).strip(), tuple(parse_requirement_line(text))))
    return sections


def exercise_name(nb: dict) -> str | None:
    """The exercise module a notebook binds: metadata ``oclab.exercise``, else its ``bind(...)`` call.

    Examples
    --------
    >>> exercise_name({"cells": [{"cell_type": "code",
    ...     "source": 'bind(globals(), exercise="warm_up", version="1.0.0")'}]})
    'warm_up'
    >>> exercise_name({"metadata": {"oclab": {"exercise": "retention"}}, "cells": []}) is None
    False
    """
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "code":
            match = _BIND.search(_source(cell))
            if match:
                return match.group(1)
    meta = (nb.get("metadata") or {}).get("oclab") or {}
    name = meta.get("exercise") if isinstance(meta, dict) else None
    return str(name) if isinstance(name, str) and name.isidentifier() else None


def exercise_notebooks(folder: str | Path = PROJECT / "exercises") -> dict[str, str]:
    """``{notebook stem: exercise module name}`` for every ``*.ipynb`` in ``folder`` that binds one."""
    found = {}
    for path in sorted(Path(folder).glob("*.ipynb")):
        name = exercise_name(_read_notebook(path))
        if name:
            found[path.stem] = name
    return found


def _exercise_modules() -> list[str]:
    from helpers.exercises import available_exercises

    return available_exercises()


def exercise_questions(names: Iterable[str] | None = None) -> tuple[list[QuestionRef], list[str]]:
    """Questions of the exercise modules (all of them by default), and import problems found."""
    from helpers.exercises import questions

    refs, problems = [], []
    for name in (_exercise_modules() if names is None else names):
        try:
            module = importlib.import_module(f"helpers.exercises.{name}")
            found = questions(module)
        except Exception as exc:  # a module being written may not import: report, never hide
            problems.append(f"exercise module {name!r} does not load: {type(exc).__name__}: {exc}")
            continue
        refs.extend(QuestionRef(name, q.number, q.var, q.requirement, type(q).__name__) for q in found)
    return refs, problems


def discover(
    notebooks: str | Path = PROJECT / "notebooks",
    exercises: str | Path = PROJECT / "exercises",
    modules: Iterable[str] | None = None,
    map_path: str | Path = MAP_PATH,
) -> Coverage:
    """Read the map and discover sections, exercise notebooks and questions.

    ``problems`` lists ids named anywhere that are not in the map, exercise modules
    that do not import, exercise notebooks without a module and modules without a notebook.

    Examples
    --------
    >>> cov = discover(modules=["warm_up"])
    >>> [q.ref for q in cov.questions_for("107188L5.1.2")]
    ['warm_up q2']
    """
    reqs = load_requirements(map_path)
    known = {r.id for r in reqs}
    sections = [s for path in sorted(Path(notebooks).glob("*.ipynb")) for s in notebook_sections(path)]
    nb_map = exercise_notebooks(exercises)
    module_names = _exercise_modules() if modules is None else list(modules)
    questions_found, problems = exercise_questions(module_names)
    for section in sections:
        for req_id in section.requirements:
            if req_id not in known:
                problems.append(f"section {section.ref} names unknown requirement id {req_id!r}")
    for q in questions_found:
        if q.requirement not in known:
            problems.append(f"question {q.ref} names unknown requirement id {q.requirement!r}")
    if modules is None:
        for stem, name in nb_map.items():
            if name not in module_names:
                problems.append(f"exercise notebook {stem} binds {name!r}, which is not a module in helpers/exercises")
        for name in module_names:
            if name not in nb_map.values():
                problems.append(f"exercise module {name!r} has no notebook in exercises/")
    return Coverage(reqs, sections, questions_found, nb_map, problems)


def main(argv: Sequence[str] | None = None) -> int:
    """Print the coverage table; exit status 1 when a requirement is uncovered or a problem was found."""
    parser = argparse.ArgumentParser(prog="python -m helpers.competency", description=main.__doc__)
    parser.add_argument("--csv", type=Path, help="also write the table to this CSV file")
    args = parser.parse_args(argv)
    cov = discover()
    print(cov.markdown())
    if args.csv:
        cov.table().to_csv(args.csv, index=False, lineterminator="\n")
    return 1 if cov.uncovered() or cov.problems else 0


__all__ = [
    "Coverage",
    "QuestionRef",
    "Requirement",
    "Section",
    "discover",
    "exercise_name",
    "exercise_notebooks",
    "exercise_questions",
    "load_requirements",
    "notebook_sections",
    "parse_requirement_line",
    "requirement",
]

if __name__ == "__main__":
    sys.exit(main())
