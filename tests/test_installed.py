"""The installed `tracker` command and `python -m tracker`, run as separate processes."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

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
    assert re.fullmatch(
        r"ok: 32 recommendations, 22 departments, \d+ returns, \d+ assessments,"
        r" 6 outcomes, 11 measures, \d+ outcome values, no problems\n",
        result.stdout,
    )


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


# -- The distribution as released: built, checked, installed where nothing else is ----------------------

# The package's data: the recommendations `tracker init` copies, and the Word paper's template parts.
DATA = {
    f"tracker/data/{name}"
    for name in (
        "recommendations.yaml",
        "outcomes.yaml",
        "outcome_values.yaml",
        "word/styles.xml",
        "word/numbering.xml",
        "word/settings.xml",
    )
}
DATA |= {"tracker/data/word/NOTICE"}

# Never in the sdist: what a checkout holds that a build must not carry along.
JUNK = (".venv", "__pycache__", ".pyc", "tracker.db", ".tracker.", ".mypy_cache", ".ruff_cache", ".pytest_cache", "bench/")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The sdist, and the wheel built from it, as `python -m build` makes them, from a copy of this
    checkout (so that the build leaves nothing in it); what goes in is MANIFEST.in's to say."""
    work = tmp_path_factory.mktemp("build")
    source = work / "source"
    shutil.copytree(REPO, source, symlinks=True, ignore=shutil.ignore_patterns(".git", ".venv", "build", "dist", "*.egg-info"))
    (source / "tracker.db").write_bytes(b"")  # a checkout in use has one; the sdist must not
    out = work / "dist"
    result = subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(source)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    (sdist,) = out.glob("*.tar.gz")
    (wheel,) = out.glob("*.whl")
    return {"sdist": sdist, "wheel": wheel}


