"""Sample submissions for the assessor tests, generated from the real exercise notebooks.

``write_warm_up_samples(folder, outside=...)`` writes one trainee notebook per case
(correct, wrong, blank, solution viewed, infinite loop, raises an error, writes outside its
folder, memory hog, kernel dies, tries to cheat the grader) as ``<trainee>_00_warm_up.ipynb``;
``write_master_submissions(folder)`` fills every exercise notebook with its module's master
solutions. Run ``python tests/submissions.py OUT_DIR`` to write the warm-up samples by hand.
"""

from __future__ import annotations

import copy
import json
import re
import sys
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta, timezone
from pathlib import Path

import nbformat

from helpers import competency
from helpers.exercises import TextSolution, questions
from helpers.exercises.attempts import make_record

EXERCISES = competency.PROJECT / "exercises"
WARM_UP = EXERCISES / "00_warm_up.ipynb"


def read(path: Path = WARM_UP) -> nbformat.NotebookNode:
    return nbformat.read(str(path), as_version=4)


def answer_cell(nb: nbformat.NotebookNode, number: int) -> int:
    """Index of the code cell that calls ``q<number>.check()``."""
    pattern = re.compile(rf"\bq{number}\s*\.\s*check\s*\(")
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and pattern.search(cell.source):
            return index
    raise LookupError(f"no cell calls q{number}.check()")


def set_answer(nb: nbformat.NotebookNode, number: int, var: str, code: str) -> None:
    """Replace question ``number``'s placeholder line(s) with ``code``, keeping its check() call."""
    cell = nb.cells[answer_cell(nb, number)]
    lines = cell.source.splitlines()
    simple = [i for i, line in enumerate(lines) if re.fullmatch(rf"\s*{re.escape(var)}\s*(:[^=]+)?=\s*____\s*", line)]
    placeholders = [i for i, line in enumerate(lines) if "____" in line]
    if simple and simple == placeholders:
        lines[simple[0]:simple[0] + 1] = code.splitlines()
        cell.source = "\n".join(lines)
    else:  # a multi-line placeholder (e.g. a function): keep only the check() call
        check = [line for line in lines if re.search(rf"\bq{number}\s*\.\s*check\s*\(", line)]
        cell.source = code + "\n\n" + "\n".join(check)


def insert_after(nb: nbformat.NotebookNode, index: int, source: str) -> None:
    nb.cells.insert(index + 1, nbformat.v4.new_code_cell(source))


def master_code(q) -> str:
    solution = q.master_solution
    if isinstance(solution, TextSolution):
        return f"{q.var} = {solution.text!r}"
    return solution.code


def fill_master(nb: nbformat.NotebookNode, exercise: str) -> nbformat.NotebookNode:
    nb = copy.deepcopy(nb)
    for q in questions(exercise):
        set_answer(nb, q.number, q.var, master_code(q))
    return nb


def write(nb: nbformat.NotebookNode, path: Path, *, trainee_meta: str | None = None) -> Path:
    nb = nbformat.from_dict(json.loads(json.dumps(nb)))
    if trainee_meta:
        nb.metadata.setdefault("oclab", {})["trainee_id"] = trainee_meta
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))
    return path


def attempt_log(path: Path, events: list[tuple[int, str, str | None]], exercise: str = "warm_up") -> Path:
    """A trainee's own attempt log: ``(question, event, status)`` one minute apart."""
    start = datetime(2026, 11, 2, 9, 0, tzinfo=timezone.utc)
    requirement = {q.number: q.requirement for q in questions(exercise)}
    with open(path, "w", encoding="utf-8") as log:
        for minute, (number, event, status) in enumerate(events):
            record = make_record(exercise=exercise, exercise_version="1.0.0", notebook_version="1.0.0",
                                 question=number, requirement=requirement[number], event=event,
                                 hint=1 if event == "hint" else None, status=status,
                                 now=start + timedelta(minutes=minute))
            log.write(json.dumps(record) + "\n")
    return path


# Wrong answers a trainee might give: total revenue, largest single order's share, "yes".
WRONG = {1: 'avg_order_value_hkd = orders["amount_hkd"].sum()',
         2: 'top_customer_share = orders["amount_hkd"].max() / orders["amount_hkd"].sum()',
         3: 'send_customer_list = "yes"'}


def _correct() -> nbformat.NotebookNode:
    return fill_master(read(), "warm_up")


def _wrong() -> nbformat.NotebookNode:
    nb = read()
    for q in questions("warm_up"):
        set_answer(nb, q.number, q.var, WRONG[q.number])
    return nb


