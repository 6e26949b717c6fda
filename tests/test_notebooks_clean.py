"""Notebooks are committed without outputs: outputs come from running them."""

from __future__ import annotations

import json
import subprocess

import pytest

from conftest import PROJECT


def committed_notebooks() -> list[str]:
    listed = subprocess.run(
        ["git", "ls-files", "*.ipynb"], cwd=PROJECT, capture_output=True, text=True, check=False
    ).stdout.split()
    on_disk = [str(p.relative_to(PROJECT)) for p in PROJECT.glob("[ne][ox]*/*.ipynb")]
    return sorted(set(listed) | set(on_disk))


def test_there_are_notebooks_to_check() -> None:
    names = committed_notebooks()
    assert "notebooks/00_start_here.ipynb" in names


@pytest.mark.parametrize("name", committed_notebooks())
def test_notebook_has_no_outputs(name: str) -> None:
    notebook = json.loads((PROJECT / name).read_text(encoding="utf-8"))
    dirty = [
        index
        for index, cell in enumerate(notebook["cells"])
        if cell["cell_type"] == "code" and (cell.get("outputs") or cell.get("execution_count") is not None)
    ]
    assert not dirty, f"{name}: cells {dirty} carry outputs or execution counts; clear them before committing"


@pytest.mark.parametrize("name", committed_notebooks())
def test_notebook_uses_the_python3_kernel(name: str) -> None:
    notebook = json.loads((PROJECT / name).read_text(encoding="utf-8"))
    assert notebook["metadata"]["kernelspec"]["name"] == "python3"


@pytest.mark.parametrize("name", [n for n in committed_notebooks() if n.startswith("notebooks/")])
def test_area_notebook_has_a_parameters_cell(name: str) -> None:
    notebook = json.loads((PROJECT / name).read_text(encoding="utf-8"))
    tagged = [c for c in notebook["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1, f"{name}: needs exactly one cell tagged 'parameters' (papermill), found {len(tagged)}"
