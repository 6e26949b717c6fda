"""Rerun the area notebooks as parameterised reports: ``python -m helpers.reports``.

Analysts do not edit notebooks: they point the same notebooks at this month's
export and hand out the result. This module is the command for that job
(also installed as ``oclab-report``)::

    python -m helpers.reports list
    python -m helpers.reports params consumption
    python -m helpers.reports run consumption --data my_export.csv \\
        -y 'columns: {customer_id: member_no, order_date: paid_at}' --out reports

Unlike the analysis modules of :mod:`helpers`, this is a command-line tool:
reading notebooks and writing report folders is its job. It is built on
papermill (parameters and execution) and nbconvert (HTML without code cells).

How a run works
---------------
1. Every parameter is checked against the notebook's parameters cell before
   anything runs: unknown names, values that do not fit the declared type
   (``str``, ``int``, ``float``, ``bool``, ``list``, ``dict``) and missing data
   files stop the command with exit status 2 and the list of valid parameters.
   Values are converted to the declared type, so YAML's habit of turning
   ``2024-01-31`` into a date, or ``yes`` into ``True``, cannot reach a notebook.
2. Each notebook runs with papermill (working folder ``notebooks/``) into a
   hidden staging folder beside the final one; ``output_dir`` is set to it, so
   ``metrics.json`` and the area's CSVs land next to ``report.ipynb``.
3. Success: ``report.html`` is exported (nbconvert, code cells hidden) and the
   staging folder is renamed to ``DIR/AREA/`` in one step. Failure: the partial
   notebook is moved to ``DIR/failed/AREA/``, the failing line and error are
   printed, and no ``DIR/AREA/`` is left behind.
4. ``DIR/index.html`` links every report with its headline metrics and run
   time; ``DIR/run.json`` records parameters, versions, data checksums and
   times (the only file with timestamps).

Exit status: 0 when every report was written; 2 when the command or a
parameter is invalid (nothing ran); 10 + the number of failed reports
otherwise (11 = one failed), capped at 99, so a count of failures can never
be mistaken for the "invalid parameters" status.

Examples
--------
>>> convert_value("2024-01-31", "str", name="as_of")
'2024-01-31'
>>> convert_value("30", "int", name="window_days")
30
>>> convert_value("no", "bool", name="show_widgets")
False
>>> area_name("01_consumption_patterns.ipynb")
'consumption_patterns'
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import datetime as dt
import difflib
import hashlib
import json
import logging
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import yaml

PROJECT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_NOTEBOOKS_DIR = PROJECT_DIR / "notebooks"
NOTEBOOK_GLOB = "[0-9][0-9]_*.ipynb"
#: Notebooks numbered 00 are start pages (a tour for trainees): listed and runnable by
#: name, but not part of ``run all``, whose job is the analysts' hand-out reports.
START_PAGE_NUMBER = "00"
#: Parameters the runner sets itself; users choose the folder with ``--out``.
RUNNER_PARAMETERS = ("output_dir",)
SUPPORTED_TYPES = ("str", "int", "float", "bool", "list", "dict")
REPORT_NOTEBOOK = "report.ipynb"
#: What a data folder must hold (the bundled shop layout read by helpers.data.load_transactions).
SHOP_TRANSACTIONS = "transactions.csv.gz"
REPORT_HTML = "report.html"
FAILED_DIR = "failed"
DEFAULT_TIMEOUT_S = 600
EXIT_OK = 0
EXIT_INVALID = 2
EXIT_FAILED_BASE = 10
EXIT_CAP = 99
EXIT_INTERRUPTED = 130
#: Packages whose versions are recorded in run.json (those installed).
KEY_PACKAGES = (
    "online-customer-lab",
    "papermill",
    "nbconvert",
    "nbclient",
    "nbformat",
    "ipykernel",
    "pandas",
    "numpy",
    "scipy",
    "statsmodels",
    "scikit-learn",
    "mlxtend",
    "matplotlib",
    "seaborn",
    "holidays",
    "pyarrow",
    "openpyxl",
    "PyYAML",
)
_TRUE = {"true", "yes", "y", "on", "1"}
_FALSE = {"false", "no", "n", "off", "0"}


class ParameterError(ValueError):
    """The command cannot run as given; the message says why and what is valid."""


# --------------------------------------------------------------------------- areas


@dataclass(frozen=True)
class Area:
    """One report notebook: ``notebooks/01_consumption_patterns.ipynb`` is area ``consumption_patterns``."""

    name: str
    number: str
    path: Path
    title: str
    summary: str

    @property
    def stem(self) -> str:
        return self.path.stem

    @property
    def short(self) -> str:
        """The first word of the name, e.g. ``consumption``."""
        return self.name.split("_")[0]

    @property
    def is_start_page(self) -> bool:
        return self.number == START_PAGE_NUMBER


def area_name(notebook: str | Path) -> str:
    """The area name of a notebook file: the part after the two-digit number.

    Examples
    --------
    >>> area_name("notebooks/03_prospect_methods.ipynb")
    'prospect_methods'
    """
    return Path(notebook).stem.split("_", 1)[1]


def _markdown_text(source: str) -> str:
    """Plain words from a line of markdown (emphasis and code marks removed)."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", source)
    return re.sub(r"(\*\*|__|`)", "", text).strip()


