"""Author notebooks from plain cell lists: no outputs, no execution counts, python3 kernel.

Authors use it from a throwaway script, so that every notebook is
committed clean and in the same format.

Examples
--------
>>> nb = notebook([md("# Title"), code("x = 1", tags=["parameters"])])
>>> nb.cells[1].metadata["tags"], nb.cells[1].execution_count
(['parameters'], None)
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook


def md(text: str) -> nbformat.NotebookNode:
    return new_markdown_cell(text.strip("\n"))


def code(text: str, *, tags: list[str] | None = None) -> nbformat.NotebookNode:
    cell = new_code_cell(text.strip("\n"))
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


def notebook(cells: list[nbformat.NotebookNode]) -> nbformat.NotebookNode:
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    nb.metadata["language_info"] = {"name": "python"}
    for index, cell in enumerate(nb.cells):
        # Stable ids keep diffs of regenerated notebooks small.
        cell["id"] = f"cell-{index:02d}"
    return nb


def write(nb: nbformat.NotebookNode, path: str | Path) -> Path:
    path = Path(path)
    nbformat.validate(nb)
    nbformat.write(nb, str(path))
    return path
