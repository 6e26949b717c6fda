"""Grade submitted exercise notebooks and show evidence per competency requirement.

``python -m helpers.assess SUBMISSIONS_DIR --out DIR`` (or ``oclab-assess``) grades every
``*.ipynb`` under ``SUBMISSIONS_DIR``:

1. Each submission runs in a fresh temporary folder (its working directory and its
   ``HOME``), in a separate process with a memory limit (``RLIMIT_AS``), a CPU-time limit,
   a file-size limit and a time budget for the whole notebook. The process may write only
   inside its folder: on Linux with Landlock the kernel refuses every other write (also
   from child processes and C code); in any case a Python audit hook refuses writes outside
   the folder, starting programs and signalling other processes, and records the attempt.
2. After the trainee's cells ran, the same kernel grades each question with the checks of
   the *installed* package: ``helpers`` is re-imported fresh, so a notebook that redefines
   ``q1`` or patches the checking code grades nothing but its own answers.
3. The attempt log the run wrote, and the one submitted beside the notebook, tell which
   solutions were viewed before the answer was right.

Outputs in ``--out``: ``gradebook.csv`` (trainee × question), ``grades.csv`` (one row per
trainee and question, with messages), ``submissions.csv`` (one row per notebook: how the
run went), ``evidence.csv`` and ``evidence.html`` (trainee × requirement: met / partly /
not met, and which questions evidence it), ``feedback/<trainee>.html``.

Examples
--------
>>> neutralise("=HYPERLINK(\\"http://x\\")"), neutralise("-3"), neutralise("fine"), neutralise(3)
('\\'=HYPERLINK("http://x")', "'-3", 'fine', 3)
>>> trainee_from_path(Path("subs/t001_00_warm_up.ipynb"), Path("subs"), {}, known=["00_warm_up", "warm_up"])
't001'
"""

from __future__ import annotations

import argparse
import concurrent.futures
import ctypes
import html
import json
import math
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from helpers import competency  # light: pandas is imported only where tables are built

if TYPE_CHECKING:
    import pandas as pd

# ---------------------------------------------------------------------------
# Vocabulary

#: Gradebook labels, from the engine's outcome statuses plus what only grading knows.
LABELS = {
    "correct": "correct",
    "incorrect": "incorrect",
    "not_attempted": "not attempted",
    "error": "error",
    "recorded": "recorded",
    "solution_viewed": "solution viewed",
    "not_graded": "not graded",
    "not_submitted": "not submitted",
}
EVIDENCE_LEVELS = ("met", "partly", "not met", "not assessed")