def describe_notebook(path: Path) -> tuple[str, str]:
    """The notebook's title (its first ``#`` heading) and the first sentence after it.

    Examples
    --------
    >>> describe_notebook(DEFAULT_NOTEBOOKS_DIR / "00_start_here.ipynb")[0]
    'Online Customer Lab — start here'
    """
    import nbformat

    nb = nbformat.read(str(path), as_version=4)
    title, summary = "", ""
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        lines = cell.source.splitlines()
        for index, line in enumerate(lines):
            if not title and re.match(r"^#\s+\S", line):
                title = _markdown_text(line.lstrip("#"))
                paragraph = []
                for rest in lines[index + 1 :]:
                    if rest.strip().startswith("#") or (paragraph and not rest.strip()):
                        break
                    if rest.strip():
                        paragraph.append(rest.strip())
                words = _markdown_text(" ".join(paragraph))
                summary = re.split(r"(?<=[.!?])\s+", words, maxsplit=1)[0] if words else ""
                break
        if title:
            break
    return title or path.stem, summary


def discover_areas(notebooks_dir: str | Path = DEFAULT_NOTEBOOKS_DIR) -> list[Area]:
    """Every ``NN_name.ipynb`` in the folder, in number order; new notebooks are picked up as they appear.

    Parameters
    ----------
    notebooks_dir
        Folder to look in; the project's ``notebooks/`` by default.

    Returns
    -------
    list of Area
        Name, number, path, title and first sentence of each notebook.

    Examples
    --------
    >>> start = discover_areas()[0]
    >>> start.name, start.short, start.number, start.is_start_page
    ('start_here', 'start', '00', True)
    """
    folder = Path(notebooks_dir)
    areas = []
    for path in sorted(folder.glob(NOTEBOOK_GLOB)):
        title, summary = describe_notebook(path)
        areas.append(Area(area_name(path), path.name[:2], path.resolve(), title, summary))
    return areas


def select_areas(selectors: Sequence[str], areas: Sequence[Area]) -> list[Area]:
    """The areas named on the command line: ``all``, a name, its number, its file stem, or a word of its name.

    ``all`` is every notebook numbered 01 and up: the 00 start page runs only by name.

    Raises
    ------
    ParameterError
        An unknown or ambiguous name (the message lists the valid names).

    Examples
    --------
    >>> [a.name for a in select_areas(["start"], discover_areas())]
    ['start_here']
    """
    chosen: list[Area] = []
    for selector in selectors:
        key = selector.strip().lower().removesuffix(".ipynb")
        if key == "all":
            matches = [a for a in areas if not a.is_start_page]
            if not matches:
                raise ParameterError("no report notebooks (NN_name.ipynb numbered 01 and up) were found")
        else:
            matches = [a for a in areas if key in (a.name, a.stem, a.number)]
            if not matches:
                matches = [a for a in areas if a.short == key]
            if not matches:  # any word of the name, e.g. "compliance" for legal_compliance
                matches = [a for a in areas if key in a.name.split("_")]
            if len(matches) > 1:
                names = ", ".join(a.name for a in matches)
                raise ParameterError(f"'{selector}' is ambiguous: it could be {names}; use the full name")
            if not matches:
                valid = ", ".join(["all"] + [a.name for a in areas]) or "(no notebooks found)"
                raise ParameterError(f"unknown report '{selector}'. Valid names: {valid}")
        chosen += [a for a in matches if a not in chosen]
    return chosen


# --------------------------------------------------------------------------- parameters


@dataclass(frozen=True)
class Parameter:
    """One line of a parameters cell: ``data_path: str = "../data"  # help``."""

    name: str
    type_name: str
    default: str
    help: str

    @property
    def default_value(self) -> object:
        """The default as a Python value (the literal's text when it is not a plain literal)."""
        try:
            return ast.literal_eval(self.default)
        except (ValueError, SyntaxError):
            return self.default


def notebook_parameters(path: str | Path) -> dict[str, Parameter]:
    """The parameters a notebook declares, read by papermill from its cell tagged ``parameters``.

    papermill skips every line holding more than one ``=``, so a help comment such as
    ``# empty = day after the last order`` would hide its parameter; such lines are
    recovered from Python's own parser of the same cell, in the cell's order.

    Parameters
    ----------
    path
        The notebook.

    Returns
    -------
    dict of str to Parameter
        Name, declared type (``"None"`` when not annotated), default as written, help text.

    Examples
    --------
    >>> params = notebook_parameters(DEFAULT_NOTEBOOKS_DIR / "00_start_here.ipynb")
    >>> params["data_path"].type_name, params["data_path"].default, params["data_path"].default_value
    ('str', '"../data"', '../data')
    """
    import nbformat
    import papermill

    papermill_log = logging.getLogger("papermill")
    level = papermill_log.level
    papermill_log.setLevel(logging.ERROR)  # its "Unable to parse line" warning is handled below
    try:
        inferred = papermill.inspect_notebook(str(path))
    finally:
        papermill_log.setLevel(level)
    found = {
        name: Parameter(name, info["inferred_type_name"], info["default"], info["help"])
        for name, info in inferred.items()
    }
    nb = nbformat.read(str(path), as_version=4)
    cell = next((c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])), None)
    if cell is None:
        return found
    recovered = _python_declarations(cell.source)
    order = list(recovered) + [name for name in found if name not in recovered]
    return {name: found.get(name) or recovered[name] for name in order}


def _python_declarations(source: str) -> dict[str, Parameter]:
    """Top-level assignments of a parameters cell, with the comment at the end of each as help."""
    import io
    import tokenize

    try:
        tree = ast.parse(source)
        comments = {
            token.start[0]: token.string.lstrip("#").strip()
            for token in tokenize.generate_tokens(io.StringIO(source).readline)
            if token.type == tokenize.COMMENT
        }
    except (SyntaxError, tokenize.TokenError):
        return {}
    declared = {}
    for node in tree.body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
            name, type_name = node.target.id, ast.unparse(node.annotation)
        elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            name, type_name = node.targets[0].id, "None"
        else:
            continue
        default = ast.get_source_segment(source, node.value) or ""
        declared[name] = Parameter(name, type_name, default, comments.get(node.end_lineno, ""))
    return declared


