from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tracker import db, sync
from tracker.cli import app
from tracker.domain.problem import Problem
from tracker.domain.recommendations import Dataset
from tracker.yamlio.recommendations import parse_recommendations

REPO = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="rewrite tests/golden/ from the current output")


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
def _isolated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TRACKER_ROOT", raising=False)


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


@pytest.fixture
def run() -> Run:
    """Run tracker in-process: run("list", root=path) -> Result with stdout and stderr apart."""
    runner = CliRunner()

    def invoke(*args: str, root: Path | None = None) -> Result:
        full = (["--root", str(root)] if root is not None else []) + list(args)
        result = runner.invoke(app, full, catch_exceptions=True)
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        return Result(result.exit_code, result.stdout, result.stderr, result.exception)

    return invoke
