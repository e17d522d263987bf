"""Recording appends to a status file: whole or not at all when killed, never over another program's
edit, and a file that has only grown since it was loaded is read from where it was."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from contextlib import closing
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tracker.workspace as writing
from tracker import db, recording, sync
from tracker.domain.rating import Rating
from tracker.domain.returns import Entry
from tracker.yamlio.blocks import appended, file_header, return_block

from .conftest import Run, update_args

DHSC = Path("status") / "DHSC.yaml"


@pytest.fixture(autouse=True)
def _author(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACKER_AUTHOR", "Jo Bloggs")


def tracker(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "TRACKER_ROOT"} | {"TRACKER_AUTHOR": "Tester"}
    return subprocess.run(
        [sys.executable, "-m", "tracker", "--root", str(root), *args], env=env, text=True, capture_output=True, timeout=60
    )


def summaries(root: Path) -> list[str]:
    """The summaries of the returns `tracker export` gives (the database, brought in line)."""
    result = tracker(root, "export")
    assert result.returncode == 0, result.stderr
    return [line.split(",")[4] for line in result.stdout.splitlines()[1:]]


def block(summary: str, day: str = "2024-02-01", number: int = 9, dept: str = "DHSC") -> bytes:
    return (
        f"\n- recommendation: {number}\n  dept: {dept}\n  date: {day}\n  rag: green\n  summary: {summary}\n  author: A\n".encode()
    )


def several(tmp_path: Path, marker: str) -> Path:
    """A CSV of returns from six departments."""
    sheet = tmp_path / f"{marker}.csv"
    owners = [(20, "DWP"), (9, "DHSC"), (15, "HO"), (19, "MoJ"), (23, "MHCLG"), (29, "DfE")]
    rows = [f"{n},{dept},2025-03-0{i + 1},amber,{marker} {i}" for i, (n, dept) in enumerate(owners)]
    sheet.write_text("recommendation,dept,date,rag,summary\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return sheet


# -- a kill at any moment of an append ---------------------------------------------------------------

# Runs tracker with the write of the appended bytes replaced: the process kills itself at `point`.
KILLED = """
import os, signal, sys
from tracker import workspace
point, calls = sys.argv[1], []
write_to = workspace.write_to