def format_parameters(params: Mapping[str, Parameter]) -> str:
    """The list an analyst sees in ``params`` and in every parameter error."""
    lines = []
    for p in params.values():
        type_name = p.type_name if p.type_name in SUPPORTED_TYPES else "any"
        note = "  (set by the runner: choose the folder with --out)" if p.name in RUNNER_PARAMETERS else ""
        lines.append(f"  {p.name}: {type_name} = {p.default}{note}")
        if p.help:
            lines.append(f"      {p.help}")
    return "\n".join(lines) if lines else "  (this notebook has no parameters cell)"


class _TextDatesLoader(yaml.SafeLoader):
    """YAML without the implicit timestamp type: ``2024-01-31`` stays text."""


_TextDatesLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.copy().items()
}


@dataclass(frozen=True)
class GivenValue:
    """A value from the command line: its raw text (for scalars) and its YAML value (for lists and dicts)."""

    text: str | None
    loaded: object
    source: str


def _load_yaml(text: str, source: str) -> dict[str, GivenValue]:
    try:
        raw = yaml.load(text, Loader=yaml.BaseLoader)
        loaded = yaml.load(text, Loader=_TextDatesLoader)
    except yaml.YAMLError as exc:
        raise ParameterError(f"{source}: not valid YAML ({str(exc).splitlines()[0]})") from exc
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ParameterError(f"{source}: expected 'name: value' lines, got {text.strip()[:60]!r}")
    return {
        str(name): GivenValue(value if isinstance(value, str) else None, loaded[name], source)
        for name, value in raw.items()
    }


def convert_value(value: GivenValue | str, type_name: str, *, name: str) -> object:
    """Convert a value given on the command line to the parameter's declared type.

    Scalars are converted from the text the user typed, never from YAML's guess,
    so ``as_of: 2024-01-31`` stays the text ``'2024-01-31'`` for a ``str`` parameter.

    Raises
    ------
    ParameterError
        The value does not fit the type.

    Examples
    --------
    >>> convert_value("0.25", "float", name="min_share")
    0.25
    >>> convert_value("[30, 60]", "list", name="windows_days")
    [30, 60]
    >>> convert_value("{customer_id: household_id}", "dict", name="columns")
    {'customer_id': 'household_id'}
    >>> convert_value("ten", "int", name="top_n")
    Traceback (most recent call last):
    ...
    helpers.reports.ParameterError: top_n: expected a whole number (int), got 'ten'
    """
    if isinstance(value, str):
        value = GivenValue(value, None, "-p")
    text = value.text
    if type_name in ("list", "dict"):
        loaded = value.loaded
        if text is not None:
            try:
                empty = [] if type_name == "list" else {}
                loaded = yaml.load(text, Loader=_TextDatesLoader) if text.strip() else empty
            except yaml.YAMLError as exc:
                raise ParameterError(f"{name}: expected a {type_name} in YAML form, got {text!r}") from exc
        wanted = list if type_name == "list" else dict
        if not isinstance(loaded, wanted):
            example = "[a, b]" if type_name == "list" else "{key: value}"
            shown = text if text is not None else loaded
            raise ParameterError(f"{name}: expected a {type_name} such as {example}, got {shown!r}")
        return loaded
    if type_name not in SUPPORTED_TYPES:
        # No usable annotation: pass YAML's reading of the value through unchanged.
        return value.loaded if text is None else yaml.load(text, Loader=_TextDatesLoader)
    if text is None:
        raise ParameterError(f"{name}: expected a single {type_name} value, got {value.loaded!r}")
    if type_name == "str":
        return text
    stripped = text.strip()
    if type_name == "int":
        try:
            return int(stripped)
        except ValueError:
            raise ParameterError(f"{name}: expected a whole number (int), got {text!r}") from None
    if type_name == "float":
        try:
            return float(stripped)
        except ValueError:
            raise ParameterError(f"{name}: expected a number (float), got {text!r}") from None
    if stripped.lower() in _TRUE:
        return True
    if stripped.lower() in _FALSE:
        return False
    raise ParameterError(f"{name}: expected true or false (bool), got {text!r}")


def is_path_parameter(name: str) -> bool:
    """Parameters named ``*_path`` name an input file or folder (resolved and checked before running).

    Examples
    --------
    >>> is_path_parameter("data_path"), is_path_parameter("output_dir")
    (True, False)
    """
    return name.endswith("_path")


@dataclass
class Plan:
    """What will run for one area: the values to inject and the effective value of every parameter."""

    area: Area
    declared: dict[str, Parameter]
    inject: dict[str, object]
    effective: dict[str, object]
    input_files: list[Path] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)


def gather_values(
    *,
    yaml_files: Sequence[str] = (),
    yaml_texts: Sequence[str] = (),
    pairs: Sequence[Sequence[str]] = (),
    data: str | None = None,
) -> dict[str, GivenValue]:
    """Every value given on the command line; later sources win: -f, then -y, then -p, then --data.

    Examples
    --------
    >>> given = gather_values(yaml_texts=["top_n: 5"], pairs=[["top_n", "7"]])
    >>> given["top_n"].text, given["top_n"].source
    ('7', '-p top_n')
    """
    given: dict[str, GivenValue] = {}
    for file in yaml_files:
        path = Path(file)
        if not path.is_file():
            raise ParameterError(f"-f {file}: no such parameters file")
        given |= _load_yaml(path.read_text(encoding="utf-8"), f"-f {file}")
    for text in yaml_texts:
        given |= _load_yaml(text, "-y")
    for name, text in pairs:
        given[name] = GivenValue(text, None, f"-p {name}")
    if data is not None:
        given["data_path"] = GivenValue(data, None, "--data")
    return given