DEFAULT_TIMEOUT_S = 300
DEFAULT_GRADE_TIMEOUT_S = 120
DEFAULT_MEMORY_MB = 4096
STARTUP_ALLOWANCE_S = 90
MAX_FILE_MB = 256

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """Prefix a text cell that a spreadsheet would run as a formula with ``'``.

    Cells starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return are
    neutralised (OWASP "CSV injection"); everything else is returned unchanged.

    Examples
    --------
    >>> [neutralise(v) for v in ["+1", "@SUM(A1)", "\\tx", "ok", None]]
    ["'+1", "'@SUM(A1)", "'\\tx", 'ok', None]
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _one_newline_kind(value: Any) -> Any:
    return value.replace("\r\n", "\n").replace("\r", "\n") if isinstance(value, str) else value


def write_safe_csv(frame: pd.DataFrame, path: Path) -> Path:
    """Write ``frame`` as UTF-8 CSV with every text cell (and header) neutralised."""
    import pandas as pd

    safe = frame.copy()
    safe.columns = [neutralise(str(c)) for c in safe.columns]
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            # Neutralise first (a leading CR counts), then turn CRs into newlines: the csv writer
            # quotes fields holding "\n" but not a lone "\r", which would split the row.
            safe[column] = safe[column].map(neutralise).map(_one_newline_kind)
    safe.to_csv(path, index=False, lineterminator="\n", encoding="utf-8")
    return path


# ---------------------------------------------------------------------------
# Finding submissions


@dataclass
class Submission:
    """One notebook to grade and what is known about it before it runs."""

    path: Path
    trainee: str
    exercise: str | None
    attempt_log: Path | None = None
    problem: str | None = None  # set when it cannot be graded at all


def _known_names(notebooks: dict[str, str]) -> list[str]:
    names = set(notebooks) | set(notebooks.values())
    return sorted(names, key=len, reverse=True)


def trainee_from_path(path: Path, root: Path, metadata: dict, *, known: Sequence[str]) -> str:
    """The trainee id: metadata ``oclab.trainee_id``, else the file or folder name.

    ``t001_01_consumption_patterns.ipynb`` (a known exercise notebook or module name
    after the id), ``t001/01_consumption_patterns.ipynb`` (a folder per trainee), else
    the file name up to its first ``_``.

    Examples
    --------
    >>> known = ["01_consumption_patterns", "consumption"]
    >>> trainee_from_path(Path("s/chan_tai_man_01_consumption_patterns.ipynb"), Path("s"), {}, known=known)
    'chan_tai_man'
    >>> trainee_from_path(Path("s/t007/01_consumption_patterns.ipynb"), Path("s"), {}, known=known)
    't007'
    >>> trainee_from_path(Path("s/x.ipynb"), Path("s"), {"oclab": {"trainee_id": "t042"}}, known=known)
    't042'
    """
    meta = (metadata or {}).get("oclab") or {}
    declared = meta.get("trainee_id") if isinstance(meta, dict) else None
    if isinstance(declared, (str, int)) and str(declared).strip():
        return str(declared).strip()[:80]
    stem = path.stem
    parts = path.relative_to(root).parts if path.is_relative_to(root) else (path.name,)
    if len(parts) > 1 and stem in known:
        return parts[0]
    for name in known:
        if stem.endswith("_" + name) and len(stem) > len(name) + 1:
            return stem[: -len(name) - 1]
    if len(parts) > 1:
        return parts[0]
    return stem.split("_", 1)[0] if "_" in stem else stem


def _submitted_log(path: Path, trainee: str, exercise: str | None) -> Path | None:
    if exercise is None:
        return None
    for candidate in (
        path.with_name(f"{path.stem}.attempts.jsonl"),
        path.with_name(f"{trainee}_{exercise}.attempts.jsonl"),
        path.with_name(f"{exercise}.attempts.jsonl"),
    ):
        if candidate.is_file():
            return candidate
    return None


def find_submissions(folder: str | Path, notebooks: dict[str, str] | None = None) -> list[Submission]:
    """Every ``*.ipynb`` under ``folder`` (checkpoints skipped), with trainee and exercise.

    A second notebook of the same trainee and exercise is kept as a failed submission
    ("duplicate"), so the assessor sees it rather than it silently replacing the first.
    """
    folder = Path(folder)
    notebooks = competency.exercise_notebooks() if notebooks is None else notebooks
    known = _known_names(notebooks)
    found: list[Submission] = []
    seen: dict[tuple[str, str], Path] = {}
    for path in sorted(p for p in folder.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts):
        try:
            nb = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
                raise ValueError("no cells")
        except (OSError, ValueError, UnicodeDecodeError) as exc:
            found.append(Submission(path, trainee_from_path(path, folder, {}, known=known), None,
                                    problem=f"not a readable notebook ({type(exc).__name__})"))
            continue
        exercise = competency.exercise_name(nb)
        trainee = trainee_from_path(path, folder, nb.get("metadata") or {}, known=known)
        sub = Submission(path, trainee, exercise, _submitted_log(path, trainee, exercise))
        if exercise is None:
            sub.problem = "not an exercise notebook: no bind(globals(), exercise=...) call in its setup cell"
        elif exercise not in _exercise_modules():
            sub.problem = f"unknown exercise {exercise!r}: no module helpers/exercises/{exercise}.py"
        elif (trainee, exercise) in seen:
            sub.problem = f"duplicate: {trainee} already submitted {exercise} as {seen[trainee, exercise].name}"
        else:
            seen[trainee, exercise] = path
        found.append(sub)
    return found


def _exercise_modules() -> list[str]:
    from helpers.exercises import available_exercises

    return available_exercises()


# ---------------------------------------------------------------------------
# The sandbox: Landlock (Linux) and an audit hook inside the kernel

_LANDLOCK_CREATE_RULESET, _LANDLOCK_ADD_RULE, _LANDLOCK_RESTRICT_SELF = 444, 445, 446
_PR_SET_NO_NEW_PRIVS = 38
_FS_WRITE_FILE = 1 << 1
# remove dir/file, make char/dir/reg/sock/fifo/block/sym
_FS_WRITE_TREE = sum(1 << bit for bit in range(4, 13)) | _FS_WRITE_FILE
_FS_REFER, _FS_TRUNCATE = 1 << 13, 1 << 14


class _PathBeneath(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


def landlock_abi() -> int:
    """The Landlock ABI version the running kernel offers; 0 when it has none (or not Linux).

    Examples
    --------
    >>> landlock_abi() >= 0
    True
    """
    if not sys.platform.startswith("linux"):
        return 0
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        version = libc.syscall(_LANDLOCK_CREATE_RULESET, None, ctypes.c_size_t(0), ctypes.c_uint32(1))
    except (OSError, AttributeError):
        return 0
    return max(int(version), 0)


def restrict_writes_to(folder: str | Path) -> bool:
    """Allow this process and its children to write only beneath ``folder`` (and ``/dev/null``).

    Reading stays allowed everywhere. Irreversible for the calling process: call it in a
    process started for one submission. Returns False (changing nothing) when the kernel
    offers no Landlock.
    """
    abi = landlock_abi()
    if abi < 1:
        return False
    libc = ctypes.CDLL(None, use_errno=True)
    handled = _FS_WRITE_TREE | (_FS_REFER if abi >= 2 else 0) | (_FS_TRUNCATE if abi >= 3 else 0)
    attr = ctypes.c_uint64(handled)  # struct landlock_ruleset_attr, first field only
    ruleset = libc.syscall(_LANDLOCK_CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(8), ctypes.c_uint32(0))
    if ruleset < 0:
        return False
    try:
        for target, access in ((folder, handled), (os.devnull, _FS_WRITE_FILE | (_FS_TRUNCATE if abi >= 3 else 0))):
            fd = os.open(target, os.O_PATH | os.O_CLOEXEC)
            try:
                rule = _PathBeneath(access, fd)
                if libc.syscall(_LANDLOCK_ADD_RULE, ruleset, 1, ctypes.byref(rule), 0) != 0:
                    raise OSError(ctypes.get_errno(), f"landlock_add_rule({target})")
            finally:
                os.close(fd)
        if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS)")
        if libc.syscall(_LANDLOCK_RESTRICT_SELF, ruleset, 0) != 0:
            raise OSError(ctypes.get_errno(), "landlock_restrict_self")
    finally:
        os.close(ruleset)
    return True


# Runs in the kernel at start-up (an IPython startup file), before any trainee code.
_SANDBOX_STARTUP = r'''
def _oclab_install_sandbox():
    import os, sys, types
    root = os.path.realpath(os.environ["OCLAB_SANDBOX"])
    record = types.ModuleType("_oclab_sandbox")
    record.blocked = []
    record.root = root
    # The import machinery as it was before any trainee code: the grader restores it.
    record.meta_path, record.path_hooks = tuple(sys.meta_path), tuple(sys.path_hooks)
    sys.modules["_oclab_sandbox"] = record
    write_flags = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC
    # event -> positions of (path, dir_fd) pairs in its arguments
    path_events = {
        "os.remove": ((0, 1),), "os.rmdir": ((0, 1),), "os.mkdir": ((0, 2),), "os.rename": ((0, 2), (1, 3)),
        "os.link": ((1, 3),), "os.symlink": ((1, 2),), "os.truncate": ((0, None),), "os.chmod": ((0, 2),),
        "os.chown": ((0, 3),), "os.utime": ((0, 3),), "os.setxattr": ((0, None),),
        "os.removexattr": ((0, None),), "shutil.rmtree": ((0, 1),), "shutil.copyfile": ((1, None),),
        "shutil.copytree": ((1, None),), "shutil.move": ((0, None), (1, None)), "shutil.chown": ((0, None),),
    }
    processes = {"subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork",
                 "os.forkpty", "pty.spawn"}
    busy = [False]

    def inside(path, dir_fd=None):
        if path is None or isinstance(path, int):
            return True  # an already-open descriptor: its opening was checked
        try:
            path = os.fsdecode(path)
            # dir_fd is None or AT_FDCWD (negative) unless a call names a directory descriptor
            use_fd = isinstance(dir_fd, int) and dir_fd >= 0 and not os.path.isabs(path)
            base = os.readlink(f"/proc/self/fd/{dir_fd}") if use_fd else os.getcwd()
            full = os.path.realpath(os.path.join(base, path))
        except Exception:
            return False
        return full == root or full.startswith(root + os.sep) or full == os.devnull

    def deny(what):
        if len(record.blocked) < 100:
            record.blocked.append(what)
        raise PermissionError(f"not allowed while grading: {what} (a submission may only write in its own "
                              "folder, and may not start programs or stop other processes)")

    def hook(event, args):
        if busy[0]:
            return
        busy[0] = True
        try:
            if event == "open":
                if len(args) >= 3 and isinstance(args[2], int) and args[2] & write_flags and not inside(args[0]):
                    deny(f"writing {os.fsdecode(args[0])}")
            elif event in path_events:
                for p, d in path_events[event]:
                    if p < len(args) and not inside(args[p], args[d] if d is not None and d < len(args) else None):
                        deny(f"{event} on {os.fsdecode(args[p])}")
            elif event in processes:
                deny(f"starting a program ({event})")
            elif event in ("os.kill", "os.killpg"):
                if args and args[0] not in (0, os.getpid()):
                    deny(f"{event} of process {args[0]}")
        finally:
            busy[0] = False

    sys.addaudithook(hook)

_oclab_install_sandbox()
del _oclab_install_sandbox
'''

# Runs in the kernel after the trainee's cells: grades with a fresh import of the package.
_GRADER = r'''
import importlib, json, sys

def _answer_text(value, compare):
    if isinstance(value, str):
        return value[:2000]
    try:
        return compare.format_value(value)[:300]
    except Exception:
        return f"a {type(value).__name__}"

def _clean_imports(sandbox):
    # Import the package from where it is installed, never from files the submission wrote
    # (a helpers/ folder in its working directory) or through import hooks it added.
    import os
    root = getattr(sandbox, "root", None)
    def written_by_submission(entry):
        if entry in ("", "."):
            return True
        full = os.path.realpath(entry)
        return root is not None and (full == root or full.startswith(root + os.sep))
    sys.path[:] = [p for p in sys.path if isinstance(p, str) and not written_by_submission(p)]
    if sandbox is not None:
        sys.meta_path[:] = list(sandbox.meta_path)
        sys.path_hooks[:] = list(sandbox.path_hooks)
    sys.path_importer_cache.clear()
    importlib.invalidate_caches()

def run(namespace, exercise, numbers, out_path):
    old_placeholder = None
    old_engine = sys.modules.get("helpers.exercises.engine")
    if old_engine is not None:
        old_placeholder = type(getattr(old_engine, "____", None))
    sandbox = sys.modules.get("_oclab_sandbox")
    _clean_imports(sandbox)
    for name in [m for m in list(sys.modules) if m == "helpers" or m.startswith("helpers.")]:
        del sys.modules[name]
    engine = importlib.import_module("helpers.exercises.engine")
    compare = importlib.import_module("helpers.exercises.compare")
    module = importlib.import_module("helpers.exercises." + exercise)
    ns = dict(namespace)
    with open(out_path, "w", encoding="utf-8") as out:
        out.write(json.dumps({"blocked": list(getattr(sandbox, "blocked", []))[:100],
                              "sandbox": sandbox is not None}) + "\n")
        out.flush()
        for q in engine.questions(module):
            if q.number not in numbers:
                continue
            answer = ns.get(q.var, None)
            if old_placeholder is not None and type(answer) is old_placeholder:
                ns[q.var] = engine.____
            outcome = q.grade(ns)
            shown = "" if q.var not in namespace or type(answer) is old_placeholder else _answer_text(answer, compare)
            out.write(json.dumps({"number": q.number, "status": outcome.status, "message": outcome.message,
                                  "answer": shown}) + "\n")
            out.flush()
'''


# ---------------------------------------------------------------------------
# Grading one submission (parent side)


@dataclass
class QuestionResult:
    exercise: str
    number: int
    var: str
    requirement: str
    status: str  # a key of LABELS
    message: str = ""
    answer: str = ""
    hints: int = 0
    solution_viewed: bool = False


@dataclass
class SubmissionResult:
    path: str
    trainee: str
    exercise: str | None
    run: str  # graded | error | timed out | failed
    detail: str = ""
    seconds: float = 0.0
    questions: list[QuestionResult] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    attempt_log: str = ""
    sandbox: str = ""


def _question_specs(exercise: str) -> list[dict[str, Any]]:
    from helpers.exercises import questions

    return [{"number": q.number, "var": q.var, "requirement": q.requirement} for q in questions(exercise)]


def _fontlist_files() -> list[Path]:
    try:
        import matplotlib

        return sorted(Path(matplotlib.get_cachedir()).glob("fontlist-*.json"))
    except Exception:  # no cache yet: matplotlib builds one in the sandbox
        return []


def _prepare_sandbox(base: Path, sub: Submission) -> tuple[Path, Path]:
    box = base / "box"
    work = box / "work"
    startup = box / ".ipython" / "profile_default" / "startup"
    mpl = box / ".config" / "matplotlib"
    for folder in (work, startup, mpl, box / "tmp"):
        folder.mkdir(parents=True, exist_ok=True)
    (startup / "00-oclab-sandbox.py").write_text(_SANDBOX_STARTUP, encoding="utf-8")
    for font_cache in _fontlist_files():
        shutil.copy2(font_cache, mpl / font_cache.name)
    shutil.copy2(sub.path, work / sub.path.name)
    # Exercise notebooks run from exercises/, so "../data" is the bundled shop: keep that true (read-only).
    data_dir = competency.PROJECT / "data"
    if data_dir.is_dir():
        (box / "data").symlink_to(data_dir, target_is_directory=True)
    return box, work


def _sandbox_env(box: Path) -> dict[str, str]:
    env = {key: os.environ[key] for key in ("PATH", "LANG", "LC_ALL", "TZ", "SYSTEMROOT") if key in os.environ}
    env.update({
        "HOME": str(box),
        "TMPDIR": str(box / "tmp"),
        "MPLCONFIGDIR": str(box / ".config" / "matplotlib"),
        "MPLBACKEND": "Agg",
        "IPYTHONDIR": str(box / ".ipython"),
        "JUPYTER_PLATFORM_DIRS": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",
        "OCLAB_ATTEMPT_LOG": "on",
        "OCLAB_SANDBOX": str(box),
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "MALLOC_ARENA_MAX": "2",  # per-thread malloc arenas would eat the address-space limit
    })
    return env


def _limits(memory_mb: int, cpu_s: int) -> Any:
    def apply() -> None:
        import resource

        memory = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_s, cpu_s + 10))
        size = MAX_FILE_MB * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    return apply


def _kill_tree(pid: int) -> None:
    try:
        import psutil

        root = psutil.Process(pid)
        family = root.children(recursive=True) + [root]
    except Exception:
        family = []
    for proc in family:
        try:
            proc.kill()
        except Exception:
            pass
    try:
        os.killpg(pid, 9)
    except (ProcessLookupError, PermissionError, OSError):
        pass


def _not_graded(specs: list[dict[str, Any]], exercise: str, why: str) -> list[QuestionResult]:
    return [QuestionResult(exercise, s["number"], s["var"], s["requirement"], "not_graded", why) for s in specs]


def grade_submission(
    sub: Submission,
    *,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    grade_timeout_s: float = DEFAULT_GRADE_TIMEOUT_S,
    memory_mb: int = DEFAULT_MEMORY_MB,
    keep: bool = False,
) -> SubmissionResult:
    """Run and grade one submission in its own process and temporary folder; never raises."""
    started = time.monotonic()
    result = SubmissionResult(str(sub.path), sub.trainee, sub.exercise, "failed")
    if sub.problem or sub.exercise is None:
        result.detail = sub.problem or "no exercise"
        return result
    try:
        specs = _question_specs(sub.exercise)
    except Exception as exc:
        result.detail = f"exercise {sub.exercise!r} does not load: {type(exc).__name__}: {exc}"
        return result
    base = Path(tempfile.mkdtemp(prefix="oclab-grade-"))
    try:
        box, work = _prepare_sandbox(base, sub)
        spec = {
            "notebook": str(work / sub.path.name), "box": str(box), "work": str(work), "exercise": sub.exercise,
            "questions": specs, "timeout_s": timeout_s, "grade_timeout_s": grade_timeout_s,
            "result": str(base / "result.json"), "nonce": secrets.token_hex(8),
        }
        hard_limit = timeout_s + grade_timeout_s + STARTUP_ALLOWANCE_S
        with open(base / "worker.log", "wb") as log:
            proc = subprocess.Popen(
                [sys.executable, "-m", "helpers.assess", "--worker"],
                stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=log, cwd=work,
                env=_sandbox_env(box), preexec_fn=_limits(memory_mb, int(hard_limit) + 30),
                start_new_session=True,
            )
            try:
                proc.communicate(json.dumps(spec).encode(), timeout=hard_limit)
            except subprocess.TimeoutExpired:
                _kill_tree(proc.pid)
                proc.wait()
                result.run = "timed out"
                result.detail = f"the grader stopped it after {hard_limit:.0f} s (time limit of the whole run)"
                result.questions = _not_graded(specs, sub.exercise, "not graded: the run was stopped (time limit)")
                return result
            finally:
                _kill_tree(proc.pid)
        raw = (base / "result.json").read_text(encoding="utf-8") if (base / "result.json").exists() else ""
        try:
            outcome = json.loads(raw)
        except ValueError:
            outcome = None
        if not isinstance(outcome, dict) or outcome.get("nonce") != spec["nonce"]:
            tail = (base / "worker.log").read_bytes()[-600:].decode("utf-8", "replace").strip().splitlines()
            why = tail[-1] if tail else f"exit status {proc.returncode}"
            if proc.returncode and proc.returncode < 0:
                why = f"killed by signal {-proc.returncode} (memory or CPU limit?)"
            result.detail = f"the grading process failed: {why}"
            result.questions = _not_graded(specs, sub.exercise, "not graded: the grading process failed")
            return result
        _merge(result, outcome, specs, sub, work)
        return result
    except Exception as exc:  # a grader bug must not stop the other submissions
        result.run, result.detail = "failed", f"grader error: {type(exc).__name__}: {exc}"
        return result
    finally:
        result.seconds = round(time.monotonic() - started, 2)
        if not keep:
            shutil.rmtree(base, ignore_errors=True)


def _read_log(path: Path, exercise: str) -> pd.DataFrame | None:
    from helpers.exercises import read_attempts

    if not path.is_file():
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        frame = read_attempts(path)
    return frame[frame["exercise"] == exercise]


def _viewed_and_hints(log: pd.DataFrame | None, *, order_matters: bool) -> tuple[set[int], dict[int, int]]:
    """Questions whose solution was viewed (before the first correct check, if ``order_matters``)."""
    viewed: set[int] = set()
    hints: dict[int, int] = {}
    if log is None or log.empty:
        return viewed, hints
    log = log.sort_values([c for c in ("ts", "line") if c in log.columns], kind="mergesort")
    for number, events in log.groupby("question"):
        number = int(number)
        hints[number] = int(events.loc[events["event"] == "hint", "hint"].nunique())
        if not (events["event"] == "solution").any():
            continue
        if not order_matters:
            viewed.add(number)
            continue
        correct = ((events["event"] == "check") & (events["status"] == "correct")).to_numpy()
        before = events.iloc[: int(correct.argmax())] if correct.any() else events
        if (before["event"] == "solution").any():
            viewed.add(number)
    return viewed, hints


def _merge(result: SubmissionResult, outcome: dict, specs: list[dict[str, Any]], sub: Submission,
           work: Path) -> None:
    assert sub.exercise is not None
    result.run = outcome.get("run", "failed")
    result.detail = outcome.get("detail", "")
    result.blocked = list(outcome.get("blocked", []))
    result.sandbox = outcome.get("sandbox", "")
    grades = {int(g["number"]): g for g in outcome.get("grades", [])}
    reasons = {int(k): v for k, v in outcome.get("not_graded", {}).items()}
    cell_errors = {int(k): v for k, v in outcome.get("answer_errors", {}).items()}
    # The run's own log: a solution() call left in the notebook counts whatever the order.
    run_viewed, run_hints = _viewed_and_hints(_read_log(work / f"{sub.exercise}.attempts.jsonl", sub.exercise),
                                              order_matters=False)
    submitted = _read_log(sub.attempt_log, sub.exercise) if sub.attempt_log else None
    sub_viewed, sub_hints = _viewed_and_hints(submitted, order_matters=True)
    result.attempt_log = sub.attempt_log.name if sub.attempt_log else ""
    for s in specs:
        n = s["number"]
        q = QuestionResult(sub.exercise, n, s["var"], s["requirement"], "not_graded",
                           reasons.get(n, f"not graded: the run ended before grading ({result.detail})"))
        if n in grades:
            q.status, q.message, q.answer = grades[n]["status"], grades[n]["message"], grades[n].get("answer", "")
            if q.status == "not_attempted" and n in cell_errors:
                q.status, q.message = "error", f"Your answer cell raised an error: {cell_errors[n]}"
        q.hints = max(run_hints.get(n, 0), sub_hints.get(n, 0))
        q.solution_viewed = n in run_viewed or n in sub_viewed
        if q.status == "correct" and q.solution_viewed:
            q.status = "solution_viewed"
        result.questions.append(q)


# ---------------------------------------------------------------------------
# Grading one submission (worker side, inside the limits)


def _answer_cells(cells: list[Any], specs: list[dict[str, Any]]) -> dict[int, int]:
    """Question number -> index of the cell holding its answer (its check() call, else its assignment)."""
    found: dict[int, int] = {}
    for s in specs:
        check = re.compile(rf"\bq{s['number']}\s*\.\s*check\s*\(")
        assign = re.compile(rf"^\s*(?:{re.escape(s['var'])}\s*(?::[^=]+)?=[^=]|def\s+{re.escape(s['var'])}\s*\()", re.M)
        for pattern in (check, assign):
            hits = [i for i, c in enumerate(cells) if c.cell_type == "code" and pattern.search(c.source)]
            if hits:
                found[s["number"]] = hits[0]
                break
    return found


def _first_line(source: str) -> str:
    line = next((ln.strip() for ln in source.splitlines() if ln.strip() and not ln.strip().startswith("#")), "")
    return line if len(line) <= 60 else line[:57] + "..."


def _trace(message: str) -> None:
    # Goes to worker.log (kept with --keep-workdirs): where the time of a run went.
    print(f"[{time.monotonic():.2f}] {message}", file=sys.stderr, flush=True)


def _worker_main() -> int:
    _trace("worker started")
    # `python -m` put the submission's folder first on the path: nothing may be imported from there.
    sys.path[:] = [p for p in sys.path if p not in ("", ".", os.getcwd())]
    spec = json.loads(sys.stdin.read())
    # Opened before the sandbox closes, and not inherited by the kernel (close-on-exec).
    result_file = open(spec["result"], "w", encoding="utf-8")  # noqa: SIM115
    sandbox = "landlock" if restrict_writes_to(spec["box"]) else "audit hook only"
    out: dict[str, Any] = {"nonce": spec["nonce"], "sandbox": sandbox, "grades": [], "not_graded": {},
                           "answer_errors": {}, "blocked": []}
    try:
        out.update(_execute_and_grade(spec))
    except Exception as exc:
        out.update(run="failed", detail=f"{type(exc).__name__}: {str(exc)[:300]}")
    result_file.write(json.dumps(out))
    result_file.close()
    return 0


def _execute_and_grade(spec: dict[str, Any]) -> dict[str, Any]:
    """Run the trainee's cells within the time budget, then grade in the same kernel."""
    import nbformat
    from nbclient import NotebookClient

    try:
        nb = nbformat.read(spec["notebook"], as_version=4)
    except Exception as exc:
        return {"run": "failed", "detail": f"not a readable notebook ({type(exc).__name__})"}
    specs, cells = spec["questions"], list(nb.cells)
    answers = _answer_cells(cells, specs)
    code_number = {i: n for n, i in enumerate((i for i, c in enumerate(cells) if c.cell_type == "code"), start=1)}
    client = NotebookClient(
        nb, timeout=spec["timeout_s"], kernel_name="python3", allow_errors=True, interrupt_on_timeout=False,
        startup_timeout=60, record_timing=False, shutdown_kernel="immediate",
        resources={"metadata": {"path": spec["work"]}},
    )
    _trace("starting kernel")
    with client.setup_kernel(stdout=subprocess.DEVNULL):
        _trace("kernel ready")
        stop, errors = _run_trainee_cells(client, cells, float(spec["timeout_s"]))
        # Only answers whose cells ran are graded: after a timeout the later ones never ran.
        numbers = [s["number"] for s in specs if stop is None or answers.get(s["number"], -1) < stop[1]]
        not_graded = {
            s["number"]: f"not graded: the notebook {stop[0]} in cell {code_number.get(stop[1], '?')} "
                         "before this answer ran"
            for s in specs if stop is not None and s["number"] not in numbers
        }
        grades: list[dict[str, Any]] = []
        blocked: list[str] = []
        if stop is None or stop[0] == "timed out":  # a dead kernel grades nothing
            # Each grade is written as soon as it is known: a grading run cut short keeps the earlier ones.
            grades, blocked = _grade_in_kernel(client, nb, spec, numbers, after_timeout=stop is not None)
            done = {g["number"] for g in grades}
            for n in numbers:
                if n not in done:
                    not_graded[n] = "not graded: grading this answer failed or took too long"
    _trace("kernel shut down")
    answer_errors = {n: msg for idx, msg in errors for n, a in answers.items() if a == idx}
    if stop is not None:
        where = f"cell {code_number.get(stop[1], '?')} ({_first_line(cells[stop[1]].source)})"
        if stop[0] == "timed out":
            run, detail = "timed out", f"timed out after {spec['timeout_s']:g} s in {where}"
        else:
            run, detail = "failed", f"{stop[0]} in {where}"
    elif errors:
        index, message = errors[0]
        run = "graded"
        detail = f"error in cell {code_number[index]} ({_first_line(cells[index].source)}): {message}"
        if len(errors) > 1:
            detail += f"; {len(errors) - 1} more cell(s) raised errors"
    else:
        run, detail = "graded", "ran to the end"
    return {"run": run, "detail": detail, "grades": grades, "not_graded": not_graded,
            "answer_errors": answer_errors, "blocked": blocked}


