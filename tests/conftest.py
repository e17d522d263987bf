"""What every test shares: the day it runs on, a copy of the repository's record to run commands
against, workspaces, the in-process `run`, and the session's rules.

`pytest` is the fast loop: it leaves out the tests marked `slow` (many processes at once, killed
processes, the wheel built and installed afresh, LibreOffice) and `lint` (ruff and mypy).
`pytest --all` runs every test, as CI does; `-m slow` or `-m lint` runs those alone, and a test named
by itself (FILE::TEST) runs whatever its mark. No test writes inside the checkout: a session that
leaves a file there fails (see pytest_sessionfinish).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import click
import pytest
import typer
from click.testing import CliRunner

from tracker import db, sync
from tracker.cli import app
from tracker.domain.problem import Problem
from tracker.domain.recommendations import Dataset
from tracker.yamlio.recommendations import parse_recommendations

REPO = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"
# What the repository holds as a workspace: the record its commands read.
RECORD = ("recommendations.yaml", "assessments.yaml", "outcomes.yaml", "outcome_values.yaml", "status")

# The day every test runs on: tracker's today (TRACKER_TODAY) in this process and in every process a
# test starts, so the suite gives the same result whatever day it runs. It is after every entry in
# the repository's own record; move it on when the record passes it (`tracker check` would call a
# later entry "in the future").
TODAY = date(2026, 12, 1)

# Left out of the fast loop; `pytest --all` runs them too.
EXTRA = ("slow", "lint")

# What the session keeps: its scratch folder and the environment it changed; the checkout's state
# when it started; what it found written there at the end.
_SCRATCH = pytest.StashKey["tuple[Path, dict[str, str | None]]"]()
_CHECKOUT = pytest.StashKey["dict[str, str] | None"]()
_WRITTEN = pytest.StashKey["list[str]"]()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="rewrite tests/golden/ from the current output")
    parser.addoption("--all", action="store_true", help="run every test, the slow ones and the linters too, as CI does")


def pytest_configure(config: pytest.Config) -> None:
    # Nothing of the session's own is kept in the checkout. The processes tests start write their
    # bytecode to a scratch folder of the session, so tracker is compiled once a session rather than
    # once a process (the pytest process itself keeps to what its environment says); Hypothesis keeps
    # its examples and its tables of characters in the user's cache, from one session to the next.
    scratch = Path(tempfile.mkdtemp(prefix="tracker-tests-"))
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "drugs-review-tracker-tests"
    session = {
        "HYPOTHESIS_STORAGE_DIRECTORY": os.environ.get("HYPOTHESIS_STORAGE_DIRECTORY") or str(cache / "hypothesis"),
        "PYTHONPYCACHEPREFIX": str(scratch / "bytecode"),
    }
    config.stash[_SCRATCH] = scratch, {name: os.environ.get(name) for name in (*session, "PYTHONDONTWRITEBYTECODE")}
    os.environ.update(session)
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)


def pytest_unconfigure(config: pytest.Config) -> None:
    if _SCRATCH in config.stash:
        scratch, environment = config.stash[_SCRATCH]
        for name, value in environment.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        shutil.rmtree(scratch, ignore_errors=True)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Without --all or -m, the fast loop: the slow tests and the linters are deselected, but for
    a test named on the command line by itself (tests/test_lint.py::test_mypy_strict_passes)."""
    if config.getoption("--all") or config.getoption("-m"):
        return
    named = set()
    for arg in config.args:
        if "::" in arg:
            path, _, rest = arg.partition("::")
            where = (config.invocation_params.dir / path).resolve()
            if where.is_relative_to(config.rootpath):
                named.add(f"{where.relative_to(config.rootpath).as_posix()}::{rest}")
    kept, left = [], []
    for item in items:
        extra = any(item.get_closest_marker(name) for name in EXTRA)
        asked = any(item.nodeid == n or item.nodeid.startswith((n + "[", n + "::")) for n in named)
        (left if extra and not asked else kept).append(item)
    if left:
        config.hook.pytest_deselected(items=left)
        items[:] = kept