def plan_runs(areas: Sequence[Area], given: Mapping[str, GivenValue], *, caller_cwd: Path) -> list[Plan]:
    """Check every given value against every selected notebook, before anything runs.

    Values are converted to each notebook's declared types; ``*_path`` values are resolved
    against ``caller_cwd`` (the notebooks run in their own folder) and must exist. With several
    areas, a parameter goes to the areas that declare it and must be declared by at least one.

    Parameters
    ----------
    areas
        The selected notebooks.
    given
        Values from :func:`gather_values`.
    caller_cwd
        The folder the command was run from.

    Returns
    -------
    list of Plan
        Per area: the values to inject and the effective value of every parameter.

    Raises
    ------
    ParameterError
        With every problem found and the valid parameters of the notebooks concerned.
    """
    plans: list[Plan] = []
    problems: list[str] = []
    declared_somewhere: set[str] = set()
    listing: dict[str, str] = {}
    for area in areas:
        declared = notebook_parameters(area.path)
        declared_somewhere |= set(declared)
        inject: dict[str, object] = {}
        area_problems: list[str] = []
        ignored: list[str] = []
        for name, value in given.items():
            if name in RUNNER_PARAMETERS:
                continue
            if name not in declared:
                if len(areas) == 1:
                    close = difflib.get_close_matches(name, list(declared), n=1)
                    hint = f"; did you mean '{close[0]}'?" if close else ""
                    area_problems.append(f"unknown parameter '{name}' (from {value.source}){hint}")
                ignored.append(name)
                continue
            try:
                inject[name] = convert_value(value, declared[name].type_name, name=name)
            except ParameterError as exc:
                area_problems.append(f"{exc} (from {value.source})")
        effective = {name: p.default_value for name, p in declared.items()} | inject
        input_files = []
        for name in declared:
            if not is_path_parameter(name) or not isinstance(effective.get(name), str) or not effective[name]:
                continue
            if name in inject:
                # Notebooks run in notebooks/: a relative path means the caller's folder.
                resolved = (caller_cwd / Path(str(inject[name])).expanduser()).resolve()
                inject[name] = str(resolved)
            else:
                resolved = (area.path.parent / str(effective[name])).resolve()
            shown = effective[name]
            where = "" if Path(str(shown)).is_absolute() else f" (looked for {resolved})"
            if not resolved.exists():
                area_problems.append(f"{name}: no such file or folder: {shown}{where}")
            elif name == "data_path" and resolved.is_dir() and not (resolved / SHOP_TRANSACTIONS).is_file():
                area_problems.append(
                    f"{name}: the folder {shown} has no {SHOP_TRANSACTIONS}; give a transactions file, "
                    f"or a folder laid out like the bundled shop{where}"
                )
            else:
                input_files.append(resolved)
                effective[name] = str(resolved)
        if area_problems:
            problems += [f"{area.name}: {p}" for p in area_problems]
            listing[area.name] = format_parameters(declared)
        plans.append(Plan(area, declared, inject, effective, input_files, ignored))
    for name, value in given.items():
        if name in RUNNER_PARAMETERS:
            problems.append(f"'{name}' is set by the runner (from {value.source}); choose the report folder with --out")
        elif len(areas) > 1 and name not in declared_somewhere:
            problems.append(f"unknown parameter '{name}' (from {value.source}): no selected notebook declares it")
    if problems:
        if not listing:
            listing = {plan.area.name: format_parameters(plan.declared) for plan in plans}
        text = ["Nothing was run:"] + [f"  - {p}" for p in problems]
        for name, params in listing.items():
            text += ["", f"Valid parameters of {name}:", params]
        raise ParameterError("\n".join(text))
    return plans


# --------------------------------------------------------------------------- running


@dataclass
class Failure:
    """Why a notebook stopped, in plain words."""

    cell: str
    line: str
    error: str

    def describe(self) -> str:
        where = f"{self.cell}, at this line:\n    {self.line}" if self.line else self.cell
        error = "\n".join("    " + part for part in self.error.splitlines())
        return f"stopped in {where}\n  error:\n{error}"


@dataclass
class AreaResult:
    area: Area
    status: str
    started: str
    finished: str
    seconds: float
    folder: Path
    failure: Failure | None = None
    outputs: list[str] = field(default_factory=list)


_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def failure_from_cell_error(exc: Exception) -> Failure:
    """The failing cell's source line and error from papermill's execution error.

    The line comes from IPython's ``Cell In[n], line k`` frame, so it is the notebook's own
    line even when the error was raised deep inside :mod:`helpers`.
    """
    source = str(getattr(exc, "source", "") or "")
    traceback_text = _ANSI.sub("", "\n".join(getattr(exc, "traceback", []) or []))
    source_lines = source.splitlines()
    line = ""
    located = re.search(r"Cell In\[\d+\], line (\d+)", traceback_text)
    if located and 0 < int(located.group(1)) <= len(source_lines):
        line = source_lines[int(located.group(1)) - 1].strip()
    if not line:
        arrows = re.findall(r"^-*>\s*\d+\s(.*)$", traceback_text, flags=re.MULTILINE)
        line = arrows[0].strip() if arrows else next((s.strip() for s in reversed(source_lines) if s.strip()), "")
    ename = getattr(exc, "ename", type(exc).__name__)
    evalue = str(getattr(exc, "evalue", "") or "")
    count = getattr(exc, "exec_count", None)
    cell = f"code cell In [{count}]" if count is not None else "a code cell"
    return Failure(cell, line, f"{ename}: {evalue}" if evalue else ename)


