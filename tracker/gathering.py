"""`tracker gather`: one national database over many partnership workspaces.

Each workspace is read as a workspace one may only read is: its YAML loaded into a database in
memory (sync.in_memory), validated by the same rules as every command, and nothing written into
it. Its tables are copied into the national database with their partnership (db/national.py),
beside the national unit's own: the roll-up of local actions under each national recommendation,
and who owes returns. The national database is built beside where it goes and renamed into place
only when complete, never over a workspace's record nor over a file gather did not write.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import NamedTuple

from . import db, workspace
from .db import national as ndb
from .domain.national import Gathered, Partnership, partnership_name, rolled_up
from .domain.rating import Rating
from .domain.recommendations import Dataset
from .errors import DataError, InvalidData, UsageError


class Listed(NamedTuple):
    """A workspace to gather, and where it was named: the argument as given, or `LIST:LINE`."""

    folder: Path
    where: str


def read_list(path: Path) -> list[Listed]:
    """The workspaces a list file names, one folder a line (`#` starts a comment line; blank lines
    are skipped), relative to the list file's folder."""
    shown = str(path)
    raw, _ = workspace.read(path, shown)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise DataError("is not UTF-8 text", shown, raw[: e.start].count(b"\n") + 1) from None
    out = []
    for n, line in enumerate(text.splitlines(), start=1):
        entry = line.strip()
        if not entry or entry.startswith("#"):
            continue
        if "\0" in entry:
            raise DataError("holds a NUL character", shown, n)
        folder = Path(entry)
        out.append(Listed(folder if folder.is_absolute() else path.parent / folder, f"{shown}:{n}"))
    if not out:
        raise DataError("names no workspace; give one folder a line", shown)
    return out


def check_listed(listed: Sequence[Listed]) -> None:
    """UsageError for a folder that is missing or not a workspace, or one named twice."""
    if not listed:
        raise UsageError("give the workspaces to gather: folders, or --list FILE")
    seen: dict[Path, str] = {}
    for item in listed:
        where = f"{item.where}: " if item.where != str(item.folder) else ""
        if not item.folder.is_dir():
            raise UsageError(f"{where}{item.folder}: no such folder")
        if not (item.folder / workspace.MARKER).is_file():
            raise UsageError(f"{where}{item.folder} is not a tracker workspace (no {workspace.MARKER})")
        resolved = item.folder.resolve()
        if resolved in seen:
            raise UsageError(f"{where}{item.folder} is named twice (also at {seen[resolved]})")
        seen[resolved] = item.where


def check_out(listed: Sequence[Listed], path: Path, option: str, database: bool = False) -> None:
    """Refuse, before any work, an output in a workspace's record, in a folder that is missing or
    cannot be written, or (for the database) over a file that is not a national database."""
    for item in listed:
        workspace.refuse_record(item.folder, path, option)
    if path.is_dir():
        raise UsageError(f"{option}: {path} is a folder; give the name of a file in it")
    folder = workspace.resolved_output(path, option).parent
    if not folder.is_dir():
        raise DataError(f"{option}: the folder {path.parent} does not exist")
    if not os.access(folder, os.W_OK):
        raise DataError(f"{option}: cannot write into the folder {path.parent}")
    if database and os.path.lexists(path):
        import stat

        if not stat.S_ISREG(os.stat(path).st_mode) or not ndb.built_by_gather(path):
            raise UsageError(f"{option}: {path} is there already and is not a database tracker gather wrote; remove it first")


def gather(
    listed: Sequence[Listed],
    out: Path,
    as_of: date,
    skip_invalid: bool = False,
    before: Callable[[Gathered], None] | None = None,
) -> Gathered:
    """Build the national database at `out` from the workspaces `listed`, as of `as_of`. DataError
    (naming it) for a workspace whose data breaks a rule, unless `skip_invalid`: then it is listed
    as skipped. Nothing is written unless the whole database is. `before(what it holds)` writes
    what goes with it (the paper, the metadata) before it replaces any database at `out`: if that
    fails, the database there is left as it was."""
    check_listed(listed)
    check_out(listed, out, "--out", database=True)
    target = workspace.resolved_output(out, "--out") if out.is_symlink() else out
    fd, tmp = workspace.temporary(target)
    os.close(fd)
    try:
        try:
            result = _build(tmp, out, listed, as_of, skip_invalid)
        except db.DatabaseError as e:  # a full disk, say: the database is not there to be rebuilt, as tracker.db is
            raise DataError(f"--out: cannot write {out}: {e}") from None
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        os.chmod(tmp, _mode(target))
        if before is not None:
            before(result)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return result


def _build(tmp: Path, out: Path, listed: Sequence[Listed], as_of: date, skip_invalid: bool) -> Gathered:
    """The national database, written at `tmp`; what it holds."""
    conn = ndb.building(tmp)
    try:
        gathered = _gather_into(conn, listed, as_of, skip_invalid)
        if not any(not p.skipped for p in gathered):
            raise DataError("no workspace could be gathered: every one was skipped as invalid")
        ndb.finish(conn)
        ndb.set_meta(conn, {"as_of": as_of.isoformat(), "partnerships": str(len(gathered))})
        ndb.commit(conn)
        return Gathered(as_of, str(out), ndb.partnerships(conn), ndb.national(conn), ndb.late(conn), ndb.measures(conn))
    finally:
        conn.close()