def killed(fd, data):
    calls.append(fd)
    if point == "before the bytes":
        os.kill(os.getpid(), signal.SIGKILL)
    if point == "half-way through the bytes":
        write_to(fd, data[: len(data) // 2])
        os.kill(os.getpid(), signal.SIGKILL)
    write_to(fd, data)
    if point == "after the bytes" or (point == "after the first file" and len(calls) == 2):
        os.kill(os.getpid(), signal.SIGKILL)

workspace.write_to = killed
sys.argv = ["tracker", *sys.argv[2:]]
from tracker.__main__ import main
main()
"""


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize("point", ["before the bytes", "half-way through the bytes", "after the bytes"])
def test_an_update_killed_as_it_appends_is_finished_by_the_next_command(workspace: Path, point: str) -> None:
    assert tracker(workspace, *update_args("First", day="2024-01-01")).returncode == 0
    killed = subprocess.run(
        [sys.executable, "-c", KILLED, point, "--root", str(workspace), *update_args("Second", day="2024-01-02")],
        env={k: v for k, v in os.environ.items() if k != "TRACKER_ROOT"} | {"TRACKER_AUTHOR": "Tester"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert killed.returncode == -9, killed.stderr
    assert (workspace / writing.JOURNAL).exists()  # what the killed command meant to do
    before = (workspace / DHSC).read_bytes()
    check = tracker(workspace, "check")  # never writes: says a write did not finish
    assert check.returncode == 3 and ".tracker.journal: a write that did not finish" in check.stdout, check.stdout + check.stderr
    assert (workspace / DHSC).read_bytes() == before and (workspace / writing.JOURNAL).exists()
    load = tracker(workspace, "load")  # takes the lock: finishes the append
    assert load.returncode == 0, load.stdout + load.stderr
    assert not (workspace / writing.JOURNAL).exists()
    assert summaries(workspace) == ["First", "Second"]
    text = (workspace / DHSC).read_text(encoding="utf-8")
    assert text.count("summary: Second\n") == 1 and text.endswith("summary: Second\n  author: Tester\n")


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_an_import_killed_between_two_files_is_finished_whole(workspace: Path, tmp_path: Path) -> None:
    assert tracker(workspace, "import", str(several(tmp_path, "First"))).returncode == 0  # every file made
    killed = subprocess.run(
        [
            sys.executable,
            "-c",
            KILLED,
            "after the first file",
            "--root",
            str(workspace),
            "import",
            str(several(tmp_path, "Then")),
        ],
        env={k: v for k, v in os.environ.items() if k != "TRACKER_ROOT"} | {"TRACKER_AUTHOR": "Tester"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert killed.returncode == -9, killed.stderr
    after = summaries(workspace)  # the next command finishes the import: every file, not one
    assert sorted(after) == sorted([f"First {i}" for i in range(6)] + [f"Then {i}" for i in range(6)])
    assert tracker(workspace, "check").returncode == 0


def test_a_disk_that_fills_in_the_second_file_takes_back_the_first(
    run: Run, workspace: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run("import", str(several(tmp_path, "First")), root=workspace).exit_code == 0
    before = {p: p.read_bytes() for p in (workspace / "status").iterdir()}
    write_to, calls = writing.write_to, []

    def fills_up(fd: int, data: bytes) -> None:
        calls.append(fd)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        write_to(fd, data)

    monkeypatch.setattr(writing, "write_to", fills_up)
    result = run("import", str(several(tmp_path, "Then")), root=workspace)
    assert result.exit_code == 3 and result.stderr.endswith("no space left on device; nothing was recorded\n")
    assert {p: p.read_bytes() for p in (workspace / "status").iterdir()} == before
    assert not (workspace / writing.JOURNAL).exists()
    monkeypatch.undo()
    assert sorted(summaries(workspace)) == sorted(f"First {i}" for i in range(6))


# -- another program writing to the file meanwhile ---------------------------------------------------


def test_a_file_another_program_appends_to_after_tracker_read_it_is_refused_not_lost(
    run: Run, workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run(*update_args("First", day="2024-01-01"), root=workspace).exit_code == 0
    path = workspace / DHSC
    catch_up = recording.catch_up

    def and_then_an_editor_appends(*args: object) -> bool:
        moved = catch_up(*args)  # type: ignore[arg-type]
        with open(path, "ab") as f:
            f.write(block("By hand"))
        return moved

    monkeypatch.setattr(recording, "catch_up", and_then_an_editor_appends)
    result = run(*update_args("Second", day="2024-01-02"), root=workspace)
    assert result.exit_code == 3, result.stderr
    assert "status/DHSC.yaml: was changed by another program" in result.stderr and "nothing was recorded" in result.stderr
    assert path.read_bytes().endswith(block("By hand")) and b"Second" not in path.read_bytes()
    monkeypatch.undo()
    assert run(*update_args("Second", day="2024-01-02"), root=workspace).exit_code == 0  # tried again: after it
    assert summaries(workspace) == ["First", "By hand", "Second"]
    assert tracker(workspace, "check").returncode == 0


def test_a_file_changed_just_before_its_append_takes_back_the_others(
    run: Run, workspace: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run("import", str(several(tmp_path, "First")), root=workspace).exit_code == 0
    before = {p: p.read_bytes() for p in (workspace / "status").iterdir()}
    append, calls = writing._append, []

    def the_third_is_touched(a: writing.Append, root: Path, started: list[writing.Append]) -> writing.Fingerprint:
        calls.append(a)
        if len(calls) == 3:
            with open(a.path, "ab") as f:
                f.write(b"# a comment added by hand\n")
        return append(a, root, started)

    monkeypatch.setattr(writing, "_append", the_third_is_touched)
    result = run("import", str(several(tmp_path, "Then")), root=workspace)
    assert result.exit_code == 3 and "was changed by another program" in result.stderr, result.stderr
    changed = calls[2].path
    after = {p: p.read_bytes() for p in (workspace / "status").iterdir()}
    assert after == before | {changed: before[changed] + b"# a comment added by hand\n"}
    assert not (workspace / writing.JOURNAL).exists()


# -- a file that only grew is read from where it was -------------------------------------------------


def loaded(root: Path) -> list[tuple[str, int | None, str]]:
    with closing(sync.open_synced(root)) as conn:
        return [(r.file, r.line, r.summary) for r in db.returns(conn)]


def test_a_file_that_only_grew_is_read_from_its_old_end(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = workspace / DHSC
    path.write_bytes(appended(None, file_header("DHSC", "Department of Health and Social Care"), [])[0] + block("Old"))
    assert loaded(workspace) == [("status/DHSC.yaml", 7, "Old")]
    with open(path, "ab") as f:  # git pull, or an editor, adds two returns and a correction
        f.write(block("New", "2024-02-02") + b"\n# reviewed\n" + block("Newer", "2024-02-03"))
        f.write(
            b"\n- withdraw:\n    recommendation: 9\n    date: 2024-02-01\n  why: sent twice\n  author: A\n  date: 2024-03-01\n"
        )

    def read_whole(*args: object) -> None:
        raise AssertionError("the whole file was read")

    monkeypatch.setattr(sync, "_load_status_file_into", read_whole)
    assert loaded(workspace) == [("status/DHSC.yaml", 14, "New"), ("status/DHSC.yaml", 23, "Newer")]
    monkeypatch.undo()
    with closing(sync.rebuild(workspace)) as conn:  # read whole, the same
        assert [(r.file, r.line, r.summary) for r in db.returns(conn)] == loaded(workspace)


@pytest.mark.parametrize(
    "edit",
    [
        lambda raw: raw.replace(b"summary: Old", b"summary: Odd"),  # an earlier return edited in place
        lambda raw: raw[:-1] + b"X\n",  # the last line changed
        lambda raw: raw.replace(b"# Status", b"# status"),  # even a comment
    ],
)
def test_a_file_edited_in_place_and_grown_is_read_whole(
    workspace: Path, monkeypatch: pytest.MonkeyPatch, edit: Callable[[bytes], bytes]
) -> None:
    path = workspace / DHSC
    path.write_bytes(appended(None, file_header("DHSC", "Department of Health and Social Care"), [])[0] + block("Old"))
    assert loaded(workspace) == [("status/DHSC.yaml", 7, "Old")]
    path.write_bytes(edit(path.read_bytes()) + block("New", "2024-02-02"))
    read_whole = []
    load = sync._load_status_file_into
    monkeypatch.setattr(sync, "_load_status_file_into", lambda *a: read_whole.append(1) or load(*a))
    now = loaded(workspace)
    assert read_whole and now == [(f, line, s) for f, line, s in now if s in ("Old", "Odd", "New")]
    with closing(sync.rebuild(workspace)) as conn:
        assert [(r.file, r.line, r.summary) for r in db.returns(conn)] == now


def _ret(summary: str, day: int) -> Entry:
    return Entry(9, "DHSC", date(2024, 1, day), Rating.GREEN, summary, "A", file="status/DHSC.yaml")


# What may be appended by hand: returns (some the same as one before), comments, an indented line
# that belongs to the return before, a correction, text that is not YAML.
ADDED = st.lists(
    st.sampled_from(
        [
            "ret:Later",
            "ret:First",
            "ret:Second",
            "\n# a comment\n",
            "  reason: indented under the last return\n",
            "  # an indented comment\n",
            "\n- withdraw:\n    recommendation: 9\n    date: 2024-01-01\n  why: mistake\n  author: A\n  date: 2024-05-01\n",
            "\n- recommendation: 99\n  dept: DHSC\n  date: 2024-01-09\n  rag: red\n  summary: s\n  author: A\n",
            "- [unclosed\n",
            "...\n",
            "\r\n",
        ]
    ),
    min_size=1,
    max_size=4,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(added=ADDED, newline=st.booleans(), part=st.sampled_from([1, 2000]))
def test_reading_what_was_appended_gives_what_reading_whole_gives(
    workspace: Path, added: list[str], newline: bool, part: int
) -> None:
    from tracker.yamlio import returns as reading

    path = workspace / DHSC
    base = appended(None, file_header("DHSC", "Department of Health and Social Care"), [return_block(_ret("First", 1))])[0]
    path.write_bytes(base + return_block(_ret("Second", 2)).encode()[: None if newline else -1])
    (workspace / db.NAME).unlink(missing_ok=True)
    sync.open_synced(workspace).close()
    texts = [
        return_block(_ret(a[4:], {"First": 1, "Second": 2}.get(a[4:], 3 + i))) if a.startswith("ret:") else a
        for i, a in enumerate(added)
    ]
    with open(path, "ab") as f:  # a block after a line end and a blank line, as tracker and people write them
        f.write("".join(("\n" + t if t.startswith("-") else t) for t in texts).encode())

    def outcome(opener: Callable[[Path], db.Connection]) -> object:
        try:
            with closing(opener(workspace)) as conn:
                return [(r.line, r.summary) for r in db.returns(conn)], db.counts(conn)
        except Exception as e:  # noqa: BLE001 - the error is what is compared
            return type(e).__name__, str(e)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(reading, "PART", part)  # read a return at a time, or all at once
        grown = outcome(sync.open_synced)
        assert grown == outcome(sync.rebuild)


# -- what is recorded already is found by what makes a return the same -------------------------------


def links(*urls: str) -> list[str]:
    return [option for url in urls for option in ("--evidence", f"https://example.org/{url}")]


@pytest.mark.parametrize("entries_per_lookup", [0, 10**9], ids=["each looked up", "the file's entries read once"])
def test_a_return_is_the_same_return_whoever_records_it_and_another_if_any_value_differs(
    run: Run, workspace: Path, monkeypatch: pytest.MonkeyPatch, entries_per_lookup: int
) -> None:
    monkeypatch.setattr(recording, "ENTRIES_PER_LOOKUP", entries_per_lookup)
    first = [*update_args("Plan agreed", day="2024-01-01"), *links("a", "b")]
    assert run(*first, root=workspace).exit_code == 0
    again = run(*first, "--author", "Someone else", root=workspace)
    assert again.exit_code == 0 and again.stdout == "already recorded: nothing was added\n"
    for different in (
        [*update_args("Plan agreed", day="2024-01-01"), *links("b", "a")],
        [*update_args("Plan agreed", day="2024-01-01"), *links("a")],
        [*update_args("Plan agreed.", day="2024-01-01"), *links("a", "b")],
        [*update_args("Plan agreed", rag="red", day="2024-01-01"), *links("a", "b")],
    ):
        result = run(*different, root=workspace)
        assert result.exit_code == 0 and result.stdout.startswith("Recorded"), (different, result.stdout)
    assert summaries(workspace) == ["Plan agreed", "Plan agreed", "Plan agreed", "Plan agreed.", "Plan agreed"]
    withdraw = ["withdraw", "9", "--dept", "DHSC", "--date", "2024-01-01", "--line", "7", "--why", "sent by mistake"]
    assert run(*withdraw, root=workspace).exit_code == 0
    withdrawn = run(*first, root=workspace)  # the same as an entry withdrawn since: not added again
    assert withdrawn.exit_code == 3 and "recorded and then withdrawn or corrected (status/DHSC.yaml:7)" in withdrawn.stderr
    assert tracker(workspace, "check").returncode == 0


def test_the_same_return_sent_by_several_commands_at_once_is_recorded_once(workspace: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "TRACKER_ROOT"} | {"TRACKER_AUTHOR": "Tester"}
    assert tracker(workspace, *update_args("First", day="2024-01-01")).returncode == 0
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "tracker", "--root", str(workspace), *update_args("Sent twice", day="2024-01-02")],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(6)
    ]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0] * 6, outputs
    assert sum(out.startswith("Recorded") for out, _ in outputs) == 1, outputs
    assert summaries(workspace) == ["First", "Sent twice"]
    assert tracker(workspace, "check").returncode == 0


def test_a_return_checked_against_recommendations_changed_since_is_checked_again(workspace: Path) -> None:
    from tracker.domain.returns import return_from_text
    from tracker.errors import TrackerError

    today = date(2026, 1, 1)
    with closing(sync.open_synced(workspace, today)) as conn:
        data = db.dataset(conn)  # as a command read them before asking its questions
        fields = {"recommendation": "9", "dept": "HEE", "date": "2024-01-01", "rag": "red", "summary": "s", "author": "A"}
        new = return_from_text(fields, [], data, today)
        marker = workspace / "recommendations.yaml"  # meanwhile HEE stops supporting recommendation 9
        text = marker.read_text(encoding="utf-8")
        marker.write_text(text.replace("      - dept: HEE\n", "      - dept: HMPS\n", 1), encoding="utf-8")
        with pytest.raises(TrackerError, match="does not own recommendation 9 .*nothing was recorded"):
            recording.add_returns(workspace, [new], today, conn, data)
    assert list((workspace / "status").iterdir()) == []


def test_check_reads_again_a_file_it_read_half_appended(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = workspace / DHSC
    whole = appended(None, file_header("DHSC", "Department of Health and Social Care"), [])[0] + block("Old")
    path.write_bytes(whole)
    added = block("New", "2024-02-02")
    read = writing.read

    def as_a_command_appends(file: Path, shown: str) -> tuple[bytes, os.stat_result]:
        raw, st = read(file, shown)
        if file == path and raw == whole:  # caught half-way through another command's append
            with open(path, "ab") as f:
                f.write(added)
            return raw + added[: len(added) // 2], st
        return raw, st

    monkeypatch.setattr(writing, "read", as_a_command_appends)
    problems, counts = sync.check(workspace, date(2026, 1, 1))
    assert problems == [] and counts["returns"] == 2


def test_an_update_opens_the_database_once(run: Run, workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert run(*update_args("First", day="2024-01-01"), root=workspace).exit_code == 0
    opened = []
    open_synced = sync.open_synced

    def counted(*args: object) -> db.Connection:
        opened.append(args)
        return open_synced(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(sync, "open_synced", counted)
    monkeypatch.setattr(recording, "open_synced", counted)
    assert run(*update_args("Second", day="2024-01-02"), root=workspace).exit_code == 0
    assert len(opened) == 1


def test_a_journal_half_written_by_a_killed_command_is_cleared_and_ignored_by_git(workspace: Path, run: Run) -> None:
    """A command killed while writing its journal leaves the journal's temporary file, named after it."""
    leftover = workspace / "..tracker.journal.k1ll3d.tmp"
    leftover.write_text('{"moves": [], "app')
    assert run("update", "20", "--dept", "DWP", "--rag", "g", "--summary", "s", root=workspace).exit_code == 0
    assert not leftover.exists()
    from tracker.workspace import GITIGNORE

    assert "..tracker.journal.*.tmp" in GITIGNORE.splitlines()
