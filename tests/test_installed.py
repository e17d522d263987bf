"""The installed `tracker` command and `python -m tracker`, run as separate processes."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from tracker.about import DISTRIBUTION

from .conftest import REPO

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

PROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def tracker(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("tracker", path=str(Path(sys.executable).parent)) or shutil.which("tracker")
    command = [exe] if exe else [sys.executable, "-m", "tracker"]
    env = {k: v for k, v in os.environ.items() if k != "TRACKER_ROOT"}
    return subprocess.run([*command, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=60)


def test_the_installed_command_checks_the_repository() -> None:
    assert shutil.which("tracker", path=str(Path(sys.executable).parent)), "install the package: pip install -e '.[test]'"
    result = tracker("check")
    assert (result.returncode, result.stderr) == (0, "")
    assert re.fullmatch(r"ok: 32 recommendations, 22 departments, \d+ returns, \d+ assessments, no problems\n", result.stdout)


def test_the_version_is_the_installed_distributions() -> None:
    # On PyPI, "tracker" is an unrelated project: tracker is distributed under a name of its own,
    # and --version reads the version installed under that name (never "(not installed)").
    assert PROJECT["name"] == DISTRIBUTION != "tracker"
    result = tracker("--version")
    assert (result.returncode, result.stdout, result.stderr) == (0, f"tracker {PROJECT['version']}\n", "")


def test_python_dash_m_works_and_errors_have_no_traceback(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "tracker", "--version"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and result.stdout == f"tracker {PROJECT['version']}\n"
    (tmp_path / "recommendations.yaml").write_bytes(b"review: !!python/object/apply:os.system ['echo pwned']\n")
    result = tracker("list", cwd=tmp_path)
    assert result.returncode == 3
    assert (
        result.stderr
        == "tracker: error: recommendations.yaml:1: review: the tag !!python/object/apply:os.system is not allowed\n"
    )
    assert "pwned" not in result.stdout and not (tmp_path / "tracker.db").exists()


def test_init_then_list_in_a_new_folder(tmp_path: Path) -> None:
    assert tracker("init", "board", cwd=tmp_path).returncode == 0
    result = tracker("list", "--format", "csv", cwd=tmp_path / "board" / "status")
    assert result.returncode == 0 and len(result.stdout.splitlines()) == 33
    assert (tmp_path / "board" / "tracker.db").exists()