def _run_trainee_cells(client: Any, cells: list[Any], budget_s: float) -> tuple[tuple[str, int] | None,
                                                                               list[tuple[int, str]]]:
    """Execute code cells until the budget is spent; return (why it stopped, cell index) and cell errors."""
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from nbclient.util import run_sync

    errors: list[tuple[int, str]] = []

    def record_error(cell: Any, cell_index: int, execute_reply: dict[str, Any]) -> None:
        # From the kernel's reply, not the outputs: those may be a fallback text when formatting failed.
        content = execute_reply.get("content", {})
        errors.append((cell_index, f"{content.get('ename', 'Error')}: {str(content.get('evalue', ''))[:200]}"))

    client.on_cell_error = record_error
    deadline = time.monotonic() + budget_s
    try:
        for index, cell in enumerate(cells):
            if cell.cell_type != "code":
                continue
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return ("timed out", index), errors
            client.timeout = max(1, math.ceil(remaining))
            try:
                client.execute_cell(cell, index)
            except CellTimeoutError:
                run_sync(client.km.interrupt_kernel)()
                return ("timed out", index), errors
            except DeadKernelError:
                return ("kernel died", index), errors
        return None, errors
    finally:
        client.on_cell_error = None


def _grade_in_kernel(client: Any, nb: Any, spec: dict[str, Any], numbers: list[int], *,
                     after_timeout: bool) -> tuple[list[dict[str, Any]], list[str]]:
    """Run the grading cell; return the grades it wrote (all, or those before it failed) and blocked actions."""
    import nbformat
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    grades_path = Path(spec["box"]) / f".oclab-grades-{spec['nonce']}.jsonl"
    grader = nbformat.v4.new_code_cell(
        "import sys as _oclab_sys\n"
        "_oclab_g = {'__name__': '_oclab_grader'}\n"
        f"exec(compile({_GRADER!r}, '<oclab-grader>', 'exec'), _oclab_g)\n"
        f"_oclab_g['run'](_oclab_sys._getframe(0).f_globals, {spec['exercise']!r}, {numbers!r}, "
        f"{str(grades_path)!r})"
    )
    nb.cells.append(grader)
    _trace("trainee cells done; grading")
    client.timeout = int(spec["grade_timeout_s"])
    try:
        if after_timeout:
            time.sleep(1.0)  # let the interrupt land before grading
        client.execute_cell(grader, len(nb.cells) - 1)
    except (CellTimeoutError, DeadKernelError):
        pass
    _trace("graded")
    if not grades_path.exists():
        return [], []
    lines = []
    for text in grades_path.read_text(encoding="utf-8").splitlines():
        try:
            lines.append(json.loads(text))
        except ValueError:  # a line cut off when the kernel died mid-write
            break
    if not lines:
        return [], []
    return lines[1:], list(lines[0].get("blocked", []))