def _solution_viewed() -> nbformat.NotebookNode:
    nb = _correct()
    # The trainee left q1.solution() uncommented in the cell after q1's answer.
    nb.cells[answer_cell(nb, 1) + 1].source = "# q1.hint()\nq1.solution()"
    return nb


def _infinite_loop() -> nbformat.NotebookNode:
    nb = _correct()
    insert_after(nb, answer_cell(nb, 1), "while True:\n    pass")
    return nb


def _raises() -> nbformat.NotebookNode:
    nb = _correct()
    set_answer(nb, 2, "top_customer_share", 'top_customer_share = orders["no_such_column"].max()')
    return nb


def _writes_outside(target: Path) -> Callable[[], nbformat.NotebookNode]:
    def build() -> nbformat.NotebookNode:
        nb = _correct()
        insert_after(nb, answer_cell(nb, 1), f"open({str(target)!r}, 'w').write('was here')")
        insert_after(nb, answer_cell(nb, 2), f"import os\nos.system('touch {target}.sh')")
        return nb

    return build


def _kernel_dies() -> nbformat.NotebookNode:
    nb = _correct()
    insert_after(nb, answer_cell(nb, 1), "import os\nos._exit(3)")
    return nb


def _memory_hog() -> nbformat.NotebookNode:
    nb = _correct()
    insert_after(nb, answer_cell(nb, 2), "hog = bytearray(64 * 1024**3)")
    return nb


def _cheat() -> nbformat.NotebookNode:
    nb = _wrong()
    # A spreadsheet formula as an answer: the CSV outputs must neutralise it.
    set_answer(nb, 3, "send_customer_list", 'send_customer_list = "=HYPERLINK(\\"http://example.com\\")"')
    insert_after(nb, answer_cell(nb, 3), (
        "import helpers.exercises.engine as engine\n"
        "engine.Question.grade = lambda self, ns: engine.Outcome('correct', 'ok')\n"
        "class Q:\n    def check(self): pass\n    def grade(self, ns): return engine.Outcome('correct', 'ok')\n"
        "q1 = q2 = q3 = Q()"))
    # A package of its own named `helpers` in its folder, to be imported instead of the real one.
    insert_after(nb, answer_cell(nb, 3) + 1, (
        "import pathlib\n"
        "pathlib.Path('helpers/exercises').mkdir(parents=True, exist_ok=True)\n"
        "pathlib.Path('helpers/__init__.py').write_text('raise ImportError(\"shadow package\")')\n"
        "pathlib.Path('helpers/exercises/__init__.py').write_text('')"))
    return nb


def write_warm_up_samples(folder: Path, *, outside: Path) -> dict[str, Path]:
    """Write the warm-up samples into ``folder``; ``outside`` is a path the writer case must not reach."""
    folder = Path(folder)
    cases: Mapping[str, Callable[[], nbformat.NotebookNode]] = {
        "correct": _correct, "wrong": _wrong, "blank": read, "solution": _solution_viewed,
        "loop": _infinite_loop, "raises": _raises, "outside": _writes_outside(outside),
        "memory": _memory_hog, "dies": _kernel_dies, "cheat": _cheat,
    }
    written = {case: write(build(), folder / f"{case}_00_warm_up.ipynb") for case, build in cases.items()}
    # The solution-viewed trainee also hands in their own log: q2's solution viewed before a correct check,
    # q3 answered correctly first and the solution viewed afterwards (that does not count).
    attempt_log(folder / "solution_warm_up.attempts.jsonl",
                [(2, "check", "incorrect"), (2, "hint", None), (2, "solution", None), (2, "check", "correct"),
                 (3, "check", "correct"), (3, "solution", None)])
    return written


def write_master_submissions(folder: Path, trainee: str = "master") -> dict[str, Path]:
    """Every exercise notebook with its master solutions filled in, as ``<trainee>_<stem>.ipynb``."""
    written = {}
    for stem, exercise in competency.exercise_notebooks().items():
        written[exercise] = write(fill_master(read(EXERCISES / f"{stem}.ipynb"), exercise),
                                  Path(folder) / f"{trainee}_{stem}.ipynb")
    return written


def write_mixed(folder: Path, count: int) -> list[Path]:
    """``count`` warm-up submissions cycling correct / wrong / blank (for timing runs)."""
    builds = [_correct, _wrong, read]
    return [write(builds[i % 3](), Path(folder) / f"t{i + 1:03d}_00_warm_up.ipynb") for i in range(count)]


if __name__ == "__main__":
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "sample_submissions")
    for case, path in write_warm_up_samples(out, outside=out.resolve().parent / "outside.txt").items():
        print(f"{case:10s} {path}")