def _stopped_cell(notebook: Path) -> tuple[str, str]:
    """The cell a run stopped in (timeout, dead kernel): the last one papermill started, from the partial notebook."""
    import nbformat

    try:
        nb = nbformat.read(str(notebook), as_version=4)
    except (OSError, ValueError):
        return "a code cell", ""
    started = [
        cell
        for cell in nb.cells
        if cell.cell_type == "code" and cell.get("metadata", {}).get("papermill", {}).get("status") != "pending"
    ]
    if not started:
        return "a code cell", ""
    cell = started[-1]
    lines = [line.strip() for line in cell.source.splitlines() if line.strip()]
    label = f"code cell In [{cell.execution_count}]" if cell.execution_count else "a code cell"
    return label, (lines[0] + (" …" if len(lines) > 1 else "")) if lines else ""


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def _move_into_place(source: Path, target: Path) -> None:
    """Rename ``source`` to ``target``, replacing an existing folder without ever leaving a half state."""
    target.parent.mkdir(parents=True, exist_ok=True)
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old-{uuid.uuid4().hex[:8]}")
        os.replace(target, old)
    os.replace(source, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _finalise_notebook(notebook: Path, staging: Path, final: Path) -> None:
    """Point the executed notebook at its final folder and drop papermill's clock times.

    The notebook ran with ``output_dir`` set to the staging folder; readers should see the
    folder the report lives in. Start and end times belong in run.json only.
    """
    import nbformat

    if not notebook.exists():
        return
    text = notebook.read_text(encoding="utf-8")
    text = text.replace(json.dumps(str(staging))[1:-1], json.dumps(str(final))[1:-1])
    nb = nbformat.reads(text, as_version=4)
    for holder in [nb.metadata, *(cell.metadata for cell in nb.cells)]:
        timing = holder.get("papermill", {})
        for key in ("start_time", "end_time"):
            timing.pop(key, None)
    for cell in nb.cells:
        # papermill gives the cell it inserts a random id; a fixed one keeps reruns identical
        # (and a random 8-digit id cannot pass for a phone number in the privacy sweep).
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell["id"] = "injected-parameters"
    nbformat.write(nb, str(notebook))


def provenance_note(plan: Plan) -> str:
    """One markdown line saying which data and which non-default parameters produced a report.

    The notebook's own text describes the bundled data; a hand-out must say what it was run on.
    Clock times stay out of it (they are in run.json).

    Examples
    --------
    >>> area = Area("demo", "01", Path("01_demo.ipynb"), "Demo", "")
    >>> declared = {"data_path": Parameter("data_path", "str", '"../data"', ""),
    ...             "top_n": Parameter("top_n", "int", "3", "")}
    >>> plan = Plan(area, declared, {"top_n": 5}, {"data_path": "/x/june.csv", "top_n": 5}, [Path("/x/june.csv")])
    >>> print(provenance_note(plan))
    *This report was run on `june.csv` with top_n = 5; everything else at its default. Full record: run.json.*
    """
    data = ", ".join(f"`{path.name}`" for path in plan.input_files) or "the notebook's default data"
    changed = [
        f"{name} = {json.dumps(value, ensure_ascii=False)}"
        for name, value in plan.inject.items()
        if not is_path_parameter(name) and name not in RUNNER_PARAMETERS
    ]
    settings = " with the default settings"
    if changed:
        settings = f" with {', '.join(changed)}; everything else at its default"
    return f"*This report was run on {data}{settings}. Full record: run.json.*"


def export_html(notebook: Path, target: Path, title: str, note: str | None = None) -> Path:
    """``report.html`` for readers who do not read code: nbconvert with inputs and prompts hidden.

    ``note`` (markdown) is shown under the title, e.g. which data the report was run on.
    """
    import nbformat
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True)
    nb = nbformat.read(str(notebook), as_version=4)
    if note:
        position = 1 if nb.cells and nb.cells[0].cell_type == "markdown" else 0
        nb.cells.insert(position, nbformat.v4.new_markdown_cell(note, id="report-provenance"))
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title}})
    target.write_text(body, encoding="utf-8")
    return target