# ---------------------------------------------------------------------------
# A whole folder


@dataclass
class Batch:
    """Everything graded in one run, and what the outputs are built from."""

    results: list[SubmissionResult]
    exercises: list[str]  # in notebook order
    questions: list[dict[str, Any]]  # exercise, number, var, requirement of every graded exercise
    seconds: float = 0.0
    # Files in the watched folders (submissions, package, bundled data) that changed while grading:
    # a backstop that detects writes the sandbox should have refused.
    changed_files: list[str] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        counts = {"graded": 0, "failed": 0, "timed out": 0}
        for r in self.results:
            counts[r.run if r.run in counts else "failed"] += 1
        return counts

    def summary(self) -> str:
        c = self.counts
        trainees = len({r.trainee for r in self.results})
        line = (f"{len(self.results)} submissions of {trainees} trainees in {self.seconds:.0f} s: "
                f"{c['graded']} graded, {c['failed']} failed, {c['timed out']} timed out")
        blocked = sum(1 for r in self.results if r.blocked)
        errors = sum(1 for r in self.results if r.run == "graded" and r.detail.startswith("error"))
        if errors:
            line += f"; {errors} with errors in cells"
        if blocked:
            line += f"; {blocked} tried to act outside their folder (blocked)"
        if self.changed_files:
            shown = ", ".join(self.changed_files[:3]) + (" ..." if len(self.changed_files) > 3 else "")
            line += f"; WARNING: {len(self.changed_files)} watched file(s) changed while grading: {shown}"
        return line + "."