@pytest.mark.slow
def test_the_sdist_and_the_wheel_pass_twine_and_hold_what_they_need(built: dict[str, Path]) -> None:
    import tarfile
    import zipfile

    result = subprocess.run(
        [sys.executable, "-m", "twine", "check", "--strict", str(built["sdist"]), str(built["wheel"])],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0 and result.stdout.count("PASSED") == 2, result.stdout + result.stderr
    stem = f"{DISTRIBUTION.replace('-', '_')}-{PROJECT['version']}"
    assert built["wheel"].name == f"{stem}-py3-none-any.whl"
    with zipfile.ZipFile(built["wheel"]) as wheel:
        names = set(wheel.namelist())
        metadata = wheel.read(f"{stem}.dist-info/METADATA").decode()
    assert DATA | {"tracker/cli.py", f"{stem}.dist-info/licenses/LICENSE"} <= names
    assert not any(n.startswith("tests/") for n in names)
    for field in (f"Name: {DISTRIBUTION}", "License-Expression: MIT", "Description-Content-Type: text/markdown"):
        assert field in metadata.splitlines()
    with tarfile.open(built["sdist"]) as sdist:
        files = {name.split("/", 1)[1] for name in sdist.getnames() if "/" in name}
    # What the wheel and the whole test suite need, run from the unpacked sdist.
    need = {"pyproject.toml", "MANIFEST.in", "LICENSE", "README.md", *DATA}
    need |= {
        "recommendations.yaml",
        "assessments.yaml",
        "outcomes.yaml",
        "outcome_values.yaml",
        "status/.gitkeep",
        "docs/example-board-paper.md",
        ".ci/run",
    }
    need |= {f"tests/{p.relative_to(REPO / 'tests').as_posix()}" for p in (REPO / "tests").rglob("*") if p.is_file()}
    need = {n for n in need if "__pycache__" not in n}
    assert need <= files, sorted(need - files)
    assert not [n for n in files if any(j in n for j in JUNK)]


def venv_bin(venv: Path) -> Path:
    return venv / ("Scripts" if os.name == "nt" else "bin")


def fresh_venv(where: Path, dependencies: Path) -> Path:
    """A virtual environment with nothing in it but, through a .pth file, the dependencies the wheel
    declares (and pip): installing the wheel there needs no index, and nothing else is importable."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(where)], check=True, timeout=120)
    python = venv_bin(where) / ("python.exe" if os.name == "nt" else "python")
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], capture_output=True, text=True, check=True
    ).stdout.strip()
    Path(purelib, "dependencies.pth").write_text(f"{dependencies}\n", encoding="utf-8")
    return python


def declared_dependencies(wheel: Path, into: Path) -> Path:
    """The wheel's declared dependencies, and theirs, as installed here (and pip), gathered in one folder."""
    import zipfile
    from importlib.metadata import distribution

    from packaging.requirements import Requirement

    with zipfile.ZipFile(wheel) as z:
        metadata = next(z.read(n).decode() for n in z.namelist() if n.endswith(".dist-info/METADATA"))
    wanted = [line.split(":", 1)[1].strip() for line in metadata.splitlines() if line.startswith("Requires-Dist:")]
    seen: set[str] = set()
    into.mkdir()
    queue = ["pip", *(r for r in wanted if Requirement(r).marker is None or Requirement(r).marker.evaluate({"extra": ""}))]
    while queue:
        requirement = Requirement(queue.pop())
        if requirement.marker is not None and not requirement.marker.evaluate({"extra": ""}):
            continue
        dist = distribution(requirement.name)
        if dist.metadata["Name"].lower() in seen:
            continue
        seen.add(dist.metadata["Name"].lower())
        queue += dist.requires or []
        for top in {f.parts[0] for f in dist.files or [] if f.parts[0] not in ("..", "__pycache__")}:
            target, source = into / top, Path(str(dist.locate_file(top)))
            if not target.exists() and source.exists():
                try:
                    target.symlink_to(source, target_is_directory=source.is_dir())
                except OSError:  # no symbolic links here (Windows without the right): copy
                    (shutil.copytree if source.is_dir() else shutil.copy2)(source, target)
    assert {"typer", "pyyaml", "sqlite-utils", "openpyxl"} <= seen
    return into


@pytest.mark.slow
def test_the_wheel_installed_afresh_makes_a_board_workspace_whose_workflow_passes(built: dict[str, Path], tmp_path: Path) -> None:
    dependencies = declared_dependencies(built["wheel"], tmp_path / "dependencies")
    env = {k: v for k, v in os.environ.items() if k not in ("TRACKER_ROOT", "PYTHONPATH", "VIRTUAL_ENV")}
    env |= {"PIP_NO_INDEX": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1", "TRACKER_AUTHOR": "Tester"}

    # A board secretary's machine: the wheel installed, then tracker init --github and check from it.
    desk = fresh_venv(tmp_path / "desk", dependencies)
    result = subprocess.run(
        [str(desk), "-m", "pip", "install", "-q", str(built["wheel"])], env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    tracker = venv_bin(tmp_path / "desk") / ("tracker.exe" if os.name == "nt" else "tracker")
    result = subprocess.run([str(tracker), "--version"], env=env, capture_output=True, text=True, timeout=60)
    assert result.stdout == f"tracker {PROJECT['version']}\n"
    board = tmp_path / "board"
    result = subprocess.run(
        [str(tracker), "init", str(board), "--github", "--install", str(built["wheel"])], env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert (board / "recommendations.yaml").read_bytes() == (REPO / "recommendations.yaml").read_bytes()
    result = subprocess.run([str(tracker), "check"], cwd=board, env=env, capture_output=True, text=True, timeout=60)
    assert (result.returncode, result.stderr) == (0, ""), result.stdout
    # The board paper in Word, from the wheel alone: its template parts are in it, and python-docx is not needed.
    paper = tmp_path / "paper.docx"
    result = subprocess.run([str(tracker), "paper", "--out", str(paper)], cwd=board, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    import docx

    assert docx.Document(str(paper)).styles["Heading 1"].font.name == "Arial"

    # The board's CI: a runner with Python and nothing else runs the workflow's steps in the new workspace.
    if os.name == "nt" or shutil.which("bash") is None:
        pytest.skip("the workflow's steps are bash, run on Linux")
    import yaml

    runner = fresh_venv(tmp_path / "runner", dependencies)
    steps = yaml.safe_load((board / ".github/workflows/check.yml").read_text(encoding="utf-8"))["jobs"]["check"]["steps"]
    assert [s["uses"].split("@")[0] for s in steps if "uses" in s] == ["actions/checkout", "actions/setup-python"]
    ci = env | {"PATH": f"{runner.parent}{os.pathsep}{env['PATH']}", "GITHUB_ACTIONS": "true"}
    outputs = []
    for step in (s for s in steps if "run" in s):
        # As GitHub runs a `run:` step on Linux: bash --noprofile --norc -eo pipefail, in the checkout.
        result = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
            cwd=board,
            env=ci,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, f"{step.get('name')}: {result.stdout}{result.stderr}"
        outputs.append(result.stdout)
    assert (venv_bin(tmp_path / "runner") / "tracker").exists()
    assert outputs[-1].startswith("ok: 32 recommendations") and "::error" not in outputs[-1]
