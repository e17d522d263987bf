"""Many processes, killed processes and a person at a terminal: nothing lost, nothing half-written."""

from __future__ import annotations

import os
import re
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tracker import db
from tracker.yamlio.returns import parse_status_file

from .conftest import OpenDb, update_args

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX terminals and signals")
if sys.platform != "win32":
    import pty


def tracker(root: Path, *args: str, **kw: object) -> subprocess.Popen[str]:
    env = {**os.environ, "TRACKER_AUTHOR": "Tester", "TRACKER_ROOT": str(root)}
    return subprocess.Popen([sys.executable, "-m", "tracker", *args], env=env, text=True, **kw)  # type: ignore[call-overload]


def returns_in(path: Path) -> list[str]:
    updates, problems = parse_status_file(path.read_bytes(), "status/DHSC.yaml")
    assert problems == []
    return [u.summary for u in updates]


@pytest.mark.slow
def test_twenty_updates_started_together_all_land(workspace: Path, open_db: OpenDb) -> None:
    subprocess.run([sys.executable, "-m", "tracker", "--root", str(workspace), "load"], check=True, capture_output=True)
    procs = [
        tracker(
            workspace,
            *update_args(f"Return {i}", "amber", "2024-01-01"),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for i in range(20)
    ]
    results = [(p.communicate(timeout=120)[1], p.returncode) for p in procs]
    assert results == [("", 0)] * 20
    assert sorted(returns_in(workspace / "status" / "DHSC.yaml")) == sorted(f"Return {i}" for i in range(20))
    conn = open_db(workspace)
    assert sorted(u.summary for u in db.returns(conn)) == sorted(f"Return {i}" for i in range(20))
    check = subprocess.run([sys.executable, "-m", "tracker", "--root", str(workspace), "check"], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout


@pytest.mark.slow
def test_a_killed_update_leaves_whole_returns_or_none(workspace: Path, open_db: OpenDb) -> None:
    path = workspace / "status" / "DHSC.yaml"
    # Kills spread from the moment of starting to well after a write usually lands, plus one
    # update left to finish, so both sides of the write are exercised.
    delays = [i * 0.06 for i in range(14)] + [None]
    started = []
    for i, delay in enumerate(delays):
        summary = f"Return {i}"
        started.append(summary)
        proc = tracker(
            workspace,
            *update_args(summary, "green", "2024-01-01"),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        if delay is not None:
            time.sleep(delay)
            proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        if path.exists():
            recorded = returns_in(path)  # always valid YAML, every block whole
            assert set(recorded) <= set(started) and len(recorded) == len(set(recorded))
    recorded = returns_in(path)
    assert "Return 0" not in recorded and f"Return {len(delays) - 1}" in recorded
    conn = open_db(workspace)  # the next command brings the database in line
    assert sorted(u.summary for u in db.returns(conn)) == sorted(recorded)
    check = subprocess.run([sys.executable, "-m", "tracker", "--root", str(workspace), "check"], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr


def read_until(fd: int, text: str, timeout: float = 30) -> str:
    """What the terminal shows until `text` appears, without colour codes."""
    raw = ""
    deadline = time.monotonic() + timeout
    while text not in (seen := re.sub(r"\x1b\[[0-9;]*m", "", raw)):
        ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
        try:
            chunk = os.read(fd, 4096).decode(errors="replace") if ready else ""
        except OSError:  # the program has exited and closed the terminal
            chunk = ""
        if not chunk:
            raise AssertionError(f"waited for {text!r}, saw {seen!r}")
        raw += chunk
    return seen


def interrupt(proc: subprocess.Popen[str]) -> int:
    """Press Ctrl-C until the program ends; its exit code.

    The prompt is on the screen a moment before the program waits to read the answer, and a
    Ctrl-C in that moment is not seen by the read, so a person would simply press it again. Where
    /proc shows it, the first press waits until the program is asleep, waiting for the answer.
    """
    stat = Path(f"/proc/{proc.pid}/stat")
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            if stat.read_text().rsplit(")", 1)[1].split()[0] == "S":
                break
        except (OSError, IndexError):
            break
        time.sleep(0.01)
    for _ in range(6):
        proc.send_signal(signal.SIGINT)
        try:
            return proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            continue
    proc.kill()
    return proc.wait()


def _as_from_a_shell() -> None:
    """A program started at a terminal takes Ctrl-C as the shell leaves it: its default action.
    The suite itself may have been started with Ctrl-C ignored (in the background, by a script or
    by `nohup`), and a child would inherit that."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def at_terminal(workspace: Path, *args: str) -> tuple[subprocess.Popen[str], int]:
    main, secondary = pty.openpty()
    proc = tracker(workspace, *args, stdin=secondary, stdout=secondary, stderr=secondary, preexec_fn=_as_from_a_shell)
    os.close(secondary)
    return proc, main


def test_at_a_terminal_missing_fields_are_asked_for_with_the_choices(workspace: Path) -> None:
    proc, fd = at_terminal(workspace, "update", "9", "--date", "2024-01-01")
    assert "Department (DHSC, NHSE)" in read_until(fd, "Department (DHSC, NHSE): ")
    os.write(fd, b"NHSE\n")
    assert "RAG (red, amber, green, complete)" in read_until(fd, "complete): ")
    os.write(fd, b"g\n")
    read_until(fd, "Summary: ")
    os.write(fd, b"Published the plan.\n")
    read_until(fd, "(Enter for none): ")
    os.write(fd, b"\n")
    read_until(fd, "Recorded status/NHSE.yaml")
    assert proc.wait(timeout=30) == 0
    os.close(fd)
    assert "  rag: green\n  summary: Published the plan.\n" in (workspace / "status" / "NHSE.yaml").read_text()


def test_ctrl_c_at_a_prompt_writes_nothing(workspace: Path) -> None:
    subprocess.run([sys.executable, "-m", "tracker", "--root", str(workspace), "load"], check=True, capture_output=True)
    before = (workspace / "tracker.db").read_bytes()
    proc, fd = at_terminal(workspace, "update", "9", "--dept", "DHSC", "--date", "2024-01-01")
    read_until(fd, "RAG (red, amber, green, complete): ")
    assert interrupt(proc) == 130
    assert "interrupted; nothing was recorded" in read_until(fd, "recorded")
    os.close(fd)
    assert not (workspace / "status" / "DHSC.yaml").exists()
    assert (workspace / "tracker.db").read_bytes() == before


def test_a_wrong_answer_at_a_prompt_is_asked_again_and_a_letter_is_read_back(workspace: Path) -> None:
    proc, fd = at_terminal(workspace, "update", "9", "--dept", "DHSC")
    read_until(fd, "Date [")
    os.write(fd, b"2024-02-30\n")  # not a real date: asked again
    assert "not a real date" in read_until(fd, "Date [")
    os.write(fd, b"2030-01-01\n")  # in the future: asked again, before anything else is typed
    assert "is in the future" in read_until(fd, "Date [")
    os.write(fd, b"01/02/2024\n")  # as a spreadsheet in England writes it: 1 February
    read_until(fd, "complete): ")
    os.write(fd, b"ambr\n")  # a typo: asked again, with the choices
    assert "is not a RAG rating" in read_until(fd, "complete): ")
    os.write(fd, b"B\n")
    read_until(fd, "Summary: ")
    os.write(fd, b"Closed.\n")
    read_until(fd, "(Enter for none)")
    os.write(fd, b"ftp://nope\n")
    assert "is not an http(s) URL" in read_until(fd, "(Enter for none)")
    os.write(fd, b"https://example.org/closed\n")
    assert "(B read as COMPLETE)" in read_until(fd, "read as COMPLETE)")
    assert proc.wait(timeout=30) == 0
    os.close(fd)
    text = (workspace / "status" / "DHSC.yaml").read_text()
    assert "date: 2024-02-01\n  rag: complete\n  summary: Closed." in text and "https://example.org/closed" in text