def _snapshot(folders: Iterable[Path]) -> dict[str, tuple[int, int]]:
    """``{file: (mtime_ns, size)}`` of every file under ``folders`` (caches and checkpoints skipped)."""
    state = {}
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in folder.rglob("*"):
            if "__pycache__" in path.parts or ".ipynb_checkpoints" in path.parts:
                continue
            try:
                info = path.lstat()
            except OSError:
                continue
            state[str(path)] = (info.st_mtime_ns, info.st_size)
    return state


def _changed(before: dict[str, tuple[int, int]], after: dict[str, tuple[int, int]]) -> list[str]:
    return sorted(p for p in set(before) | set(after) if before.get(p) != after.get(p))


def _exercise_order(names: Iterable[str], notebooks: dict[str, str]) -> list[str]:
    position = {name: i for i, name in enumerate(notebooks.values())}
    return sorted(set(names), key=lambda n: (position.get(n, len(position)), n))


def grade_folder(
    folder: str | Path,
    *,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    grade_timeout_s: float = DEFAULT_GRADE_TIMEOUT_S,
    memory_mb: int = DEFAULT_MEMORY_MB,
    jobs: int = 1,
    progress: bool = True,
    keep: bool = False,
) -> Batch:
    """Grade every submission under ``folder`` (``jobs`` at a time) with a progress bar."""
    from tqdm import tqdm

    started = time.monotonic()
    notebooks = competency.exercise_notebooks()
    subs = find_submissions(folder, notebooks)
    watched = [Path(folder).resolve(), Path(__file__).resolve().parent, competency.PROJECT / "data"]
    before = _snapshot(watched)
    results: list[SubmissionResult] = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = [pool.submit(grade_submission, s, timeout_s=timeout_s, grade_timeout_s=grade_timeout_s,
                               memory_mb=memory_mb, keep=keep) for s in subs]
        bar = tqdm(concurrent.futures.as_completed(futures), total=len(futures), unit="notebook",
                   desc="Grading", disable=not progress, file=sys.stderr)
        for future in bar:
            results.append(future.result())
    results.sort(key=lambda r: (r.trainee, r.path))
    exercises = _exercise_order((r.exercise for r in results if r.exercise and r.questions), notebooks)
    questions = [{"exercise": name, **spec} for name in exercises for spec in _question_specs(name)]
    return Batch(results, exercises, questions, round(time.monotonic() - started, 1),
                 changed_files=_changed(before, _snapshot(watched)))


