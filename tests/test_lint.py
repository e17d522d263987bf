"""ruff and mypy --strict over the package: style rules, import rooms and types (marked `lint`: run by
`pytest --all` and CI, left out of the fast loop); and CI runs the README's test command, the whole suite."""

from __future__ import annotations

import subprocess
import sys

import pytest

from .conftest import REPO


def run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *command], cwd=REPO, capture_output=True, text=True, timeout=240)


@pytest.mark.lint
def test_ruff_finds_nothing() -> None:
    result = run("ruff", "check", "--no-cache", ".")
    assert result.returncode == 0, result.stdout + result.stderr
    result = run("ruff", "format", "--check", "--no-cache", ".")
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.lint
def test_mypy_strict_passes() -> None:
    result = run("mypy", "--no-incremental", "--cache-dir", "/dev/null")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ci_runs_the_readme_test_command() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8").splitlines()
    test_command = readme[4]
    assert "pytest" in test_command
    assert test_command in (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    # It is the whole suite, the slow tests and the linters too; so is what GitHub runs.
    assert test_command.endswith(" -m pytest --all")
    workflow = (REPO / ".github" / "workflows" / "tests.yml").read_text(encoding="utf-8")
    assert [line for line in workflow.splitlines() if "pytest" in line] == [
        "      - run: python -m pytest --all -W error::ResourceWarning"
    ]
