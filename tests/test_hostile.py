"""Hostile and unlucky input, black-box through the command line: a case for each promise of a tracker
of record. Each runs the installed command as a process of its own where the process is part of the
promise, and in-process (`cli`) where the command's handling of its input is."""

from __future__ import annotations

import csv
import io
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from subprocess import PIPE
from typing import NamedTuple

import pytest

from .conftest import REPO, Run


def tracker(root: Path, *args: str, env: dict[str, str] | None = None, **kw: object) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("tracker", path=str(Path(sys.executable).parent))
    command = [exe] if exe else [sys.executable, "-m", "tracker"]
    environment = {k: v for k, v in os.environ.items() if k != "TRACKER_ROOT"} | {"TRACKER_AUTHOR": "Tester"} | (env or {})
    return subprocess.run(  # type: ignore[call-overload, no-any-return]
        [*command, "--root", str(root), *args], env=environment, text=True, timeout=60, **({"capture_output": True} | kw)
    )


@pytest.fixture
def board(tmp_path: Path) -> Path:
    """A copy of this repository's workspace (its recommendations and the board's assessments), with
    a board's history of departments' returns in status/."""
    from .test_reports import HISTORY, file_returns

    root = tmp_path / "board"
    root.mkdir()
    shutil.copy(REPO / "recommendations.yaml", root)
    shutil.copy(REPO / "assessments.yaml", root)
    (root / "status").mkdir()
    file_returns(root, HISTORY)
    return root


class Ran(NamedTuple):
    returncode: int
    stdout: str
    stderr: str


Cli = Callable[..., Ran]


@pytest.fixture
def cli(run: Run, monkeypatch: pytest.MonkeyPatch) -> Cli:
    """cli(root, *args, env=...): tracker run in-process as `tracker` above runs it in a process of its
    own, where what is tested is the command's own handling of its input. An exception that escapes
    the error boundary fails the test (it would be a traceback). A process of its own is kept for what
    only a process has: its encoding and standard output, a terminal, signals, arguments as bytes, a
    module-wide limit, and input that could make it wait."""

    def invoke(root: Path, *args: str, env: dict[str, str] | None = None) -> Ran:
        with monkeypatch.context() as patch:
            for name, value in (env or {}).items():
                patch.setenv(name, value)
            result = run(*args, root=root)
        return Ran(result.exit_code, result.stdout, result.stderr)

    return invoke


# -- 9. The cache cannot lie -------------------------------------------------------------------