# ---------------------------------------------------------------------------
# Tables


def grades_table(batch: Batch) -> pd.DataFrame:
    """One row per trainee and question of every graded exercise (missing notebooks: not submitted)."""
    import pandas as pd

    by_key = {(r.trainee, q.exercise, q.number): q for r in batch.results for q in r.questions}
    rows = []
    for trainee in sorted({r.trainee for r in batch.results}):
        for spec in batch.questions:
            q = by_key.get((trainee, spec["exercise"], spec["number"]))
            rows.append({
                "trainee": trainee, "exercise": spec["exercise"], "question": f"q{spec['number']}",
                "variable": spec["var"], "requirement": spec["requirement"],
                "status": LABELS[q.status] if q else LABELS["not_submitted"],
                "hints_viewed": q.hints if q else 0, "solution_viewed": bool(q and q.solution_viewed),
                "answer": q.answer if q else "", "message": q.message if q else "",
            })
    return pd.DataFrame(rows, columns=["trainee", "exercise", "question", "variable", "requirement", "status",
                                       "hints_viewed", "solution_viewed", "answer", "message"])


def gradebook(batch: Batch) -> pd.DataFrame:
    """Trainee × question (columns ``<exercise> q<n>``), cells are gradebook labels."""
    import pandas as pd

    grades = grades_table(batch)
    if grades.empty:
        return pd.DataFrame({"trainee": sorted({r.trainee for r in batch.results})})
    grades["column"] = grades["exercise"] + " " + grades["question"]
    order = list(dict.fromkeys(grades["column"]))
    wide = grades.pivot(index="trainee", columns="column", values="status")[order]
    wide.columns.name = None
    return wide.reset_index()


