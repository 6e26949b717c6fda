"""Shared fixtures: where the project and the reference data sets are."""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")
# Kernels started by nbval inherit this: executing notebooks under test must not write attempt logs.
os.environ.setdefault("OCLAB_ATTEMPT_LOG", "off")

PROJECT = Path(__file__).resolve().parent.parent
SHARED_DATA = Path(os.environ.get("OCLAB_SHARED_DATA", PROJECT.parent / "shared" / "data"))


def shared_file(relative: str) -> Path:
    """A file of ../shared/data, or a clean skip that says why when it is not there."""
    path = SHARED_DATA / relative
    if not path.exists():
        pytest.skip(f"reference data {path} not present (../shared/data sits beside the project in CI)")
    return path


@pytest.fixture
def online_retail_path() -> Path:
    return shared_file("online_retail.csv.gz")


@pytest.fixture
def cdnow_master_path() -> Path:
    return shared_file("cdnow/CDNOW_master.txt")


@pytest.fixture
def cdnow_sample_path() -> Path:
    return shared_file("cdnow/CDNOW_sample.txt")


@pytest.fixture
def hillstrom_path() -> Path:
    return shared_file("hillstrom.csv.gz")


@pytest.fixture(autouse=True)
def _no_attempt_logs_in_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    # Exercise checks run by tests must not leave attempt logs in the working tree.
    monkeypatch.setenv("OCLAB_ATTEMPT_LOG", "off")
