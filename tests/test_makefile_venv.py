"""The Makefile rebuilds an unusable .venv (issue 14, problem 8).

Run as a dry run (``make -n``) in a temporary copy of the project's build
files: it shows what make would do, without installing anything.
"""
from __future__ import annotations

import shutil
import subprocess  # nosec B404  (make, with an argument list and no shell)
import sys
from pathlib import Path

import pytest

from coordination import PROJECT_ROOT

MAKE = shutil.which("make")
pytestmark = pytest.mark.skipif(MAKE is None, reason="make is not installed")

REBUILD = "building it again"


def _project_copy(tmp_path: Path) -> Path:
    for name in ("Makefile", "setup.cfg", "pyproject.toml"):
        shutil.copy2(PROJECT_ROOT / name, tmp_path / name)
    return tmp_path


def _dry_run(directory: Path) -> str:
    result = subprocess.run([MAKE, "-n", "translations"], cwd=directory, capture_output=True,  # nosec B603
                            text=True, timeout=60, check=False)
    return result.stdout + result.stderr


def _fresh_stamp(venv: Path) -> None:
    (venv / ".installed-stamp").touch()


def test_a_venv_without_an_interpreter_is_rebuilt(tmp_path):
    project = _project_copy(tmp_path)
    venv = project / ".venv"
    (venv / "bin").mkdir(parents=True)  # stopped before python was copied in
    _fresh_stamp(venv)
    plan = _dry_run(project)
    assert REBUILD in plan and "rm -rf .venv" in plan
    assert "-m venv .venv" in plan and "pip install" in plan


def test_a_venv_without_pip_is_rebuilt(tmp_path):
    project = _project_copy(tmp_path)
    venv = project / ".venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)],  # nosec B603
                   check=True, timeout=120)
    assert (venv / "bin" / "python").exists()
    _fresh_stamp(venv)
    plan = _dry_run(project)
    assert REBUILD in plan and "pip install" in plan


def test_a_usable_venv_is_left_alone(tmp_path):
    project = _project_copy(tmp_path)
    (project / ".venv").symlink_to(Path(sys.prefix))  # the suite's own, with pip
    if not (project / ".venv" / ".installed-stamp").exists():
        pytest.skip("the suite does not run from the Makefile's .venv")
    plan = _dry_run(project)
    assert "-m venv" not in plan and "pip install" not in plan
    assert "pybabel" in plan