def _evidence_level(statuses: list[str]) -> str:
    if not statuses:
        return "not assessed"
    good = [s in ("correct", "recorded") for s in statuses]
    if all(good):
        return "met"
    if any(good) or "solution viewed" in statuses:
        return "partly"
    return "not met"


def evidence_table(batch: Batch) -> pd.DataFrame:
    """Trainee × requirement: met / partly / not met / not assessed, and the evidencing questions.

    Met: every question on the requirement in the graded exercises is correct (or, for a
    written answer, recorded for the assessor to read). Partly: some are, or one was
    answered after viewing its solution. Not met: none. Not assessed: no graded exercise
    has a question on it.
    """
    import pandas as pd

    grades = grades_table(batch)
    rows = []
    for trainee in sorted({r.trainee for r in batch.results}):
        mine = grades[grades["trainee"] == trainee]
        for req in competency.load_requirements():
            on_req = mine[mine["requirement"] == req.id]
            statuses = on_req["status"].tolist()
            rows.append({
                "trainee": trainee, "requirement": req.id, "unit": req.unit, "label": req.label,
                "evidence": _evidence_level(statuses),
                "questions_met": f"{sum(s in ('correct', 'recorded') for s in statuses)}/{len(statuses)}",
                "questions": "; ".join(f"{e} {q}: {s}" for e, q, s in
                                       zip(on_req["exercise"], on_req["question"], on_req["status"])),
            })
    return pd.DataFrame(rows, columns=["trainee", "requirement", "unit", "label", "evidence", "questions_met",
                                       "questions"])


def submissions_table(batch: Batch) -> pd.DataFrame:
    import pandas as pd

    rows = [{
        "trainee": r.trainee, "exercise": r.exercise or "", "file": r.path, "run": r.run, "detail": r.detail,
        "seconds": r.seconds, "attempt_log": r.attempt_log or "none submitted", "sandbox": r.sandbox,
        "blocked": "; ".join(r.blocked),
    } for r in batch.results]
    return pd.DataFrame(rows, columns=["trainee", "exercise", "file", "run", "detail", "seconds", "attempt_log",
                                       "sandbox", "blocked"])


