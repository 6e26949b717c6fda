"""The assessor workflow: grading generated sample submissions end to end, and the outputs.

Two graded batches are shared by the tests of this file (about a minute on 2 cores):
the warm-up samples of ``tests/submissions.py`` (correct, wrong, blank, solution viewed,
infinite loop, raises an error, writes outside its folder, memory hog, kernel dies, tries to cheat) with
a 10 s notebook timeout, and every exercise notebook filled with its master solutions.
"""

from __future__ import annotations

import csv
import re
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

import submissions
from helpers import assess, competency


@pytest.fixture(scope="module")
def samples(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("samples")
    folder, out = root / "submitted", root / "out"
    outside = root / "outside.txt"  # beside the submissions folder, outside every sandbox
    submissions.write_warm_up_samples(folder, outside=outside)
    started = time.monotonic()
    batch = assess.grade_folder(folder, timeout_s=10, jobs=2, progress=False)
    elapsed = time.monotonic() - started
    assess.write_outputs(batch, out)
    return {"batch": batch, "out": out, "outside": outside, "elapsed": elapsed,
            "by_trainee": {r.trainee: r for r in batch.results}}


def statuses(result: assess.SubmissionResult) -> list[str]:
    return [q.status for q in result.questions]


def evidence_of(samples: dict, trainee: str) -> dict[str, str]:
    table = pd.read_csv(samples["out"] / "evidence.csv", dtype=str, keep_default_na=False)
    mine = table[table["trainee"] == trainee]
    return dict(zip(mine["requirement"], mine["evidence"]))


# warm_up: q1 -> 105090L2.1.2, q2 -> 107188L5.1.2, q3 -> 105090L2.3.2
WARM_UP_REQS = ["105090L2.1.2", "107188L5.1.2", "105090L2.3.2"]


def test_every_sample_was_graded_once(samples: dict) -> None:
    assert sorted(samples["by_trainee"]) == sorted(
        ["blank", "cheat", "correct", "dies", "loop", "memory", "outside", "raises", "solution", "wrong"])
    assert all(r.exercise == "warm_up" for r in samples["batch"].results)


def test_correct_submission_meets_its_requirements(samples: dict) -> None:
    result = samples["by_trainee"]["correct"]
    assert (result.run, result.detail) == ("graded", "ran to the end")
    assert statuses(result) == ["correct", "correct", "correct"]
    assert result.questions[0].answer == "500"  # (1200 + 150 + 800 + 100 + 250) / 5
    evidence = evidence_of(samples, "correct")
    assert [evidence[r] for r in WARM_UP_REQS] == ["met", "met", "met"]
    # Requirements no graded question touches are not assessed, never "not met".
    assert evidence["107188L5.2.6"] == "not assessed"


def test_wrong_answers_are_incorrect_without_revealing_the_answer(samples: dict) -> None:
    result = samples["by_trainee"]["wrong"]
    assert statuses(result) == ["incorrect", "incorrect", "incorrect"]
    assert "total revenue" in result.questions[0].message
    # The right average is HK$500: no message may state it (the trainee's 2,500 may appear).
    assert not any(re.search(r"(?<![\d,.])500(?![\d,])", q.message) for q in result.questions)
    assert [evidence_of(samples, "wrong")[r] for r in WARM_UP_REQS] == ["not met"] * 3


def test_blank_notebook_is_not_attempted(samples: dict) -> None:
    result = samples["by_trainee"]["blank"]
    assert result.run == "graded"
    assert statuses(result) == ["not_attempted"] * 3


def test_solution_viewed_before_a_correct_answer_is_marked(samples: dict) -> None:
    result = samples["by_trainee"]["solution"]
    # q1: q1.solution() left in the notebook; q2: the submitted log shows the solution before the
    # first correct check; q3: correct first, solution viewed afterwards, which does not count.
    assert statuses(result) == ["solution_viewed", "solution_viewed", "correct"]
    assert result.questions[1].hints == 1
    assert result.attempt_log == "solution_warm_up.attempts.jsonl"
    assert [evidence_of(samples, "solution")[r] for r in WARM_UP_REQS] == ["partly", "partly", "met"]


def test_infinite_loop_times_out_and_later_questions_are_not_graded(samples: dict) -> None:
    result = samples["by_trainee"]["loop"]
    assert result.run == "timed out"
    assert "timed out after 10 s in cell 3 (while True:)" in result.detail
    # q1's answer ran before the loop; q2 and q3 never ran: "not graded", never "passed".
    assert statuses(result) == ["correct", "not_graded", "not_graded"]
    assert "timed out" in result.questions[1].message
    assert result.seconds < 60


def test_error_in_a_cell_is_reported_and_the_other_questions_graded(samples: dict) -> None:
    result = samples["by_trainee"]["raises"]
    assert result.run == "graded"
    assert result.detail.startswith("error in cell 4 (top_customer_share = orders[\"no_such_column\"].max())")
    assert "KeyError" in result.detail
    assert statuses(result) == ["correct", "error", "correct"]
    assert "KeyError" in result.questions[1].message


def test_writing_outside_its_folder_is_refused_and_reported(samples: dict) -> None:
    result = samples["by_trainee"]["outside"]
    outside: Path = samples["outside"]
    assert not outside.exists() and not Path(f"{outside}.sh").exists()
    assert any(str(outside) in b for b in result.blocked)
    assert any("starting a program" in b for b in result.blocked)
    assert "PermissionError" in result.detail
    assert statuses(result) == ["correct", "correct", "correct"]
    assert result.sandbox in ("landlock", "audit hook only")


def test_memory_exhaustion_is_an_error_not_a_crash(samples: dict) -> None:
    result = samples["by_trainee"]["memory"]
    assert "MemoryError" in result.detail
    assert statuses(result) == ["correct", "correct", "correct"]


def test_kernel_death_leaves_every_question_not_graded(samples: dict) -> None:
    result = samples["by_trainee"]["dies"]
    assert result.run == "failed"
    assert result.detail.startswith("kernel died in cell 3")
    assert statuses(result) == ["not_graded"] * 3  # never "passed", not even q1 whose cell ran


def test_redefining_questions_or_patching_checks_does_not_fool_the_grader(samples: dict) -> None:
    # The cheat sample redefines q1-q3, patches Question.grade and writes a `helpers` package of its
    # own into its folder: it is still graded by the installed checks.
    result = samples["by_trainee"]["cheat"]
    assert statuses(result) == ["incorrect", "incorrect", "incorrect"]


def test_summary_line_counts_graded_failed_timed_out(samples: dict) -> None:
    batch = samples["batch"]
    assert batch.counts == {"graded": 8, "failed": 1, "timed out": 1}
    assert "10 submissions of 10 trainees" in batch.summary()
    assert "8 graded, 1 failed, 1 timed out" in batch.summary()


def test_gradebook_is_trainee_by_question(samples: dict) -> None:
    book = pd.read_csv(samples["out"] / "gradebook.csv", dtype=str).set_index("trainee")
    assert list(book.columns) == ["warm_up q1", "warm_up q2", "warm_up q3"]
    assert book.loc["solution"].tolist() == ["solution viewed", "solution viewed", "correct"]
    assert book.loc["blank"].tolist() == ["not attempted"] * 3
    assert book.loc["loop"].tolist() == ["correct", "not graded", "not graded"]


def test_csv_outputs_neutralise_formulas(samples: dict) -> None:
    # The cheat sample answers q3 with =HYPERLINK("http://example.com").
    with open(samples["out"] / "grades.csv", encoding="utf-8", newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["trainee"] == "cheat" and r["question"] == "q3"]
    assert rows[0]["answer"] == "'=HYPERLINK(\"http://example.com\")"
    text = (samples["out"] / "grades.csv").read_text(encoding="utf-8")
    assert ",=HYPERLINK" not in text and ',"=HYPERLINK' not in text


def test_evidence_html_and_feedback_pages(samples: dict) -> None:
    out = samples["out"]
    page = (out / "evidence.html").read_text(encoding="utf-8")
    assert page.count("<tr><th><a href=\"feedback/") == 10
    assert all(r.id in page for r in competency.load_requirements())
    feedback = (out / "feedback" / "raises.html").read_text(encoding="utf-8")
    assert "KeyError" in feedback and "error in cell 4" in feedback
    cheat = (out / "feedback" / "cheat.html").read_text(encoding="utf-8")
    assert "=HYPERLINK(&quot;http://example.com&quot;)" in cheat  # escaped, not live HTML
    assert sorted(p.name for p in (out / "feedback").iterdir()) == sorted(
        f"{t}.html" for t in samples["by_trainee"])


def test_formula_neutralising_of_every_dangerous_start(tmp_path: Path) -> None:
    frame = pd.DataFrame({"cell": ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\ry", "ok", "a=b"], "n": range(8)})
    assess.write_safe_csv(frame, tmp_path / "x.csv")
    with open(tmp_path / "x.csv", encoding="utf-8", newline="") as f:
        cells = [row["cell"] for row in csv.DictReader(f)]
    # A carriage return becomes a newline after neutralising: a lone CR would split the CSV row.
    assert cells == ["'=1+1", "'+1", "'-1", "'@SUM(A1)", "'\tx", "'\ny", "ok", "a=b"]


def test_trainee_ids_from_names_folders_and_metadata(tmp_path: Path) -> None:
    known = ["01_consumption_patterns", "00_warm_up", "consumption", "warm_up"]
    assert assess.trainee_from_path(tmp_path / "t001_01_consumption_patterns.ipynb", tmp_path, {}, known=known) == "t001"
    assert assess.trainee_from_path(tmp_path / "t002" / "00_warm_up.ipynb", tmp_path, {}, known=known) == "t002"
    assert assess.trainee_from_path(tmp_path / "wong_ka_yan_warm_up.ipynb", tmp_path, {}, known=known) == "wong_ka_yan"
    assert assess.trainee_from_path(tmp_path / "any.ipynb", tmp_path, {"oclab": {"trainee_id": "t9"}},
                                    known=known) == "t9"


def test_unreadable_duplicate_and_foreign_notebooks_fail_cleanly(tmp_path: Path) -> None:
    submissions.write(submissions.read(), tmp_path / "t1_00_warm_up.ipynb")
    submissions.write(submissions.read(), tmp_path / "t1" / "00_warm_up.ipynb")  # the same trainee again
    (tmp_path / "t2_00_warm_up.ipynb").write_text("not json")
    notes = submissions.read()
    notes.cells = notes.cells[:1]
    notes.cells[0].source = "# My notes"
    submissions.write(notes, tmp_path / "t3_notes.ipynb")
    found = {(s.path.relative_to(tmp_path).as_posix()): s for s in assess.find_submissions(tmp_path)}
    # Same trainee, same exercise twice: the first in path order is graded, the second is reported.
    assert found["t1/00_warm_up.ipynb"].problem is None
    assert found["t1_00_warm_up.ipynb"].problem == "duplicate: t1 already submitted warm_up as 00_warm_up.ipynb"
    assert "not a readable notebook" in found["t2_00_warm_up.ipynb"].problem
    assert "not an exercise notebook" in found["t3_notes.ipynb"].problem
    failed = assess.grade_submission(found["t3_notes.ipynb"])
    assert failed.run == "failed" and failed.questions == []


def test_command_line_writes_outputs_and_summary(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "t2_00_warm_up.ipynb").write_text("not json")
    assert assess.main([str(tmp_path / "in"), "--out", str(tmp_path / "out"), "--no-progress"]) == 0
    assert "1 submissions of 1 trainees" in capsys.readouterr().out
    assert pd.read_csv(tmp_path / "out" / "submissions.csv")["run"].tolist() == ["failed"]
    with pytest.raises(SystemExit) as stop:
        assess.main([str(tmp_path / "missing"), "--out", str(tmp_path / "out")])
    assert stop.value.code == 2


@pytest.mark.skipif(assess.landlock_abi() == 0, reason="this Linux kernel has no Landlock; the audit hook still applies")
def test_landlock_refuses_writes_outside_even_from_child_processes(tmp_path: Path) -> None:
    box = tmp_path / "box"
    box.mkdir()
    code = (
        "import subprocess, sys\n"
        "from helpers.assess import restrict_writes_to\n"
        f"assert restrict_writes_to({str(box)!r})\n"
        f"open({str(box / 'in.txt')!r}, 'w').write('ok')\n"
        f"subprocess.run(['sh', '-c', 'echo x > {tmp_path / 'out.txt'}'])\n"
        f"try:\n    open({str(tmp_path / 'out2.txt')!r}, 'w')\nexcept PermissionError:\n    print('refused')\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert run.stdout.strip() == "refused", run.stderr
    assert (box / "in.txt").exists()
    assert not (tmp_path / "out.txt").exists() and not (tmp_path / "out2.txt").exists()


@pytest.fixture(scope="module")
def masters(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("masters")
    written = submissions.write_master_submissions(root / "submitted")
    batch = assess.grade_folder(root / "submitted", timeout_s=300, jobs=2, progress=False)
    assess.write_outputs(batch, root / "out")
    return {"batch": batch, "written": written, "out": root / "out"}


def test_master_solutions_meet_every_requirement_they_cover(masters: dict) -> None:
    batch = masters["batch"]
    assert sorted(masters["written"]) == sorted(competency.exercise_notebooks().values())
    assert [r.run for r in batch.results] == ["graded"] * len(batch.results), [r.detail for r in batch.results]
    for result in batch.results:
        assert result.detail == "ran to the end", (result.path, result.detail)
        wrong = [(q.exercise, q.number, q.status, q.message) for q in result.questions
                 if q.status not in ("correct", "recorded")]
        assert not wrong, wrong
    covered = {q["requirement"] for q in batch.questions}
    evidence = assess.evidence_table(batch).set_index("requirement")["evidence"]
    assert {req: evidence[req] for req in covered} == {req: "met" for req in covered}


def test_changed_files_in_watched_folders_are_detected(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("1")
    (tmp_path / "b.txt").write_text("1")
    before = assess._snapshot([tmp_path])
    (tmp_path / "b.txt").write_text("22")  # size changes
    (tmp_path / "c.txt").write_text("new")
    assert assess._changed(before, assess._snapshot([tmp_path])) == [str(tmp_path / "b.txt"), str(tmp_path / "c.txt")]


@pytest.mark.parametrize(("statuses", "level"), [
    (["correct", "correct"], "met"),
    (["correct", "recorded"], "met"),          # a written answer is recorded for the assessor to read
    (["correct", "incorrect"], "partly"),
    (["solution viewed"], "partly"),           # answered, but only after viewing the solution
    (["correct", "not submitted"], "partly"),
    (["incorrect", "not graded"], "not met"),  # not graded never counts as evidence
    (["not attempted"], "not met"),
    ([], "not assessed"),
])
def test_evidence_levels(statuses: list[str], level: str) -> None:
    assert assess._evidence_level(statuses) == level