def checkout_state() -> dict[str, str] | None:
    """What `git status` says of every path in the checkout that is not tracked and unchanged (ignored
    ones too), each with a digest of its bytes; None where this is not a git checkout. Bytecode and
    pytest's own cache are pytest's and Python's, not a test's, and are left out."""
    if not (REPO / ".git").exists():  # an unpacked sdist, say, perhaps inside another repository
        return None
    try:
        status = subprocess.run(
            ["git", "status", "--porcelain", "--ignored", "-z"], cwd=REPO, capture_output=True, timeout=60, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if status.returncode != 0:
        return None
    state = {}
    for entry in status.stdout.decode("utf-8", "surrogateescape").split("\0"):
        path = entry[3:]
        if not entry or "__pycache__" in path or path.startswith(".pytest_cache"):
            continue
        try:
            state[entry] = hashlib.sha256((REPO / path).read_bytes()).hexdigest()
        except OSError:  # a folder, or gone since git looked
            state[entry] = ""
    return state


def pytest_sessionstart(session: pytest.Session) -> None:
    session.config.stash[_CHECKOUT] = checkout_state()


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """The checkout is as the session found it: every test writes in a folder of its own."""
    before = session.config.stash.get(_CHECKOUT, None)
    if before is None or session.config.getoption("--update-golden"):  # rewriting tests/golden/ is the point
        return
    after = checkout_state() or {}
    changed = sorted({entry[3:] for entry, _ in set(before.items()) ^ set(after.items())})
    if changed:
        session.config.stash[_WRITTEN] = changed
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    written = terminalreporter.config.stash.get(_WRITTEN, None)
    if written:
        terminalreporter.section("written inside the checkout", red=True)
        terminalreporter.write_line(f"the session changed or left {', '.join(written)}; a test must write in a folder of its own")


@pytest.fixture
def golden(request: pytest.FixtureRequest) -> Callable[[str, str], None]:
    """Compare output with tests/golden/NAME, or rewrite it with --update-golden."""

    def compare(name: str, actual: str) -> None:
        path = Path(__file__).resolve().parent / "golden" / name
        if request.config.getoption("--update-golden"):
            path.parent.mkdir(exist_ok=True)
            path.write_text(actual, encoding="utf-8")
        assert path.exists(), f"no golden file {path.name}: run pytest --update-golden and review it"
        assert actual == path.read_text(encoding="utf-8"), f"{name} differs from tests/golden/{name}"

    return compare


@pytest.fixture(autouse=True)
def _interrupts_released() -> Iterator[None]:
    """Recording holds off Ctrl-C until its command ends; a test that records without a command
    (recording.add_returns itself) must not leave the suite, and every process it starts after,
    deaf to Ctrl-C."""
    from tracker.errors import release_interrupts

    yield
    release_interrupts()


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test finds a workspace or its author by the machine it runs on, and every test runs on TODAY."""
    monkeypatch.delenv("TRACKER_ROOT", raising=False)
    monkeypatch.setenv("TRACKER_AUTHOR", "Tester")
    monkeypatch.setenv("TRACKER_TODAY", TODAY.isoformat())


def copy_record(into: Path) -> Path:
    """A workspace in `into` holding a copy of this repository's record."""
    into.mkdir(parents=True)
    for name in RECORD:
        (shutil.copytree if (REPO / name).is_dir() else shutil.copy2)(REPO / name, into / name)
    return into


def record_digest(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for name in RECORD
        for p in [root / name, *((root / name).rglob("*") if (root / name).is_dir() else [])]
        if p.is_file()
    }


@pytest.fixture(scope="session")
def _repository(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_record(tmp_path_factory.mktemp("repository") / "ws")


@pytest.fixture
def repository(_repository: Path) -> Iterator[Path]:
    """This repository's record (recommendations, the board's assessments, status/), copied once a
    session, for commands that read it: their tracker.db is built there, never in the checkout. A
    test that writes to the record takes a copy of its own (copy_record(tmp_path / ...))."""
    before = record_digest(_repository)
    yield _repository
    assert record_digest(_repository) == before, "a test wrote to the shared copy of the repository's record"


def new_workspace(root: Path, recommendations: Path) -> Path:
    """A workspace in `root` with `recommendations` as its recommendations.yaml and no returns."""
    (root / "status").mkdir(parents=True)
    shutil.copy(recommendations, root / "recommendations.yaml")
    return root


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A workspace holding the repository's own recommendations.yaml."""
    return new_workspace(tmp_path / "ws", REPO / "recommendations.yaml")


@pytest.fixture
def minimal(tmp_path: Path) -> Path:
    """A workspace holding tests/data/minimal.yaml."""
    return new_workspace(tmp_path / "min", DATA / "minimal.yaml")


def load_dataset(path: Path) -> tuple[Dataset, list[Problem]]:
    """A recommendations file's data and the rules it breaks."""
    return parse_recommendations(path.read_bytes(), "recommendations.yaml")


OpenDb = Callable[[Path], db.Connection]


def _closed_after(opener: Callable[[Path], db.Connection]) -> Iterator[OpenDb]:
    opened: list[db.Connection] = []

    def open_(root: Path) -> db.Connection:
        opened.append(opener(root))
        return opened[-1]

    yield open_
    for conn in opened:
        conn.close()


@pytest.fixture
def open_db() -> Iterator[OpenDb]:
    """open_db(root): the workspace's database brought in line, as every command opens it; closed after the test."""
    yield from _closed_after(sync.open_synced)


@pytest.fixture
def rebuild_db() -> Iterator[OpenDb]:
    """rebuild_db(root): the workspace's database built afresh, as `tracker load --rebuild` does; closed after the test."""
    yield from _closed_after(sync.rebuild)


def update_args(summary: str, rag: str = "amber", day: str = "2024-01-01") -> list[str]:
    """The command line of a return from DHSC on recommendation 9."""
    return ["update", "9", "--dept", "DHSC", "--rag", rag, "--summary", summary, "--date", day]


Run = Callable[..., "Result"]


class Result:
    def __init__(self, exit_code: int, stdout: str, stderr: str, exception: BaseException | None) -> None:
        self.exit_code, self.stdout, self.stderr, self.exception = exit_code, stdout, stderr, exception


@pytest.fixture(scope="session")
def click_app() -> click.Command:
    """The tracker app as click runs it, built once a session: typer.testing builds it again on every
    run, which costs more than most commands do."""
    return typer.main.get_command(app)


@pytest.fixture
def run(click_app: click.Command) -> Run:
    """Run tracker in-process: run("list", root=path) -> Result with stdout and stderr apart."""
    return runner_for(click_app)


@contextmanager
def made_once(click_app: click.Command) -> Iterator[Run]:
    """`run` for a fixture wider than a test (one that makes a workspace once, for tests to copy):
    on TODAY, by the tests' author, as every test's commands run."""
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("TRACKER_ROOT", raising=False)
        patch.setenv("TRACKER_AUTHOR", "Tester")
        patch.setenv("TRACKER_TODAY", TODAY.isoformat())
        yield runner_for(click_app)


def runner_for(click_app: click.Command) -> Run:
    runner = CliRunner()

    def invoke(*args: str, root: Path | None = None) -> Result:
        full = (["--root", str(root)] if root is not None else []) + list(args)
        result = runner.invoke(click_app, full, catch_exceptions=True)
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        return Result(result.exit_code, result.stdout, result.stderr, result.exception)

    return invoke