# ---------------------------------------------------------------------------
# HTML

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;margin:24px;color:#202124;max-width:1400px}
table{border-collapse:collapse;margin:8px 0 20px}th,td{border:1px solid #dadce0;padding:4px 8px;vertical-align:top;
font-size:13px;text-align:left}th{background:#f1f3f4}.met{background:#e8f5ec;color:#1b7f3b}
.partly{background:#fff8e1;color:#7a5c00}.not-met{background:#fdecea;color:#b3261e}.not-assessed{color:#80868b}
.correct{color:#1b7f3b}.incorrect,.error{color:#b3261e}.solution-viewed{color:#7a5c00}.recorded{color:#1a5fb4}
.not-graded,.not-submitted,.not-attempted{color:#5f6368}code{background:#f1f3f4;padding:0 3px}
.matrix td{text-align:center}.small{font-size:12px;color:#5f6368}
"""
_SYMBOL = {"met": "✓ met", "partly": "◐ partly", "not met": "✗ not met", "not assessed": "–"}


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _cls(label: str) -> str:
    return re.sub(r"[^a-z]+", "-", label.lower()).strip("-")


def _page(title: str, body: str) -> str:
    return (f"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{_e(title)}</title>"
            f"<style>{_CSS}</style></head><body>\n<h1>{_e(title)}</h1>\n{body}\n</body></html>\n")


def _message_html(message: str) -> str:
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", _e(message))


def feedback_file(trainee: str) -> str:
    """A safe file name for a trainee's feedback page.

    Examples
    --------
    >>> feedback_file("../t 01")
    't_01.html'
    """
    return (re.sub(r"[^A-Za-z0-9_.-]+", "_", trainee).strip("._") or "trainee") + ".html"


def evidence_html(batch: Batch, evidence: pd.DataFrame) -> str:
    reqs = competency.load_requirements()
    head = "".join(f'<th title="{_e(r.text)}">{_e(r.id)}<br><span class="small">{_e(r.label)}</span></th>'
                   for r in reqs)
    rows = []
    for trainee, group in evidence.groupby("trainee", sort=True):
        cells = "".join(
            f'<td class="{_cls(row.evidence)}" title="{_e(row.questions or "no question in these submissions")}">'
            f'{_SYMBOL[row.evidence]}</td>' for row in group.itertuples())
        rows.append(f'<tr><th><a href="feedback/{_e(feedback_file(trainee))}">{_e(trainee)}</a></th>{cells}</tr>')
    graded = {(q["exercise"], q["number"]): q for q in batch.questions}
    legend = []
    for r in reqs:
        qs = ", ".join(f"{e} q{n}" for (e, n), q in graded.items() if q["requirement"] == r.id) or "—"
        items = f"<br><span class=\"small\">{_e('; '.join(r.items))}</span>" if r.items else ""
        legend.append(f"<tr><td>{_e(r.id)}</td><td>{_e(r.group_title)}</td><td>{_e(r.text)}{items}</td>"
                      f"<td>{_e(qs)}</td></tr>")
    body = (
        f"<p>{_e(batch.summary())}</p>"
        "<p>Met: every question on the requirement is correct (written answers: recorded, read them in the "
        "trainee's feedback page). Partly: some are, or one was answered after viewing its solution. "
        "Not met: none. –: no graded exercise has a question on it. Hover a cell for the questions.</p>"
        f'<table class="matrix"><tr><th>trainee</th>{head}</tr>{"".join(rows)}</table>'
        "<h2>Requirements and the questions that evidence them</h2>"
        f"<table><tr><th>id</th><th>group</th><th>requirement</th><th>questions graded</th></tr>{''.join(legend)}"
        "</table>"
    )
    return _page("Evidence per competency requirement", body)


def feedback_html(trainee: str, batch: Batch, evidence: pd.DataFrame) -> str:
    parts = []
    for r in [r for r in batch.results if r.trainee == trainee]:
        name = Path(r.path).name
        status = r.detail if r.run == "graded" and r.detail else f"{r.run}: {r.detail}" if r.detail else r.run
        parts.append(f"<h2>{_e(r.exercise or 'not an exercise')} — <code>{_e(name)}</code></h2>"
                     f"<p>Run: {_e(status)}</p>")
        if r.blocked:
            parts.append(f"<p class=\"incorrect\">Refused while grading: {_e('; '.join(r.blocked[:5]))}</p>")
        if not r.questions:
            continue
        rows = "".join(
            f"<tr><td>q{q.number}</td><td><code>{_e(q.var)}</code></td><td>{_e(q.requirement)}</td>"
            f"<td><pre style=\"white-space:pre-wrap;margin:0\">{_e(q.answer)}</pre></td>"
            f"<td class=\"{_cls(LABELS[q.status])}\">{_e(LABELS[q.status])}</td><td>{_message_html(q.message)}</td>"
            f"<td>{q.hints}</td><td>{'yes' if q.solution_viewed else 'no'}</td></tr>"
            for q in r.questions)
        parts.append("<table><tr><th>question</th><th>variable</th><th>requirement</th><th>your answer</th>"
                     "<th>result</th><th>check message</th><th>hints viewed</th><th>solution viewed</th></tr>"
                     f"{rows}</table>")
    mine = evidence[(evidence["trainee"] == trainee) & (evidence["evidence"] != "not assessed")]
    rows = "".join(f"<tr><td>{_e(e.requirement)}</td><td>{_e(e.label)}</td>"
                   f"<td class=\"{_cls(e.evidence)}\">{_e(e.evidence)}</td><td>{_e(e.questions)}</td></tr>"
                   for e in mine.itertuples())
    parts.append("<h2>Evidence per requirement</h2><table><tr><th>id</th><th>requirement</th><th>evidence</th>"
                 f"<th>questions</th></tr>{rows}</table>")
    return _page(f"Feedback for {trainee}", "\n".join(parts))


def write_outputs(batch: Batch, out: str | Path) -> dict[str, Path]:
    """Write every output file into ``out``; return their paths by name."""
    out = Path(out)
    (out / "feedback").mkdir(parents=True, exist_ok=True)
    evidence = evidence_table(batch)
    paths = {
        "gradebook": write_safe_csv(gradebook(batch), out / "gradebook.csv"),
        "grades": write_safe_csv(grades_table(batch), out / "grades.csv"),
        "submissions": write_safe_csv(submissions_table(batch), out / "submissions.csv"),
        "evidence": write_safe_csv(evidence, out / "evidence.csv"),
    }
    coverage = competency.discover()
    paths["coverage"] = write_safe_csv(coverage.table(), out / "coverage.csv")
    paths["evidence_html"] = out / "evidence.html"
    paths["evidence_html"].write_text(evidence_html(batch, evidence), encoding="utf-8")
    for trainee in sorted({r.trainee for r in batch.results}):
        page = out / "feedback" / feedback_file(trainee)
        page.write_text(feedback_html(trainee, batch, evidence), encoding="utf-8")
    return paths


# ---------------------------------------------------------------------------
# Command line


def main(argv: Sequence[str] | None = None) -> int:
    """Grade exercise notebooks; exit 0 when the outputs were written, 2 on bad arguments."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--worker"]:
        return _worker_main()
    parser = argparse.ArgumentParser(
        prog="oclab-assess",
        description="Grade submitted exercise notebooks and write the gradebook, the evidence per competency "
                    "requirement and one feedback page per trainee.",
    )
    parser.add_argument("submissions", nargs="?", type=Path,
                        help="folder of submitted notebooks: t001_01_consumption_patterns.ipynb or "
                             "t001/01_consumption_patterns.ipynb, each with its *.attempts.jsonl beside it")
    parser.add_argument("--out", type=Path, help="folder for gradebook.csv, evidence.csv/html, feedback/")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT_S,
                        help=f"seconds one notebook may run (default {DEFAULT_TIMEOUT_S})")
    parser.add_argument("--grade-timeout", type=float, default=DEFAULT_GRADE_TIMEOUT_S,
                        help=f"seconds the checks of one notebook may take (default {DEFAULT_GRADE_TIMEOUT_S})")
    parser.add_argument("--memory-mb", type=int, default=DEFAULT_MEMORY_MB,
                        help=f"memory (address space) limit of one run in MB (default {DEFAULT_MEMORY_MB})")
    jobs = max(1, min(4, os.cpu_count() or 1))
    parser.add_argument("--jobs", type=int, default=jobs,
                        help=f"notebooks graded at the same time (default {jobs}: one per CPU core, at most 4)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.add_argument("--keep-workdirs", action="store_true", help="keep each run's temporary folder (debugging)")
    parser.add_argument("--coverage", action="store_true",
                        help="print the competency map's coverage table (requirement -> sections, questions) and exit")
    args = parser.parse_args(argv)
    if args.coverage:
        return competency.main([])
    if args.submissions is None or args.out is None:
        parser.error("give a SUBMISSIONS folder and --out DIR (or --coverage)")
    if not args.submissions.is_dir():
        parser.error(f"{args.submissions} is not a folder")
    if args.timeout <= 0 or args.grade_timeout <= 0 or args.memory_mb < 256 or args.jobs < 1:
        parser.error("--timeout and --grade-timeout must be positive, --memory-mb at least 256, --jobs at least 1")
    batch = grade_folder(args.submissions, timeout_s=args.timeout, grade_timeout_s=args.grade_timeout,
                         memory_mb=args.memory_mb, jobs=args.jobs, progress=not args.no_progress,
                         keep=args.keep_workdirs)
    if not batch.results:
        print(f"no notebooks (*.ipynb) found under {args.submissions}", file=sys.stderr)
        return 1
    paths = write_outputs(batch, args.out)
    print(batch.summary())
    print(f"Evidence: {paths['evidence_html']}  Gradebook: {paths['gradebook']}")
    return 0


__all__ = [
    "Batch",
    "LABELS",
    "QuestionResult",
    "Submission",
    "SubmissionResult",
    "evidence_table",
    "find_submissions",
    "grade_folder",
    "grade_submission",
    "gradebook",
    "grades_table",
    "landlock_abi",
    "neutralise",
    "restrict_writes_to",
    "trainee_from_path",
    "write_outputs",
    "write_safe_csv",
]

if __name__ == "__main__":
    sys.exit(main())