def only_read(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """From now on, the workspace `root` may only be read: opening a file in it to write fails as on
    a read-only file system."""
    import errno

    real = os.open

    def read_only(name: object, flags: int, *args: object, **kw: object) -> int:
        if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT) and str(name).startswith(str(root)):
            raise OSError(errno.EROFS, "Read-only file system", str(name))
        return real(name, flags, *args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", read_only)


def test_a_file_replaced_with_the_same_size_and_time_is_read_again(board: Path, cli: Cli) -> None:
    before = cli(board, "export").stdout.count(",red,")
    path = board / "status" / "DWP.yaml"
    text = path.read_text(encoding="utf-8")
    assert "rag: green" in text
    stat = path.stat()
    edited = board / "edited.yaml"
    edited.write_text(text.replace("rag: green", "rag: red  ", 1), encoding="utf-8")  # same size
    os.utime(edited, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    shutil.copy2(edited, path)  # as `cp -p` does: same size, same modification time
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (stat.st_size, stat.st_mtime_ns)
    assert cli(board, "export").stdout.count(",red,") == before + 1


# -- 6. Nothing vanishes silently ------------------------------------------------------------------


def test_a_status_folder_that_cannot_be_read_is_an_error_not_an_empty_record(
    board: Path, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = os.scandir

    def refuse(path: object) -> object:
        if Path(str(path)).name == "status":
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "scandir", refuse)
    for command in (["check"], ["report"], ["export"]):
        result = run(*command, root=board)
        assert (result.exit_code, result.stdout) == (3, ""), command
        assert result.stderr == "tracker: error: status: cannot read the folder: permission denied\n"


def test_a_status_file_where_the_folder_should_be_is_an_error(board: Path, cli: Cli) -> None:
    shutil.rmtree(board / "status")
    (board / "status").write_text("not a folder\n")
    for command in (["check"], ["update", "20", "--dept", "DWP", "--rag", "g", "--summary", "s"]):
        result = cli(board, *command)
        assert result.returncode == 3 and result.stderr.startswith("tracker: error: status: is not a folder"), result.stderr
    assert (board / "status").read_text() == "not a folder\n"


# -- 8. Every failure is one line with a documented exit code -------------------------------------


@pytest.mark.parametrize(
    "setup, command, expected",
    [
        (lambda b: None, ["paper", "--out", "{b}/no/such/folder/paper.md"], "--out: the folder"),
        (lambda b: (b / "afolder").mkdir(), ["paper", "--out", "{b}/afolder"], "afolder is a folder; give the name of a file"),
        (lambda b: (b / "afile").write_text("x"), ["init", "{b}/afile/sub"], "not a directory"),
        (lambda b: (b / "tracker.db").mkdir(), ["report"], "tracker.db"),
        (lambda b: (b / "tracker.db").mkdir(), ["load", "--rebuild"], "tracker.db"),
        (lambda b: (b / ".tracker.lock").mkdir(), ["update", "20", "--dept", "DWP", "--rag", "g", "--summary", "s"], "lock"),
        (lambda b: None, ["paper", "--as-of", "0001-01-01"], "before the review was published"),
        (lambda b: None, ["show", "99999999999999999999"], "does not exist"),
    ],
)
def test_the_machine_refusing_is_one_line_never_a_traceback(
    board: Path, cli: Cli, setup: Callable[[Path], object], command: list[str], expected: str
) -> None:
    setup(board)
    before = snapshot(board)
    result = cli(board, *(part.format(b=board) for part in command))
    assert result.returncode == 3, result.stderr
    assert "Traceback" not in result.stderr and result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith("tracker: error: ") and expected in result.stderr.lower(), result.stderr
    assert snapshot(board) == before


def test_a_malformed_day_in_the_environment_is_one_line(board: Path) -> None:
    result = tracker(board, "report", env={"TRACKER_TODAY": "2026-13-01"})
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == "tracker: error: TRACKER_TODAY: 2026-13-01 is not a real date\n"


def test_output_that_cannot_take_the_text_is_one_line(board: Path) -> None:
    result = tracker(board, "show", "1", env={"PYTHONIOENCODING": "ascii"})
    assert result.returncode in (0, 3) and "Traceback" not in result.stderr, result.stderr
    result = tracker(board, "list", "--format", "json", env={"PYTHONIOENCODING": "ascii"})
    assert "Traceback" not in result.stderr


def test_a_full_disk_on_stdout_is_one_line(board: Path) -> None:
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full here")
    with open("/dev/full", "w") as full:
        result = tracker(board, "export", capture_output=False, stdout=full, stderr=subprocess.PIPE)
    assert result.returncode == 3 and "no space left on device" in result.stderr and "Traceback" not in result.stderr


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file of the workspace but the derived database and the lock."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.name.startswith(("tracker.db", ".tracker"))
    }


# -- 2. The exit code tells the truth about the YAML -------------------------------------------------


def test_a_return_in_its_file_is_recorded_even_when_the_database_cannot_take_it(
    board: Path, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tracker import db

    assert run("load", root=board).exit_code == 0

    def readonly(*args: object) -> None:
        raise sqlite3.OperationalError("attempt to write a readonly database")

    monkeypatch.setattr(db, "insert_returns", readonly)
    result = run("update", "20", "--dept", "DWP", "--rag", "g", "--summary", "Recorded all the same.", root=board)
    assert result.exit_code == 0, result.stderr
    assert "warning: recorded in the status file, but tracker.db could not be updated" in result.stderr
    assert "Recorded all the same." in (board / "status" / "DWP.yaml").read_text(encoding="utf-8")
    monkeypatch.undo()
    assert "Recorded all the same." in run("export", root=board).stdout  # the next command caught up


def test_a_return_that_did_not_reach_its_file_says_nothing_was_recorded(
    board: Path, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tracker import workspace

    def full(*args: object) -> None:
        raise OSError(28, "No space left on device", str(board / "status" / ".DWP.yaml.tmp"))

    write_to = workspace.write_to

    def fills_up(fd: int, data: bytes) -> None:  # the disk fills half-way through the return
        write_to(fd, data[: len(data) // 2])
        raise OSError(28, "No space left on device")

    assert run("update", "20", "--dept", "DWP", "--rag", "a", "--summary", "Before.", root=board).exit_code == 0
    assert (board / "status" / "DWP.yaml").exists() and not (board / "status" / "HO.yaml").exists()
    before = snapshot(board)
    # The disk fills half-way through a return appended to a file (the journal went in whole), then
    # before a new file could be written: nothing is left of either.
    for number, dept, failing in (("20", "DWP", "write_to"), ("1", "HO", "prepare_write")):
        with monkeypatch.context() as patched:
            patched.setattr(workspace, failing, fills_up if failing == "write_to" else full)
            result = run("update", number, "--dept", dept, "--rag", "g", "--summary", "Lost?", root=board)
        assert result.exit_code == 3
        assert result.stderr.endswith("no space left on device; nothing was recorded\n"), result.stderr
        assert snapshot(board) == before and not (board / ".tracker.journal").exists()
    assert run("check", root=board).exit_code == 0


# -- 3. The derived database is built and replaced only under the workspace lock -------------------


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="many processes at once")
def test_commands_started_together_on_a_fresh_clone_all_succeed(board: Path) -> None:
    exe = shutil.which("tracker", path=str(Path(sys.executable).parent))
    command = [exe] if exe else [sys.executable, "-m", "tracker"]
    env = {k: v for k, v in os.environ.items() if k != "TRACKER_ROOT"} | {"TRACKER_AUTHOR": "Tester"}
    update = ["update", "20", "--dept", "DWP", "--rag", "g", "--date", "2025-01-01", "--summary"]
    others = [
        ["load", "--rebuild"],
        ["report"],
        ["load", "--rebuild"],
        ["show", "20"],
        ["export"],
        ["report", "--format", "json"],
    ]
    for round_, prefix in enumerate(("Return", "Again")):  # first with no tracker.db at all, then with one being rebuilt
        jobs = [[*update, f"{prefix} {i}"] for i in range(12)] + others
        procs = [
            subprocess.Popen([*command, "--root", str(board), *job], env=env, stdout=PIPE, stderr=PIPE, text=True) for job in jobs
        ]
        outcomes = [
            (job[0], p.returncode, err) for job, p in zip(jobs, procs, strict=True) for _, err in [p.communicate(timeout=120)]
        ]
        assert [o for o in outcomes if o[1] != 0] == [], round_
        text = (board / "status" / "DWP.yaml").read_text(encoding="utf-8")
        assert all(text.count(f"summary: {prefix} {i}\n") == 1 for i in range(12))
    assert tracker(board, "check").returncode == 0


# -- 1. The writer never writes what the reader rejects ---------------------------------------------


@pytest.mark.parametrize(
    "args, env, field",
    [
        (["--summary", "caf\udce9"], {}, "--summary"),
        (["--summary", "s", "--evidence", "https://example.org/\udcff"], {}, "--evidence"),
        (["--summary", "s", "--author", "Jos\udce9"], {}, "--author"),
        (["--summary", "s"], {"TRACKER_AUTHOR": "Jos\udce9"}, "--author"),
        (["--summary", "s", "--target-date", "2027-01-01", "--reason", "late\udce9"], {}, "--reason"),
    ],
)
def test_bytes_that_are_not_utf8_are_refused_before_anything_is_written(
    board: Path, cli: Cli, args: list[str], env: dict[str, str], field: str
) -> None:
    if sys.platform == "win32":
        pytest.skip("arguments are text on Windows")
    before = snapshot(board)
    os_env = {k: os.fsencode(v) for k, v in env.items()}
    result = subprocess.run(
        [*tracker_command(), "--root", str(board), "update", "20", "--dept", "DWP", "--rag", "g", *map(os.fsencode, args)],
        env={**os.environb, b"TRACKER_AUTHOR": b"Tester", **{os.fsencode(k): v for k, v in os_env.items()}},
        capture_output=True,
    )
    assert result.returncode == 3, result.stderr
    assert result.stderr.decode().startswith(f"tracker: error: {field}: holds bytes that are not UTF-8 text (")
    assert snapshot(board) == before
    assert cli(board, "check").returncode == 0


def tracker_command() -> list[str]:
    exe = shutil.which("tracker", path=str(Path(sys.executable).parent))
    return [exe] if exe else [sys.executable, "-m", "tracker"]


# -- 5. Status files are data, not devices -------------------------------------------------------------


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
@pytest.mark.parametrize("command", [["check"], ["report"], ["update", "20", "--dept", "DWP", "--rag", "g", "--summary", "s"]])
def test_a_pipe_or_a_device_in_place_of_a_status_file_is_refused_not_waited_on(board: Path, command: list[str]) -> None:
    os.mkfifo(board / "status" / "ZZ.yaml")
    result = tracker(board, *command)
    assert result.returncode == 3 and "status/ZZ.yaml: is not a regular file" in result.stdout + result.stderr
    (board / "status" / "ZZ.yaml").unlink()
    (board / "status" / "ZZ.yaml").symlink_to("/dev/zero")
    result = tracker(board, *command)
    assert result.returncode == 3 and "status/ZZ.yaml: is outside the workspace (through a link)" in result.stdout + result.stderr


def test_a_link_to_a_secret_outside_the_workspace_is_not_read(board: Path, cli: Cli, tmp_path: Path) -> None:
    secret = tmp_path / "id_rsa"
    secret.write_text("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n")
    (board / "status" / "ZZ.yaml").symlink_to(secret)
    for format in ("text", "github", "json"):
        result = cli(board, "check", "--format", format)
        assert result.returncode == 3 and "b3Blbn" not in result.stdout + result.stderr and "BEGIN" not in result.stdout


def test_an_error_quotes_only_a_short_excerpt_of_a_value(board: Path, cli: Cli) -> None:
    (board / "status" / "ZZ.yaml").write_text("-----BEGIN OPENSSH PRIVATE KEY----- b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n")
    result = cli(board, "check")
    assert result.returncode == 3 and "b3BlbnNzaC1rZXktdjEAAAAABG5vbm" not in result.stdout + result.stderr


def test_a_status_file_over_the_size_limit_is_refused(board: Path, run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    from tracker import workspace

    monkeypatch.setattr(workspace, "MAX_FILE_BYTES", 1000)
    result = run("check", root=board)
    assert result.exit_code == 3 and "is larger than" in result.stdout + result.stderr


# -- 7. No raw control characters reach a terminal or a spreadsheet ------------------------------------


HOSTILE = '=HYPERLINK("http://evil.example") \x1b]52;c;cHduZWQ=\x07 \x1b[2J\u202etxt.exe'


def test_hostile_text_reaches_no_terminal_raw(board: Path, cli: Cli) -> None:
    args = ["update", "20", "--dept", "DWP", "--rag", "g", "--summary", HOSTILE, "--author", "A\x1b[31mB"]
    assert cli(board, *args).returncode == 0
    for command in (["show", "20"], ["paper", "--as-of", "2026-11-01"], ["report"], ["list"]):
        shown = cli(board, *command).stdout
        assert not any(c in shown for c in "\x1b\x07\u202e"), command
    result = cli(board, "init", str(board.parent / "new\x1b[31mboard"))
    assert result.returncode == 0 and "\x1b" not in result.stdout + result.stderr


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX terminals")
def test_export_at_a_terminal_prints_no_escape_sequences(board: Path, cli: Cli) -> None:
    import pty

    assert cli(board, "update", "20", "--dept", "DWP", "--rag", "g", "--summary", HOSTILE).returncode == 0
    main, secondary = pty.openpty()
    proc = subprocess.Popen([*tracker_command(), "--root", str(board), "export"], stdout=secondary, stderr=secondary)
    os.close(secondary)
    seen = b""
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    os.close(main)
    assert proc.wait(timeout=30) == 0
    assert b"\x1b" not in seen and b"\x07" not in seen and b"txt.exe" in seen


def test_csv_cells_are_shown_as_text_by_a_spreadsheet_and_read_back_unchanged(board: Path, cli: Cli, tmp_path: Path) -> None:
    summaries = ["=1+1", "+44 20 7946 0000", "-3 weeks late", "@sum(A1)", "'quoted'", "'=already guarded", "plain"]
    for i, summary in enumerate(summaries):
        args = ["update", "20", "--dept", "DWP", "--rag", "g", "--summary", summary, "--date", f"2025-02-0{i + 1}"]
        assert cli(board, *args).returncode == 0
    exported = cli(board, "export").stdout
    cells = [row.split(",")[4] for row in exported.splitlines() if ",2025-02-0" in row]
    assert cells == ["'=1+1", "'+44 20 7946 0000", "'-3 weeks late", "'@sum(A1)", "'quoted'", "''=already guarded", "plain"]
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    shutil.copy(REPO / "recommendations.yaml", fresh)
    sheet = tmp_path / "export.csv"
    sheet.write_text(exported, encoding="utf-8")
    assert cli(fresh, "import", str(sheet)).returncode == 0
    assert cli(fresh, "export").stdout == exported
    report = csv.reader(io.StringIO(cli(board, "report", "--format", "csv").stdout))
    assert not [cell for row in report for cell in row if cell[:1] in ("=", "+", "-", "@")]


def test_a_cell_longer_than_the_csv_modules_limit_imports(board: Path, tmp_path: Path) -> None:
    long = " ".join(["word"] * 40_000)  # 200,000 characters: more than the csv module's 131,072
    sheet = tmp_path / "returns.csv"
    sheet.write_text(f"recommendation,dept,date,rag,summary\n20,DWP,2025-01-01,green,{long}\n", encoding="utf-8")
    result = tracker(board, "import", str(sheet))
    assert result.returncode == 0, result.stderr
    sheet.write_text(tracker(board, "export").stdout, encoding="utf-8")
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    shutil.copy(REPO / "recommendations.yaml", fresh)
    result = tracker(fresh, "import", str(sheet))
    assert result.returncode == 0, result.stderr
    assert long in tracker(fresh, "export").stdout


@pytest.mark.parametrize(
    "edit, message",
    [
        (("reporting_window_days: 90", "reporting_window_days: 1000000"), "reporting_window_days: must be from 1 to 3650 days"),
        (("  - code: DRC\n", "  - code: ../../etc/DRC\n"), "is not a code: letters, digits, - and _"),
    ],
)
def test_numbers_and_codes_that_would_break_a_command_are_problems_in_the_data(
    board: Path, cli: Cli, edit: tuple[str, str], message: str
) -> None:
    path = board / "recommendations.yaml"
    text = path.read_text(encoding="utf-8")
    assert edit[0] in text
    path.write_text(text.replace(edit[0], edit[1], 1), encoding="utf-8")
    result = cli(board, "check")
    assert result.returncode == 1 and message in result.stdout, result.stdout
    for command in (["report"], ["paper"]):
        result = cli(board, *command)
        assert result.returncode == 3 and result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


def test_a_number_of_thousands_of_digits_is_a_problem_not_a_crash(board: Path, cli: Cli) -> None:
    block = f"- recommendation: {'9' * 5000}\n  dept: HO\n  date: 2024-01-01\n  rag: red\n  summary: s\n  author: a\n"
    (board / "status" / "HO.yaml").write_text(block, encoding="utf-8")
    for format in ("text", "github", "json"):
        result = cli(board, "check", "--format", format)
        assert result.returncode == 1 and "too large a number" in result.stdout and "Traceback" not in result.stderr
    assert cli(board, "report").returncode == 3


# -- 4. All or nothing means under interruption too ------------------------------------------------


def timed_help() -> float:
    import time

    started = time.perf_counter()
    subprocess.run([*tracker_command(), "--version"], capture_output=True, check=True)
    return time.perf_counter() - started


def several_departments(tmp_path: Path, marker: str) -> Path:
    sheet = tmp_path / f"{marker}.csv"
    rows = [
        f"{n},{dept},2025-03-0{i % 9 + 1},amber,{marker} {i}"
        for i, (n, dept) in enumerate([(20, "DWP"), (9, "DHSC"), (15, "HO"), (19, "MoJ"), (23, "MHCLG"), (29, "DfE")] * 3)
    ]
    sheet.write_text("recommendation,dept,date,rag,summary\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return sheet


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize("sig", ["SIGKILL", "SIGINT"])
def test_an_import_interrupted_at_any_moment_is_all_or_nothing(board: Path, tmp_path: Path, sig: str) -> None:
    import random
    import signal
    import time

    started = time.perf_counter()
    control = tracker(board, "import", str(several_departments(tmp_path, "control")))
    assert control.returncode == 0 and "imported 18 returns" in control.stdout, control.stderr
    started = time.perf_counter() - started
    # Signals land anywhere from just after Python has started until the end; one in Python's own
    # start-up, before tracker is loaded, is Python's to report, not tracker's.
    begin = 2.5 * min(timed_help() for _ in range(3))
    rng = random.Random(sig)
    env = {k: v for k, v in os.environ.items() if k != "TRACKER_ROOT"} | {"TRACKER_AUTHOR": "Tester"}
    for attempt in range(20):
        marker = f"{sig}-{attempt}"
        proc = subprocess.Popen(
            [*tracker_command(), "--root", str(board), "import", str(several_departments(tmp_path, marker))],
            env=env,
            stdout=PIPE,
            stderr=PIPE,
            text=True,
        )
        time.sleep(rng.uniform(begin, max(begin, started) * 1.2))
        proc.send_signal(getattr(signal, sig))
        _, err = proc.communicate(timeout=60)
        assert "Traceback" not in err, err
        exported = tracker(board, "export")
        assert exported.returncode == 0, exported.stderr
        found = sum(f",{marker} " in line for line in exported.stdout.splitlines())
        assert found in (0, 18), (marker, found, proc.returncode, err)
        assert (found == 18) == (proc.returncode == 0) or sig == "SIGKILL", (marker, found, proc.returncode, err)
    assert tracker(board, "check").returncode == 0
    assert tracker(board, "load", "--rebuild").returncode == 0  # takes the lock: clears what a kill left
    assert not list(board.rglob("*.tmp")) and not (board / ".tracker.journal").exists()


# -- more ways the machine or a hostile workspace can refuse ------------------------------------------


@pytest.mark.parametrize(
    "target", ["status/DWP.yaml", "recommendations.yaml", "assessments.yaml", ".tracker.journal", "tracker.db"]
)
def test_the_paper_is_never_written_over_the_record(board: Path, cli: Cli, target: str) -> None:
    before = snapshot(board)
    for args in (["--format", "md"], ["--format", "docx"], []):  # without --format, refused for its name too
        result = cli(board, "paper", *args, "--out", str(board / target))
        assert result.returncode == 2, result.stderr
        assert "is part of the workspace's record" in result.stderr or "is not a format tracker writes" in result.stderr
        assert snapshot(board) == before


@pytest.mark.skipif(not Path("/dev/null").exists(), reason="no /dev/null here")
def test_the_paper_goes_into_a_device_without_replacing_it(board: Path, cli: Cli) -> None:
    result = cli(board, "paper", "--out", "/dev/null")
    assert result.returncode == 0 and Path("/dev/null").is_char_device()


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full here")
def test_a_return_recorded_is_a_success_even_when_its_confirmation_cannot_be_printed(board: Path) -> None:
    with open("/dev/full", "w") as full:
        result = tracker(
            board,
            "update",
            "20",
            "--dept",
            "DWP",
            "--rag",
            "g",
            "--summary",
            "Printed nowhere.",
            capture_output=False,
            stdout=full,
            stderr=PIPE,
        )
    assert result.returncode == 0 and "warning: recorded" in result.stderr
    assert "Printed nowhere." in (board / "status" / "DWP.yaml").read_text(encoding="utf-8")
    result = tracker(board, "update", "20", "--dept", "DWP", "--rag", "g", "--summary", "café", env={"PYTHONIOENCODING": "ascii"})
    assert result.returncode == 0 and "café" in (board / "status" / "DWP.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "journal",
    [
        b"garbage",
        b"",
        b"[]",
        b'{"moves": 5}',
        b'{"moves": [["../victim", "status/DWP.yaml"]]}',
        b'{"moves": [["status/.DWP.yaml.x.tmp", "../out"]]}',
        b'{"moves": [], "appends": [["../victim", 0, "x"]]}',
        b'{"moves": [], "appends": [["recommendations.yaml", 0, "x"]]}',
        b'{"moves": [], "appends": [["status/DWP.yaml", -1, "x"]]}',
        b'{"moves": [], "appends": [["status/DWP.yaml", true, "x"]]}',
        b'{"moves": [], "appends": [["status/DWP.yaml", 0, 5]]}',
        b'{"moves": [], "appends": [["status/DWP.yaml", 0, "\\ud800"]]}',
        b'{"moves": [], "appends": [["status/DWP.yaml", 0, "x"], ["status/DWP.yaml", 0, "x"]]}',
        b'{"moves": [], "appends": [["status/..\\\\DWP.yaml", 0, "x"]]}',
    ],
)
def test_a_journal_tracker_did_not_write_is_refused_not_followed(board: Path, cli: Cli, journal: bytes, tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.write_text("not yours\n")
    (board / ".tracker.journal").write_bytes(journal)
    before = snapshot(board)
    result = cli(board, "update", "20", "--dept", "DWP", "--rag", "g", "--summary", "s")
    assert result.returncode == 3 and ".tracker.journal: is not a journal tracker wrote" in result.stderr, result.stderr
    assert snapshot(board) == before and victim.read_text() == "not yours\n"


@pytest.mark.parametrize("how", ["other bytes", "shorter", "a link"])
def test_a_journal_that_does_not_match_the_file_it_appends_to_is_not_followed(
    board: Path, cli: Cli, tmp_path: Path, how: str
) -> None:
    from tracker import workspace

    path = board / "status" / "DWP.yaml"
    raw = path.read_bytes()
    ino = path.stat().st_ino
    added = b"\n- recommendation: 20\n  dept: DWP\n  date: 2025-06-02\n  rag: green\n  summary: s\n  author: T\n"
    if how == "other bytes":  # the file holds, after the length named, bytes that are not the start of those to add
        length = len(raw) - 10
    elif how == "shorter":  # the file is shorter than the length named: it was changed since
        length = len(raw) + 10
    else:  # the file is now a link: never written through
        (tmp_path / "elsewhere.yaml").write_bytes(raw)
        path.unlink()
        path.symlink_to(tmp_path / "elsewhere.yaml")
        length = len(raw)
    workspace.write_journal(board, [], [workspace.Append(path, added, (0, 0, length, ino))])  # as a killed command leaves it
    before = snapshot(board)
    result = cli(board, "update", "20", "--dept", "DWP", "--rag", "g", "--summary", "s")
    assert result.returncode == 3 and "cannot finish the interrupted write of status/DWP.yaml" in result.stderr, result.stderr
    assert snapshot(board) == before
    if how == "a link":
        assert (tmp_path / "elsewhere.yaml").read_bytes() == raw
    assert (board / ".tracker.journal").exists()  # left for a person to look at


def test_a_status_folder_that_leads_out_of_the_workspace_is_refused(board: Path, cli: Cli, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    shutil.move(board / "status", elsewhere)
    (board / "status").symlink_to(elsewhere)
    for command in (["check"], ["update", "20", "--dept", "DWP", "--rag", "g", "--summary", "s"]):
        result = cli(board, *command)
        assert result.returncode == 3 and "is outside the workspace" in result.stdout + result.stderr


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_pipe_given_to_import_is_refused_not_waited_on(board: Path, tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "returns.csv")
    result = tracker(board, "import", str(tmp_path / "returns.csv"))
    assert result.returncode == 3 and "is not a regular file" in result.stderr


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_pipe_in_place_of_the_database_is_refused_not_waited_on(board: Path) -> None:
    os.mkfifo(board / "tracker.db")
    for command in (["check"], ["report"], ["load", "--rebuild"]):
        result = tracker(board, *command)
        assert result.returncode == 3 and "tracker.db: is not a regular file" in result.stderr, command


@pytest.mark.parametrize(
    "args",
    [
        ["report", "--bogus"],
        ["report", "--format", "x\x1b[31m"],
        ["nosuch"],
        ["import", "/tmp/a\nb.csv"],
        ["--version"],
        ["--help"],
    ],
)
def test_usage_errors_and_help_are_one_line_or_plain_output(board: Path, args: list[str]) -> None:
    result = tracker(board, *args)
    if args[0].startswith("--"):
        assert result.returncode == 0 and result.stderr == ""
        if Path("/dev/full").exists():
            with open("/dev/full", "w") as full:
                failed = tracker(board, *args, capture_output=False, stdout=full, stderr=PIPE)
            assert failed.returncode == 3 and failed.stderr.count("\n") == 1 and "Traceback" not in failed.stderr
        return
    assert result.returncode in (2, 3) and result.stderr.count("\n") == 1 and "\x1b" not in result.stderr, result.stderr


@pytest.mark.parametrize("url", ["http://[abc/", "http://a\uff03b/"])
def test_a_link_python_cannot_parse_is_refused_and_never_breaks_the_paper(board: Path, cli: Cli, url: str) -> None:
    result = cli(board, "assess", "2", "--rag", "red", "--summary", "x", "--evidence", url)
    assert result.returncode == 3 and "--evidence:" in result.stderr and "is not an http(s) URL" in result.stderr
    with (board / "assessments.yaml").open("a", encoding="utf-8") as f:  # written by hand
        f.write(f'\n- recommendation: 2\n  date: 2026-01-01\n  rag: red\n  summary: x\n  author: a\n  evidence:\n    - "{url}"\n')
    paper = cli(board, "paper")  # refused in a file too, with its line: it never reaches the paper
    assert paper.returncode == 3 and "assessments.yaml:" in paper.stderr and "is not an http(s) URL" in paper.stderr


@pytest.mark.parametrize("command", [["show", "5"], ["report"], ["departments"], ["chase"], ["list"]])
def test_a_terminal_one_column_wide_overflows_rather_than_failing(board: Path, cli: Cli, command: list[str]) -> None:
    result = cli(board, *command, env={"COLUMNS": "1"})
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr


def test_a_body_that_reports_via_one_that_reports_via_another_is_refused(board: Path, cli: Cli) -> None:
    marker = board / "recommendations.yaml"
    text = marker.read_text()
    owner = "      - dept: AoMRC\n        role: lead\n        basis: text\n        reports_via: DHSC\n"
    support = "      - dept: DHSC\n        role: support\n        basis: text\n"
    assert owner in text and support in text
    after = text[text.index(owner) :]
    marker.write_text(text[: text.index(owner)] + after.replace(support, support + "        reports_via: AoMRC\n", 1))
    result = cli(board, "check")
    assert result.returncode == 1 and "AoMRC reports via DHSC, which itself reports via another" in result.stdout


def killed_import(root: Path, summary: str) -> tuple[Path, bytes]:
    """What an import killed between writing its journal and renaming its new DWP.yaml into place
    leaves, on this machine: the new file, written in full, and the journal naming it."""
    from tracker import workspace

    path = root / "status" / "DWP.yaml"
    block = f"\n- recommendation: 20\n  dept: DWP\n  date: 2025-06-02\n  rag: green\n  summary: {summary}\n  author: T\n"
    tmp = workspace.prepare_write(path, path.read_bytes() + block.encode())
    workspace.write_journal(root, [(tmp, path)], [])
    return tmp, path.read_bytes()


def test_check_never_writes_it_reports_a_journal_and_a_recording_command_finishes_it(board: Path, cli: Cli) -> None:
    tmp, raw = killed_import(board, "After the kill")
    before = {p.relative_to(board): p.read_bytes() for p in board.rglob("*") if p.is_file()}
    result = cli(board, "check")
    assert result.returncode == 3 and ".tracker.journal: a write that did not finish" in result.stdout, result.stdout
    assert {p.relative_to(board): p.read_bytes() for p in board.rglob("*") if p.is_file()} == before  # not even a lock file
    assert tmp.exists()
    assert cli(board, "load").returncode == 0
    assert "After the kill" in (board / "status" / "DWP.yaml").read_text() and not (board / ".tracker.journal").exists()
    assert not tmp.exists() and cli(board, "check").returncode == 0


@pytest.mark.parametrize("how", ["a pull request", "another machine", "a copy", "git tracks it"])
def test_a_journal_this_machines_tracker_did_not_write_is_never_followed(
    board: Path, cli: Cli, tmp_path: Path, how: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    tmp, raw = killed_import(board, "Planted")
    journal = board / ".tracker.journal"
    if how == "a pull request":  # the journal and its temporary file as a checkout writes them: new files
        for path in (journal, tmp):
            path.with_name("checkout").write_bytes(path.read_bytes())
            path.with_name("checkout").replace(path)
    elif how == "another machine":
        written = json.loads(journal.read_bytes())
        data = json.dumps(written | {"host": "elsewhere"}).encode()
        inode = journal.stat().st_ino
        with open(journal, "r+b") as f:  # the same file, other words
            f.truncate(0)
            f.write(data)
        assert journal.stat().st_ino == inode
    elif how == "a copy":  # a workspace copied, journal and all: every file is new
        shutil.copytree(board, tmp_path / "copy", symlinks=True)
        board, tmp = tmp_path / "copy", tmp_path / "copy" / tmp.relative_to(board)
    else:
        if shutil.which("git") is None:
            pytest.skip("no git here")
        subprocess.run(["git", "init", "-q", str(board)], check=True)
        subprocess.run(["git", "-C", str(board), "add", "-f", ".tracker.journal"], check=True)
    before = snapshot(board)
    for command in (["check"], ["update", "20", "--dept", "DWP", "--rag", "g", "--summary", "s"], ["report"]):
        result = cli(board, *command)
        assert result.returncode == 3, (command, result.stdout, result.stderr)
        if command != ["check"]:
            assert (
                result.stderr == "tracker: error: .tracker.journal: is not a journal tracker wrote on this machine;"
                " remove it (it names files to change), then try again\n"
            ), result.stderr
        assert snapshot(board) == before and (board / "status" / "DWP.yaml").read_bytes() == raw and tmp.exists()


def test_a_journal_of_nested_brackets_is_refused_in_one_line(board: Path, cli: Cli) -> None:
    (board / ".tracker.journal").write_bytes(b"[" * 100_000 + b"]" * 100_000)
    before = snapshot(board)
    for command in (["check"], ["report"], ["update", "20", "--dept", "DWP", "--rag", "g", "--summary", "s"]):
        result = cli(board, *command)
        assert result.returncode == 3 and "Traceback" not in result.stderr, (command, result.stderr)
    assert snapshot(board) == before


def test_init_github_keeps_the_journal_out_of_git_and_under_the_secretariat(run: Run, tmp_path: Path) -> None:
    from tracker.workspace import GITIGNORE

    target = tmp_path / "board"
    assert run("init", str(target), "--github").exit_code == 0
    assert ".tracker.journal" in (target / ".gitignore").read_text().splitlines()
    assert any(line.split()[:1] == ["/.tracker.*"] for line in (target / ".github/CODEOWNERS").read_text().splitlines())
    # A workspace without a .gitignore gets one with --github; one that leaves the journal in is told so.
    for name in (".gitignore", ".github/CODEOWNERS"):
        (target / name).unlink()
    assert run("init", str(target), "--github").exit_code == 0 and (target / ".gitignore").read_text() == GITIGNORE
    (target / ".gitignore").write_text("tracker.db\n")
    (target / ".github/CODEOWNERS").unlink()
    result = run("init", str(target), "--github")
    assert result.exit_code == 0 and "does not leave out tracker's working files" in result.stderr
    assert (target / ".gitignore").read_text() == "tracker.db\n"


# -- Returns never vanish with exit 0 ----------------------------------------------------------------


@pytest.mark.parametrize("indent", ["  ", "\t", " "])
def test_a_return_indented_before_the_first_item_at_the_margin_is_read_not_dropped(board: Path, cli: Cli, indent: str) -> None:
    path = board / "status" / "DWP.yaml"
    raw = path.read_bytes()
    first = raw.index(b"\n- ") + 1
    hidden = f"{indent}- recommendation: 20\n{indent}  dept: DWP\n{indent}  date: 2026-01-05\n{indent}  rag: red\n"
    hidden += f"{indent}  summary: Hidden\n{indent}  author: T\n"
    path.write_bytes(raw[:first] + hidden.encode() + raw[first:])
    result = cli(board, "check")
    assert result.returncode == 3 and "status/DWP.yaml" in result.stdout, result.stdout  # not YAML: a list in a list
    assert cli(board, "export").returncode == 3
    # Alone, a list indented by spaces is a list: its returns are read (YAML allows no tab there).
    path.write_bytes(b"# DWP\n" + hidden.encode())
    if indent == "\t":
        assert cli(board, "check").returncode == 3
    else:
        assert cli(board, "check").returncode == 0 and "Hidden" in cli(board, "export").stdout


EDIT = b"\n- recommendation: 3\n  dept: DWP\n  date: 2025-06-03\n  rag: amber\n  summary: Edited meanwhile\n  author: E\n"
UPDATE = ["update", "20", "--dept", "DWP", "--rag", "g", "--summary", "By tracker", "--date", "2026-11-30"]


def test_a_file_rewritten_whole_never_replaces_an_edit_made_meanwhile(
    board: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tracker import workspace

    path = board / "status" / "DWP.yaml"
    path.write_bytes(path.read_bytes() + b"...\n")  # an explicit end: a form a block cannot be appended to
    assert cli(board, "export").returncode == 0  # loaded as it is
    prepare = workspace.prepare_write

    def edited_meanwhile(target: Path, data: bytes) -> Path:
        tmp = prepare(target, data)
        if target == path:
            with open(path, "ab") as f:  # another program, in place
                f.write(b"# edited meanwhile\n")
        return tmp

    monkeypatch.setattr(workspace, "prepare_write", edited_meanwhile)
    result = cli(board, *UPDATE)
    assert result.returncode == 3 and "status/DWP.yaml: was changed by another program" in result.stderr, result.stderr
    assert "nothing was recorded" in result.stderr
    text = path.read_bytes()
    assert text.endswith(b"...\n# edited meanwhile\n") and b"By tracker" not in text
    assert not list((board / "status").glob(".*.tmp"))


@pytest.mark.parametrize("how", ["appends after", "writes over"])
def test_another_program_writing_as_tracker_appends_is_never_lost_or_hidden(
    board: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    from tracker import workspace

    path = board / "status" / "DWP.yaml"
    assert cli(board, "export").returncode == 0
    end = path.stat().st_size
    write_to = workspace.write_to

    def meanwhile(fd: int, data: bytes) -> None:
        write_to(fd, data)
        if how == "appends after":  # its bytes follow tracker's
            with open(path, "ab") as f:
                f.write(EDIT)
        else:  # it found the end before tracker appended, and writes there now
            with open(path, "r+b") as f:
                f.seek(end)
                f.write(EDIT)

    monkeypatch.setattr(workspace, "write_to", meanwhile)
    result = cli(board, *UPDATE)
    monkeypatch.setattr(workspace, "write_to", write_to)
    if how == "appends after":  # recorded, and the other program's return is read too, not hidden by the database
        assert result.returncode == 0, result.stderr
        exported = cli(board, "export").stdout
        assert "By tracker" in exported and "Edited meanwhile" in exported
        assert cli(board, "check").returncode == 0
    else:  # tracker's return is not in the file: not recorded, and the other program's bytes are kept
        assert result.returncode == 3 and "was written to by another program as tracker appended to it" in result.stderr
        assert "nothing was recorded" not in result.stderr and result.stderr.count("\n") == 1
        assert EDIT in path.read_bytes()
        assert cli(board, "check").returncode == 3  # the journal names what tracker added: a person looks


# -- Every date option is bounded: nothing counts 32,000 quarters' ends ------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["trend", "--as-of", "9999-12-31"],
        ["report", "--as-of", "9999-12-31"],
        ["paper", "--as-of", "9999-12-31"],
        ["chase", "--by", "9999-12-31"],
        ["update", "20", "--dept", "DWP", "--rag", "a", "--summary", "s", "--target-date", "9999-12-31", "--reason", "r"],
    ],
)
def test_a_date_option_far_in_the_future_is_refused_at_once(board: Path, cli: Cli, args: list[str]) -> None:
    before = snapshot(board)
    result = cli(board, *args)
    option = next(a for a in args if a.startswith("--") and "date" in a or a in ("--as-of", "--by"))
    assert result.returncode == 3 and result.stderr.count("\n") == 1, result.stderr
    assert f"{option}: 9999-12-31 is more than 50 years ahead; give a date up to 2076-12-31" in result.stderr, result.stderr
    assert snapshot(board) == before


def test_a_date_option_within_the_bound_is_counted(board: Path, cli: Cli) -> None:
    result = cli(board, "trend", "--as-of", "2076-12-31", "--format", "csv")
    assert result.returncode == 0 and result.stdout.count("\n") < 400 and "2076-12-31" in result.stdout


# -- A database another program changed is rebuilt, not trusted ----------------------------------


@pytest.mark.parametrize("command", [["report"], ["export"], ["show", "20"], ["paper"], ["trend"], ["check"]])
def test_a_value_another_program_wrote_into_the_database_is_never_shown(board: Path, cli: Cli, command: list[str]) -> None:
    expected = cli(board, *command)
    assert expected.returncode == 0 and cli(board, "load").returncode == 0
    conn = sqlite3.connect(board / "tracker.db")
    with conn:  # the schema refuses a rating tracker never writes
        with pytest.raises(sqlite3.IntegrityError):
            conn.execute("UPDATE returns SET rag = 'purple'")
    with conn:  # a program that turns the checks off gets it in: it is not trusted
        conn.execute("PRAGMA ignore_check_constraints = ON")
        conn.execute("UPDATE returns SET rag = 'purple' WHERE id IN (SELECT max(id) FROM returns WHERE dept = 'DWP')")
        conn.execute("UPDATE returns SET date = 'someday' WHERE id IN (SELECT min(id) FROM returns WHERE dept = 'DWP')")
    conn.close()
    before = snapshot(board)
    result = cli(board, *command)
    assert (result.returncode, result.stdout) == (expected.returncode, expected.stdout), result.stderr
    assert "purple" not in result.stdout and snapshot(board) == before
    if command == ["check"]:  # which never writes, and judges the YAML: the database is rebuilt by the next command
        return
    with closing(sqlite3.connect(board / "tracker.db")) as conn:  # `with` a connection alone leaves it open
        assert conn.execute("SELECT count(*) FROM returns WHERE rag = 'purple' OR date = 'someday'").fetchone()[0] == 0


# -- The lock -------------------------------------------------------------------------------------


def test_the_lock_requires_a_filelock_that_never_follows_a_link() -> None:
    import re

    # 3.12.0 to 3.20.0 truncate the file a linked lock points to; 3.20.3 fixes SoftFileLock too.
    found = re.search(r'"filelock>=([0-9.]+)"', (REPO / "pyproject.toml").read_text(encoding="utf-8"))
    assert found is not None and tuple(int(n) for n in found[1].split(".")) >= (3, 20, 3)


@pytest.mark.parametrize("command", [["update", "20", "--dept", "DWP", "--rag", "g", "--summary", "s"], ["load", "--rebuild"]])
def test_a_link_in_place_of_the_lock_is_refused_in_one_line_and_its_target_kept(
    board: Path, cli: Cli, tmp_path: Path, command: list[str]
) -> None:
    victim = tmp_path / "victim"
    victim.write_text("not yours\n")
    (board / ".tracker.lock").symlink_to(victim)
    before = snapshot(board)
    result = cli(board, *command)
    assert result.returncode == 3 and result.stderr == (
        "tracker: error: .tracker.lock: is a link; the workspace lock is a plain file tracker makes:"
        " remove the link, then try again\n"
    ), result.stderr
    assert victim.read_text() == "not yours\n" and snapshot(board) == before
    (board / ".tracker.lock").unlink()
    (board / ".tracker.lock").symlink_to(tmp_path / "nowhere")  # a link to nothing: nothing is made there
    assert cli(board, *command).returncode == 3 and not (tmp_path / "nowhere").exists()


# -- What export writes, import reads back --------------------------------------------------------


@pytest.mark.parametrize(
    "summary", ["#N/A", "#ref!", "'#N/A", "''#VALUE!", "#GETTING_DATA", "Line one\rline two", "\rStarts with one", "a\r\nb\rc"]
)
def test_export_writes_only_what_import_reads_back(board: Path, cli: Cli, tmp_path: Path, summary: str) -> None:
    recorded = cli(board, "update", "20", "--dept", "DWP", "--rag", "a", "--summary", summary, "--date", "2026-11-30")
    assert recorded.returncode == 0, recorded.stderr
    exported = cli(board, "export").stdout
    sheet = tmp_path / "returns.csv"
    sheet.write_bytes(exported.encode("utf-8"))
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    shutil.copy(board / "recommendations.yaml", fresh)
    result = cli(fresh, "import", str(sheet))
    assert result.returncode == 0, result.stderr
    assert cli(fresh, "export").stdout == exported  # every return, each as it was


def test_a_spreadsheet_error_typed_in_a_cell_is_still_refused(board: Path, cli: Cli, tmp_path: Path) -> None:
    sheet = tmp_path / "errors.csv"
    sheet.write_text("recommendation,dept,date,rag,summary\n20,DWP,2025-01-10,green,#N/A\n20,DWP,2025-01-11,green,'#N/A\n")
    result = cli(board, "import", str(sheet))
    assert result.returncode == 3 and "row 2, column summary: holds the spreadsheet error #N/A" in result.stderr
    sheet.write_text("recommendation,dept,date,rag,summary\n20,DWP,2025-01-11,green,'#N/A\n")  # quoted: the words
    assert cli(board, "import", str(sheet)).returncode == 0


@pytest.mark.parametrize(
    "args",
    [
        ["update", "{big}", "--dept", "DWP", "--rag", "g", "--summary", "s"],
        ["show", "{big}"],
        ["report", "--rag", "{big}"],
        ["report", "--format", "{big}"],
        ["update", "20", "--dept", "{big}", "--rag", "g", "--summary", "s"],
        ["update", "20", "--dept", "DWP", "--rag", "{big}", "--summary", "s"],
        ["trend", "--as-of", "{big}"],
    ],
)
def test_no_error_quotes_a_value_of_100_kb(board: Path, cli: Cli, args: list[str]) -> None:
    big = "x" * 100_000
    result = cli(board, *(a.format(big=big) for a in args))
    assert result.returncode in (2, 3) and result.stderr.count("\n") == 1 and len(result.stderr) < 1000, result.stderr[:300]
    assert "xxxx" in result.stderr  # the value is still named, cut short


@pytest.mark.parametrize("what", ["a folder", "nothing", "unreadable"])
def test_import_of_a_file_that_cannot_be_read_exits_3_as_documented(
    board: Path, cli: Cli, tmp_path: Path, what: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "returns.csv"
    if what == "a folder":
        path.mkdir()
    elif what == "unreadable":
        path.write_text("recommendation,dept,date,rag,summary\n")
        real = os.open

        def refuse(name: object, *args: object, **kw: object) -> int:
            if Path(str(name)) == path:
                raise PermissionError(13, "Permission denied", str(name))
            return real(name, *args, **kw)  # type: ignore[arg-type]

        monkeypatch.setattr(os, "open", refuse)
    result = cli(board, "import", str(path))
    assert result.returncode == 3 and result.stderr.startswith(f"tracker: error: {path}: "), result.stderr


def test_a_stray_byte_in_a_utf8_csv_names_its_row_never_reads_all_as_windows_1252(board: Path, cli: Cli, tmp_path: Path) -> None:
    sheet = tmp_path / "returns.csv"
    rows = 'recommendation,dept,date,rag,summary\n20,DWP,2025-01-10,green,Café £5m\n20,DWP,2025-01-11,green,"Two\nlines"\n'
    sheet.write_bytes(rows.encode("utf-8") + b"20,DWP,2025-01-12,green,Bad \xff byte\n")
    before = snapshot(board)
    result = cli(board, "import", str(sheet))
    assert result.returncode == 3 and result.stderr == (
        f"tracker: error: {sheet}: row 4: byte 0xff is not UTF-8, where the rest of the file is; save it as CSV UTF-8\n"
    ), result.stderr
    assert snapshot(board) == before
    # A file with no UTF-8 in it is Excel's plain "CSV", Windows-1252, as before.
    sheet.write_bytes("recommendation,dept,date,rag,summary\n20,DWP,2025-01-10,green,Café £5m\n".encode("cp1252"))
    assert cli(board, "import", str(sheet)).returncode == 0 and "Café £5m" in cli(board, "export").stdout


@pytest.mark.parametrize("database", ["missing", "stale"])
@pytest.mark.parametrize("command", [["report"], ["export"], ["trend"], ["show", "20"]])
def test_a_workspace_one_may_only_read_is_read_in_memory(
    board: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, database: str, command: list[str]
) -> None:

    assert cli(board, "load").returncode == 0
    with (board / "status" / "DWP.yaml").open("a", encoding="utf-8") as f:  # tracker.db is stale now
        f.write("\n- recommendation: 20\n  dept: DWP\n  date: 2026-11-30\n  rag: red\n  summary: Late\n  author: A\n")
    if database == "missing":
        (board / "tracker.db").unlink()
    writable = tmp_path / "writable"
    shutil.copytree(board, writable)
    expected = cli(writable, *command)
    assert expected.returncode == 0, expected.stderr
    before = {p.name: p.read_bytes() for p in board.rglob("*") if p.is_file()}
    only_read(board, monkeypatch)
    result = cli(board, *command)
    assert (result.returncode, result.stdout) == (0, expected.stdout), result.stderr
    assert {p.name: p.read_bytes() for p in board.rglob("*") if p.is_file()} == before


# -- Spreadsheets as people open them -----------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["export"],
        ["report", "--format", "csv"],
        ["list", "--format", "csv"],
        ["pack", "--dept", "DWP"],
        ["trend", "--format", "csv"],
    ],
)
def test_every_csv_says_it_is_utf8_and_keeps_sections_as_text(board: Path, cli: Cli, args: list[str]) -> None:
    out = cli(board, *args).stdout
    assert out.startswith("\ufeff") and not out.startswith("\ufeff\ufeff")
    rows = list(csv.DictReader(io.StringIO(out.removeprefix("\ufeff"))))
    for row in rows:
        if "section" in row:  # 3.10 and 3.1 stay two sections: no spreadsheet reads §3.10 as a number
            assert row["section"].startswith("§") and row["section"][1:].replace(".", "").isdigit()
    if "section" in rows[0]:
        assert cli(board, "report", "--section", rows[0]["section"]).returncode == 0  # as the option takes it too


def test_a_file_whose_dates_are_month_first_is_refused_as_a_us_spreadsheets(board: Path, cli: Cli, tmp_path: Path) -> None:
    sheet = tmp_path / "us.csv"
    # 12/02/2026 reads as 12 February either way round; 03/31/2027 only as 31 March, month-first.
    sheet.write_text(
        "recommendation,dept,date,rag,summary,target_date,reason\n"
        "20,DWP,12/02/2026,green,First,,\n"
        "3,DWP,11/01/2026,amber,Second,03/31/2027,Moved\n"
    )
    before = snapshot(board)
    result = cli(board, "import", str(sheet))
    assert result.returncode == 3 and result.stderr.count("\n") == 1, result.stderr
    assert "row 3, column target_date: '03/31/2027' is a date written month-first, as a US spreadsheet" in result.stderr
    assert snapshot(board) == before
    sheet.write_text("recommendation,dept,date,rag,summary\n20,DWP,31/02/2026,green,First\n")  # no date either way
    assert "'31/02/2026' is not a real date (DD/MM/YYYY)" in cli(board, "import", str(sheet)).stderr


@pytest.mark.parametrize(
    "head", [b"\t# a comment after a tab\n", b"# a comment with a \x00 in it\n", b"  \t# spaces, then a tab\n"]
)
def test_a_status_file_pyyaml_cannot_read_is_never_passed(board: Path, cli: Cli, head: bytes) -> None:
    import yaml

    path = board / "status" / "DWP.yaml"
    path.write_bytes(head + path.read_bytes())
    with pytest.raises(yaml.YAMLError):
        yaml.safe_load(path.read_bytes().decode("utf-8"))
    result = cli(board, "check")
    assert result.returncode == 3 and result.stdout.startswith("status/DWP.yaml"), result.stdout


def test_a_database_another_program_changed_in_a_workspace_one_may_only_read_is_read_in_memory(
    board: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:

    expected = cli(board, "report")
    with sqlite3.connect(board / "tracker.db") as conn:
        conn.execute("PRAGMA ignore_check_constraints = ON")
        conn.execute("UPDATE returns SET rag = 'purple' WHERE id IN (SELECT max(id) FROM returns WHERE dept = 'DWP')")
    conn.close()
    only_read(board, monkeypatch)
    result = cli(board, "report")
    assert (result.returncode, result.stdout) == (0, expected.stdout), result.stderr


def test_a_nul_character_is_refused_wherever_a_return_comes_from(board: Path, run: Run) -> None:
    """No CSV on Python 3.10, nor any spreadsheet, can hold a NUL: export could not write what came in with one."""
    (board / "nul.csv").write_bytes(b"recommendation,dept,date,rag,summary\n20,DWP,2025-06-02,green,On\x00track\n")
    imported = run("import", str(board / "nul.csv"), root=board)
    assert imported.exit_code == 3 and "NUL" in imported.stderr  # the csv module of Python 3.10 refuses it itself
    status = board / "status" / "DWP.yaml"
    status.write_bytes(
        status.read_bytes() + b'\n- recommendation: 20\n  dept: DWP\n  date: 2025-06-03\n  rag: green\n  summary: "On\\0track"\n'
        b"  author: A\n"
    )
    checked = run("check", root=board)
    assert checked.exit_code == 1 and "summary: holds a NUL character" in checked.stdout


def test_a_pack_is_never_written_over_a_file_without_force(board: Path, run: Run) -> None:
    filled = board.parent / "dwp.csv"
    filled.write_text("a pack DWP has filled in\n")
    again = run("pack", "--dept", "DWP", "--out", str(filled), root=board)
    assert again.exit_code == 2 and "--force" in again.stderr and filled.read_text() == "a pack DWP has filled in\n"
    assert run("pack", "--dept", "DWP", "--out", str(filled), "--force", root=board).exit_code == 0
    assert filled.read_text(encoding="utf-8-sig").startswith("recommendation,dept,")


def test_a_command_waiting_for_the_lock_says_so(board: Path, run: Run) -> None:
    import fcntl
    import threading

    fd = os.open(board / ".tracker.lock", os.O_RDWR | os.O_CREAT, 0o644)
    fcntl.flock(fd, fcntl.LOCK_EX)
    threading.Timer(1.2, lambda: os.close(fd)).start()  # another command finishes, a little after a second
    result = run("update", "20", "--dept", "DWP", "--rag", "green", "--summary", "Waited.", "--date", "2025-06-05", root=board)
    assert result.exit_code == 0, result.stderr
    assert "tracker: waiting for another tracker command to finish with the workspace (at most 120 s)\n" in result.stderr


def test_load_on_a_workspace_one_may_only_read_says_the_database_was_not_written(
    board: Path, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:

    assert run("load", root=board).exit_code == 0
    with (board / "status" / "DWP.yaml").open("a", encoding="utf-8") as f:  # tracker.db is stale now
        f.write("\n- recommendation: 20\n  dept: DWP\n  date: 2026-11-30\n  rag: red\n  summary: Late\n  author: A\n")
    before = (board / "tracker.db").read_bytes()
    only_read(board, monkeypatch)
    result = run("load", root=board)
    assert result.exit_code == 3 and "cannot write it: the workspace may only be read" in result.stderr
    assert "1 return" not in result.stdout and (board / "tracker.db").read_bytes() == before


def test_a_utf16_file_is_named_for_what_it_is(board: Path, run: Run) -> None:
    (board / "unicode.txt").write_bytes("recommendation,dept,date,rag,summary\n".encode("utf-16"))
    result = run("import", str(board / "unicode.txt"), root=board)
    assert result.exit_code == 3 and 'is UTF-16 text (Excel\'s "Unicode Text"), not CSV' in result.stderr