def _mode(path: Path) -> int:
    """The permissions the database is written with: those of the one it replaces, else a new file's."""
    import stat

    try:
        return stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _gather_into(conn: db.Connection, listed: Sequence[Listed], as_of: date, skip_invalid: bool) -> list[Partnership]:
    from .sync import in_memory

    names: dict[str, str] = {}
    review: tuple[str, tuple[tuple[int, str, str], ...]] | None = None  # the first workspace's, which all must follow
    first = ""
    out = []
    for position, item in enumerate(listed, start=1):
        folder = item.folder.resolve().name
        try:
            if os.path.lexists(item.folder / workspace.JOURNAL):
                raise DataError(
                    "a write that did not finish; run `tracker load` in the workspace to finish it", workspace.JOURNAL
                )
            ws = in_memory(item.folder, as_of)
        except (InvalidData, DataError) as e:
            if not skip_invalid:
                more = "" if isinstance(e, InvalidData) else " (run `tracker check` in it)"
                raise DataError(f"{item.folder}: invalid, nothing was gathered: {e}{more}") from None
            p = Partnership(str(item.folder), str(item.folder), problem=str(e))
            ndb.add_partnership(conn, position, p)
            out.append(p)
            continue
        try:
            data = db.dataset(ws)
            if not data.sources or data.review_follow:
                raise UsageError(
                    f"{item.folder} is not a partnership's workspace: it follows the review itself rather than keeping it"
                    " for reference under a plan of its own (tracker init DIR --partnership NAME starts one)"
                )
            theirs = (data.review.title, tuple((r.number, r.title, r.text) for r in data.recommendations if r.source == "review"))
            if review is None:
                review, first = theirs, str(item.folder)
            elif theirs != review:
                differs = next(
                    (f"recommendation {a[0]}" for a, b in zip(theirs[1], review[1], strict=False) if a != b),
                    "the review",
                )
                problem = (
                    f"holds the national recommendations otherwise than {first} ({differs} differs): the partnerships"
                    " gathered together keep the same copy of the review in recommendations.yaml"
                )
                if not skip_invalid:
                    raise DataError(f"{item.folder} {problem}")
                p = Partnership(str(item.folder), str(item.folder), problem=problem)
                ndb.add_partnership(conn, position, p)
                out.append(p)
                continue
            name = partnership_name(data, folder)
            if name in names:
                raise DataError(
                    f"{item.folder} and {names[name]} are both the partnership '{name}': give each board its own name"
                    f" (board: name: in {workspace.MARKER})"
                )
            names[name] = str(item.folder)
            ndb.copy_workspace(conn, ws, name)
            ndb.add_rollup(conn, name, _rollup(data, ndb.headline_ratings(ws)), as_of)
            late = _late(ws, data, as_of)
            ndb.add_late(conn, name, late)
            items = sum(1 for r in data.followed if r.source != "review")
            p = Partnership(name, str(item.folder), items, ndb.returns_count(ws), len(late))
            plan = next((s.title for s in data.sources if s.kind == "plan"), None)
            ndb.add_partnership(conn, position, p, data.board.name, plan)
            out.append(p)
        finally:
            ws.close()
    return out


def _rollup(data: Dataset, ratings: dict[int, Rating]) -> list[tuple[int, str, str, Rating, list[tuple[str, Rating]]]]:
    """For each national recommendation with local actions under it: its number, ref and title, the
    actions' ratings rolled up, and each action (ref, headline rating)."""
    followed = {r.number for r in data.followed}
    out = []
    for rec in data.recommendations:
        if rec.source != "review":
            continue
        items = [
            (i.shown, ratings.get(i.number, Rating.NO_RETURN))
            for i in data.delivered_by.get(rec.number, ())
            if i.number in followed
        ]
        if items:
            out.append((rec.number, rec.shown, rec.title, rolled_up(r for _, r in items), items))
    return out


def _late(ws: db.Connection, data: Dataset, as_of: date) -> list[tuple[object, ...]]:
    """Who owes a return on the items the partnership follows, as `tracker chase` counts it: for
    its next board (by that board's returns deadline), else by `as_of`."""
    from dataclasses import replace

    from .domain.standing import owed
    from .standings import standings

    day = data.board.next_meeting(as_of) or as_of
    meeting = day in data.board.meetings
    due = data.board.returns_deadline(day) if meeting else day
    followed = replace(data, recommendations=data.followed)
    rows: list[tuple[object, ...]] = []
    for by, owing in owed(standings(ws, followed, day), due, data.reporting_window_days).items():
        for s, o in owing:
            last = o.latest
            rows.append(
                (
                    by,
                    o.dept,
                    o.role,
                    s.rec.number,
                    s.rec.shown,
                    s.rec.title,
                    last.rag.value if last else None,
                    last.date.isoformat() if last else None,
                    day.isoformat() if meeting else None,
                    due.isoformat(),
                )
            )
    return rows