@contextlib.contextmanager
def _inline_charts() -> Iterator[None]:
    """Let the report kernel draw charts into the notebook while it runs.

    A kernel inherits its environment, and a non-interactive backend set in the caller's
    shell (``MPLBACKEND=Agg`` is common on servers and in CI) would leave report.html
    without a single chart. The caller's setting is restored afterwards.
    """
    previous = os.environ.get("MPLBACKEND")
    os.environ["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("MPLBACKEND", None)
        else:
            os.environ["MPLBACKEND"] = previous


def run_area(
    plan: Plan,
    out_dir: Path,
    *,
    timeout_s: float | None = DEFAULT_TIMEOUT_S,
    progress: bool = True,
    kernel_name: str | None = None,
) -> AreaResult:
    """Run one notebook into ``out_dir/AREA`` (or ``out_dir/failed/AREA``), atomically.

    Parameters
    ----------
    plan
        The area and its checked parameters (from :func:`plan_runs`).
    out_dir
        The report folder; the area's folder is created inside it.
    timeout_s
        Longest time one cell may run, in seconds.
    progress
        Show papermill's per-cell progress bar.
    kernel_name
        Kernel to use; by default the notebook's own (``python3``).

    Returns
    -------
    AreaResult
        ``status`` is ``"ok"`` or ``"failed"``; a failure never raises (one area must not stop the others).
    """
    import papermill
    from nbclient.exceptions import DeadKernelError
    from papermill.exceptions import PapermillExecutionError

    area = plan.area
    out_dir.mkdir(parents=True, exist_ok=True)
    final = out_dir / area.name
    failed = out_dir / FAILED_DIR / area.name
    staging = Path(tempfile.mkdtemp(prefix=f".{area.name}.", suffix=".partial", dir=out_dir))
    # mkdtemp makes a private (0700) folder; a report folder gets the usual permissions.
    umask = os.umask(0)
    os.umask(umask)
    staging.chmod(0o777 & ~umask)
    notebook = staging / REPORT_NOTEBOOK
    parameters = dict(plan.inject)
    if "output_dir" in plan.declared:
        parameters["output_dir"] = str(staging)
    started, clock = _now(), time.monotonic()
    failure: Failure | None = None
    try:
        try:
            with _inline_charts():
                papermill.execute_notebook(
                    str(area.path),
                    str(notebook),
                    parameters=parameters,
                    cwd=str(area.path.parent),
                    kernel_name=kernel_name,
                    progress_bar={"desc": area.name, "position": 1, "leave": False} if progress else False,
                    execution_timeout=timeout_s,
                    log_output=False,
                    # The kernel's own log (TCP notice, interrupt on shutdown) is noise for analysts;
                    # errors in the notebook still reach the executed notebook and the failure message.
                    extra_arguments=["--IPKernelApp.log_level=CRITICAL"],
                )
        except PapermillExecutionError as exc:
            failure = failure_from_cell_error(exc)
        except TimeoutError:  # nbclient's CellTimeoutError: one cell ran longer than --timeout
            cell, line = _stopped_cell(notebook)
            failure = Failure(cell, line, f"timed out: the cell ran longer than {timeout_s:g} s (raise --timeout S)")
        except DeadKernelError:
            cell, line = _stopped_cell(notebook)
            failure = Failure(cell, line, "the Python kernel died while running the cell (often: not enough memory)")
        except Exception as exc:  # the kernel could not start, a damaged notebook: a failed report, not a crash
            failure = Failure("the notebook", "", f"{type(exc).__name__}: {exc}")
        if failure is None:
            _finalise_notebook(notebook, staging, final)
            try:
                export_html(notebook, staging / REPORT_HTML, area.title, provenance_note(plan))
            except Exception as exc:  # nbconvert problem: the report is incomplete, so it failed
                failure = Failure("the HTML export", "", f"{type(exc).__name__}: {exc}")
        seconds = round(time.monotonic() - clock, 1)
        if failure is None:
            outputs = sorted(str(p.relative_to(staging)) for p in staging.rglob("*") if p.is_file())
            _move_into_place(staging, final)
            shutil.rmtree(failed, ignore_errors=True)
            return AreaResult(area, "ok", started, _now(), seconds, final, None, outputs)
        _finalise_notebook(notebook, staging, failed)
        (staging / "error.txt").write_text(f"{area.name} {failure.describe()}\n", encoding="utf-8")
        outputs = sorted(str(p.relative_to(staging)) for p in staging.rglob("*") if p.is_file())
        _move_into_place(staging, failed)
        # A report from an earlier run must not sit in DIR/AREA looking like this run's result.
        shutil.rmtree(final, ignore_errors=True)
        return AreaResult(area, "failed", started, _now(), seconds, failed, failure, outputs)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


# --------------------------------------------------------------------------- run record and index


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file, read in blocks.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "x.txt"
    >>> _ = p.write_bytes(b"abc")
    >>> sha256_file(p)[:16]
    'ba7816bf8f01cfea'
    """
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def data_checksums(paths: Iterable[Path], cache: dict[Path, list[dict]] | None = None) -> list[dict]:
    """SHA-256 of each input file; for a folder (the bundled shop), of every file in it."""
    cache = {} if cache is None else cache
    entries: list[dict] = []
    for path in paths:
        if path not in cache:
            files = sorted(p for p in path.iterdir() if p.is_file()) if path.is_dir() else [path]
            cache[path] = [{"path": str(f), "bytes": f.stat().st_size, "sha256": sha256_file(f)} for f in files]
        entries += cache[path]
    return entries


def package_versions() -> dict[str, str]:
    """Python's version and those of :data:`KEY_PACKAGES` that are installed."""
    versions = {"python": platform.python_version()}
    for name in KEY_PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return versions


def _git_commit() -> str | None:
    try:
        found = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=PROJECT_DIR, capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return found.stdout.strip() or None


def headline_metrics(folder: Path, limit: int = 6) -> tuple[list[tuple[str, str]], int]:
    """Up to ``limit`` figures of ``metrics.json``, formatted, and how many more there are.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "metrics.json").write_text('{"a_share": 0.31416, "b": {"n": 1234}, "revenue_hkd": 1234567.891}')
    >>> headline_metrics(folder, limit=2)
    ([('a_share', '0.3142'), ('revenue_hkd', '1,234,567.89')], 1)
    """
    path = folder / "metrics.json"
    try:
        metrics = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return [], 0
    if not isinstance(metrics, dict):
        return [], 0
    # Top-level figures first, then one level of nested ones as "group.name".
    flat: dict[str, object] = {k: v for k, v in metrics.items() if not isinstance(v, dict)}
    for key, value in metrics.items():
        if isinstance(value, dict):
            flat |= {f"{key}.{inner}": v for inner, v in value.items()}
    shown = []
    for key, value in flat.items():
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            continue
        if isinstance(value, int):
            text = f"{value:,}"
        elif isinstance(value, float):
            text = f"{value:,.2f}" if abs(value) >= 100 else f"{value:.4g}"
        else:
            text = value
        shown.append((key, text))
    return shown[:limit], max(len(flat) - min(len(shown), limit), 0)


INDEX_TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Online Customer Lab — reports</title>
<style>
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto; max-width: 70rem; color: #222; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: .5rem .75rem; border-bottom: 1px solid #ddd; }
.failed { color: #b00020; font-weight: bold; }
.ok { color: #1b7f3b; font-weight: bold; }
dl { margin: 0; display: grid; grid-template-columns: max-content auto; gap: 0 .75rem; }
dt { color: #555; } dd { margin: 0; font-variant-numeric: tabular-nums; }
pre { white-space: pre-wrap; font-size: .85rem; margin: .25rem 0; }
.small { color: #555; font-size: .9rem; }
</style>
</head>
<body>
<h1>Online Customer Lab — reports</h1>
<p class="small">{{ ok }} of {{ rows|length }} reports written{% if failed %}, <span class="failed">{{ failed }} failed</span>{% endif %}.
Parameters, package versions, data checksums and times: <a href="run.json">run.json</a>.</p>
<table>
<thead><tr><th>report</th><th>status</th><th>headline metrics</th><th>run time</th><th>parameters</th></tr></thead>
<tbody>
{% for row in rows %}
<tr>
<td>{% if row.status == "ok" %}<a href="{{ row.name }}/report.html">{{ row.title }}</a>{% else %}{{ row.title }}{% endif %}<br>
<span class="small">{{ row.name }} · {% if row.status == "ok" %}<a href="{{ row.name }}/report.ipynb">notebook</a>{% else %}<a href="failed/{{ row.name }}/report.ipynb">partial notebook</a>{% endif %}</span></td>
<td class="{{ row.status }}">{{ row.status }}</td>
<td>{% if row.status == "ok" %}<dl>{% for key, value in row.metrics %}<dt>{{ key }}</dt><dd>{{ value }}</dd>{% endfor %}</dl>
{% if row.more %}<span class="small">+{{ row.more }} more in <a href="{{ row.name }}/metrics.json">metrics.json</a></span>{% endif %}
{% else %}<pre>{{ row.error }}</pre>{% endif %}</td>
<td>{{ "%.1f"|format(row.seconds) }} s</td>
<td><span class="small">{% for key, value in row.parameters %}{{ key }} = {{ value }}<br>{% endfor %}</span></td>
</tr>
{% endfor %}
</tbody>
</table>
</body>
</html>
"""


def write_index(out_dir: Path, record: Mapping[str, Any]) -> Path:
    """``DIR/index.html``: every report in the record with its headline metrics and run time."""
    import jinja2

    rows = []
    for name, entry in sorted(record["areas"].items(), key=lambda item: item[1].get("notebook", item[0])):
        metrics, more = headline_metrics(out_dir / name) if entry["status"] == "ok" else ([], 0)
        parameters = [(k, json.dumps(v, ensure_ascii=False)) for k, v in entry.get("parameters", {}).items()]
        rows.append(
            {
                "name": name,
                "title": entry.get("title", name),
                "status": entry["status"],
                "seconds": entry.get("seconds", 0.0),
                "metrics": metrics,
                "more": more,
                "error": entry.get("error") or "",
                "parameters": parameters,
            }
        )
    environment = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    page = environment.from_string(INDEX_TEMPLATE).render(
        rows=rows,
        ok=sum(r["status"] == "ok" for r in rows),
        failed=sum(r["status"] != "ok" for r in rows),
    )
    path = out_dir / "index.html"
    _write_atomically(path, page)
    return path


def _write_atomically(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.partial")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def _earlier_entries(out_dir: Path) -> dict[str, dict]:
    """Entries of an earlier run.json whose report folders are still there (so the index lists them too)."""
    try:
        earlier = json.loads((out_dir / "run.json").read_text(encoding="utf-8"))
        areas = earlier["areas"]
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    kept = {}
    for name, entry in areas.items():
        folder = out_dir / name if entry.get("status") == "ok" else out_dir / FAILED_DIR / name
        if isinstance(entry, dict) and folder.is_dir():
            kept[name] = entry
    return kept


def _record_entry(plan: Plan, result: AreaResult, out_dir: Path, checksums: dict) -> dict:
    parameters = dict(plan.effective)
    if "output_dir" in plan.declared:
        parameters["output_dir"] = str(result.folder)
    return {
        "title": plan.area.title,
        "notebook": str(plan.area.path),
        "notebook_sha256": sha256_file(plan.area.path),
        "status": result.status,
        "started": result.started,
        "finished": result.finished,
        "seconds": result.seconds,
        "parameters": parameters,
        "data": data_checksums(plan.input_files, checksums),
        "folder": str(result.folder.relative_to(out_dir)),
        "outputs": result.outputs,
        "error": f"{result.failure.describe()}" if result.failure else None,
    }


# --------------------------------------------------------------------------- command line


def _print(message: str, *, err: bool = False) -> None:
    from tqdm import tqdm

    tqdm.write(message, file=sys.stderr if err else sys.stdout)


def _relative(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def command_list(args: argparse.Namespace) -> int:
    areas = discover_areas(args.notebooks)
    if not areas:
        _print(f"No report notebooks (NN_name.ipynb) in {args.notebooks}", err=True)
        return EXIT_INVALID
    print(f"Report notebooks in {_relative(Path(args.notebooks).resolve())}/ — run one with: oclab-report run NAME\n")
    for area in areas:
        names = ", ".join(dict.fromkeys([area.short, area.number]))
        note = "   [start page: not part of 'run all']" if area.is_start_page else ""
        print(f"{area.name}  (also: {names}){note}")
        print(f"    {area.title}")
        if area.summary:
            print(f"    {area.summary}")
        print()
    return EXIT_OK


def command_params(args: argparse.Namespace) -> int:
    areas = select_areas([args.area], discover_areas(args.notebooks))
    for area in areas:
        params = notebook_parameters(area.path)
        print(f"Parameters of {area.name} ({_relative(area.path)}):")
        print(format_parameters(params))
        print(
            f"\nSet them with -p NAME VALUE, -y 'NAME: VALUE' or -f params.yaml, e.g.\n"
            f"  oclab-report run {area.short} --data my_export.csv --out reports"
        )
    return EXIT_OK


def command_run(args: argparse.Namespace) -> int:
    caller_cwd = Path.cwd()
    areas = select_areas(args.areas, discover_areas(args.notebooks))
    given = gather_values(yaml_files=args.file, yaml_texts=args.yaml, pairs=args.parameter, data=args.data)
    plans = plan_runs(areas, given, caller_cwd=caller_cwd)
    out_dir = (caller_cwd / Path(args.out).expanduser()).resolve()
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ParameterError(f"--out {args.out}: cannot create the report folder ({exc.strerror or exc})") from exc
    progress = not args.no_progress
    started = _now()
    record: dict[str, Any] = {
        "tool": "python -m helpers.reports",
        "arguments": list(args.argv),
        "started": started,
        "finished": None,
        "versions": package_versions(),
        "platform": platform.platform(),
        "project_commit": _git_commit(),
        "areas": _earlier_entries(out_dir),
    }
    for plan in plans:
        if plan.ignored:
            names = ", ".join(plan.ignored)
            _print(f"note: {plan.area.name} has no parameter {names}; it runs without it", err=True)
    checksums: dict = {}
    for plan in plans:  # before running: the record describes the data the notebooks read
        data_checksums(plan.input_files, checksums)
    results: list[AreaResult] = []
    from tqdm import tqdm

    bar = tqdm(plans, desc="reports", unit="notebook", position=0, disable=not progress, file=sys.stderr)
    for plan in bar:
        bar.set_postfix_str(plan.area.name)
        result = run_area(plan, out_dir, timeout_s=args.timeout, progress=progress)
        results.append(result)
        if result.status == "ok":
            _print(f"ok      {plan.area.name:<24} {result.seconds:6.1f} s  {_relative(result.folder / REPORT_HTML)}")
        else:
            _print(f"FAILED  {plan.area.name:<24} {result.seconds:6.1f} s  {result.failure.describe()}", err=True)
            _print(f"        partial notebook kept in {_relative(result.folder / REPORT_NOTEBOOK)}", err=True)
        record["areas"][plan.area.name] = _record_entry(plan, result, out_dir, checksums)
        record["finished"] = _now()
        _write_atomically(out_dir / "run.json", json.dumps(record, indent=2, ensure_ascii=False) + "\n")
        write_index(out_dir, record)
    bar.close()
    failed = sum(r.status != "ok" for r in results)
    _print(f"\n{len(results) - failed} of {len(results)} reports written; index: {_relative(out_dir / 'index.html')}")
    if failed:
        return min(EXIT_FAILED_BASE + failed, EXIT_CAP)
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    shared = argparse.ArgumentParser(add_help=False)
    shared.add_argument(
        "--notebooks",
        default=str(DEFAULT_NOTEBOOKS_DIR),
        metavar="DIR",
        help="folder of NN_name.ipynb report notebooks (default: the project's notebooks/)",
    )
    parser = argparse.ArgumentParser(
        prog="oclab-report",
        description="Rerun the Online Customer Lab notebooks as reports on your own data.",
        epilog=(
            "exit status: 0 all reports written; 2 invalid command or parameters (nothing ran); "
            "10 + number of failed reports otherwise (11 = one failed)."
        ),
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="{list,params,run}")
    listing = commands.add_parser("list", parents=[shared], help="the report notebooks and what each covers")
    listing.set_defaults(handler=command_list)
    params = commands.add_parser("params", parents=[shared], help="a notebook's parameters: type, default, help")
    params.add_argument("area", metavar="AREA", help="report name, e.g. consumption")
    params.set_defaults(handler=command_params)
    run = commands.add_parser(
        "run",
        parents=[shared],
        help="run one, several or all reports",
        description="Check every parameter, then run each notebook into DIR/AREA/ "
        "(report.ipynb, report.html, metrics.json, CSVs); write DIR/index.html and DIR/run.json.",
    )
    run.add_argument("areas", nargs="+", metavar="AREA", help="report name(s), or 'all' (every notebook from 01 up)")
    run.add_argument("--data", metavar="PATH", help="your transactions file or shop folder (sets data_path)")
    run.add_argument(
        "-p", "--parameter", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"), help="set one parameter"
    )
    run.add_argument("-y", "--yaml", action="append", default=[], metavar="YAML", help="parameters as YAML text")
    run.add_argument("-f", "--file", action="append", default=[], metavar="FILE", help="parameters from a YAML file")
    run.add_argument("--out", default="reports", metavar="DIR", help="report folder (default: reports)")
    run.add_argument(
        "--timeout",
        type=_positive_seconds,
        default=DEFAULT_TIMEOUT_S,
        metavar="S",
        help=f"longest time one cell may run, in seconds (default {DEFAULT_TIMEOUT_S})",
    )
    run.add_argument("--no-progress", action="store_true", help="no progress bars (for logs)")
    run.set_defaults(handler=command_run)
    return parser


def _positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds, got {text!r}")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python -m helpers.reports`` and ``oclab-report``; returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse has printed its usage message
        return int(exc.code or 0)
    args.argv = argv
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    try:
        return args.handler(args)
    except ParameterError as exc:
        print(f"oclab-report: {exc}", file=sys.stderr)
        return EXIT_INVALID
    except KeyboardInterrupt:
        # run_area has removed the unfinished staging folder; finished reports stay in place.
        print("\noclab-report: interrupted; reports finished before the interruption are kept", file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
