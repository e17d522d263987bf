"""Every reader fuzzed: status files, recommendations, assessments, corrections, CSV, workbooks and the
journal. Each input is a valid file with random damage done to it (bytes inserted, removed, replaced or
repeated; YAML's and XML's own tokens among them), or random bytes. A reader either reads it or says
why not in a DataError: never another exception, never a file changed; and what it reads agrees with
a second reader (PyYAML's, reading the whole file at once, for YAML), so that nothing is silently left out.

The fast loop tries a few dozen inputs a reader; `pytest --all` tries more (the tests marked slow);
`python tests/fuzz.py` runs as long as it is told to, and says how many inputs it tried.
"""

from __future__ import annotations

import os
import shutil
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracker import workspace
from tracker.csvio import read_returns, write_returns
from tracker.domain.returns import Entry, FieldError, entry_from_text
from tracker.errors import DataError
from tracker.loading import load_recommendations, load_status_file
from tracker.packs import read_xlsx
from tracker.yamlio.blocks import file_header, return_block

from .conftest import REPO, TODAY
from .test_hostile_xlsx import HEADER, sheet_xml, workbook

# How many inputs each reader is given: a few dozen in the fast loop; more under --all; as many as
# TRACKER_FUZZ_EXAMPLES says when tests/fuzz.py runs them.
FAST = int(os.environ.get("TRACKER_FUZZ_EXAMPLES", "30"))
LONG = int(os.environ.get("TRACKER_FUZZ_EXAMPLES", "300"))
# Inputs tried and the slowest of them, by reader: tests/fuzz.py reports them.
TRIED: Counter[str] = Counter()
SLOWEST: dict[str, float] = {}


def tried(reader: str, call: Callable[[], Any]) -> Any:
    started = time.perf_counter()
    try:
        return call()
    finally:
        TRIED[reader] += 1
        SLOWEST[reader] = max(SLOWEST.get(reader, 0.0), time.perf_counter() - started)


# -- inputs -------------------------------------------------------------------------------------------

TOKENS = [
    b"- ", b"  ", b"\n", b"\r", b"\r\n", b"\t", b":", b": ", b"[", b"]", b"{", b"}", b"&a ", b"*a", b"!!python/object ",
    b"#", b"'", b'"', b"\\", b"...\n", b"---\n", b"%YAML 1.1\n", b"-1", b"0x1F", b"1e999", b"99999999999999999999",
    b"recommendation: ", b"rag: purple", b"rag: red", b"date: 2025-13-40", b"withdraw:\n", b"correct:\n", b"line: ",
    b"\xc3", b"\xff", b"\xef\xbb\xbf", b"\xe2\x80\xa8", b"\x00", b"\x1b[31m", b"\xef\xbf\xbe", b"<", b">", b"&", b"</",
    b'<c t="s"><v>-1</v></c>', b"<row>", b"</row>", b"<!DOCTYPE x>", b"_x000D_", b"#N/A", b",", b'"",', b"03/31/2027",
]  # fmt: skip
CHUNK = st.one_of(st.sampled_from(TOKENS), st.binary(max_size=12))
OPS = st.lists(st.tuples(st.integers(0, 1 << 20), st.integers(0, 3), CHUNK), max_size=8)


def mutate(data: bytes, ops: list[tuple[int, int, bytes]]) -> bytes:
    """`data` with each operation done to it: insert, delete, replace or repeat, at a place in it."""
    for where, kind, chunk in ops:
        i = where % (len(data) + 1)
        if kind == 0:
            data = data[:i] + chunk + data[i:]
        elif kind == 1:
            data = data[:i] + data[i + len(chunk) + 1 :]
        elif kind == 2:
            data = data[:i] + chunk + data[i + len(chunk) :]
        else:
            data = data[:i] + data[i : i + 64] + data[i:]
    return data


def damaged(seed: bytes) -> st.SearchStrategy[bytes]:
    return st.one_of(OPS.map(lambda ops: mutate(seed, ops)), st.binary(max_size=200))


def _data() -> Any:
    data, problems = load_recommendations((REPO / "recommendations.yaml").read_bytes())
    assert problems == []
    return data


DATA = _data()


def _entry(number: int, dept: str, day: str, rag: str, summary: str) -> Entry:
    return entry_from_text(str(number), dept, day, rag, summary, "A secretary", [], "", "", DATA, TODAY)


RETURNS = [
    _entry(20, "DWP", "2025-06-02", "green", "Roll-out on track: £15m"),
    _entry(3, "DWP", "2025-06-03", "amber", "Two\nlines, 'quoted' and \"double\""),
]
STATUS = (
    file_header("DWP", "Department for Work and Pensions")
    + "".join("\n" + return_block(r) for r in RETURNS)
    + "\n- withdraw:\n    recommendation: 3\n    date: 2025-06-03\n  why: Sent twice\n  author: A\n  date: 2025-06-04\n"
).encode()
ASSESSMENTS = (REPO / "assessments.yaml").read_bytes()[:4000]
RECOMMENDATIONS = (REPO / "recommendations.yaml").read_bytes()
CSV = write_returns(RETURNS).encode()
XLSX_SHEET = sheet_xml({1: HEADER, 2: ["20", "DWP", "02/06/2025", "green", "Fuzzed", "T"]})


def fuzz(strategy: st.SearchStrategy[Any]) -> Callable[[Callable[..., None]], tuple[Any, Any]]:
    """A property as two tests: a few inputs in the fast loop, many under --all."""

    def make(prop: Callable[..., None]) -> tuple[Any, Any]:
        def fast(value: Any) -> None:
            prop(value)

        def long(value: Any) -> None:
            prop(value)

        quick = settings(max_examples=FAST, deadline=None, database=None)(given(strategy)(fast))
        many = settings(max_examples=LONG, deadline=None, suppress_health_check=list(HealthCheck))(given(strategy)(long))
        return quick, pytest.mark.slow(many)

    return make


# -- the YAML readers -----------------------------------------------------------------------------------


def pyyaml_items(raw: bytes) -> int | None:
    """How many items PyYAML reads in a status file, with libyaml as tracker does (PyYAML's own
    scanner refuses a tab that libyaml and YAML allow, `dept\t: DWP`); None if it reads none (not
    YAML, or not a list)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        loaded = yaml.load(raw.decode("utf-8-sig"), Loader=loader)  # a byte-order mark says UTF-8, as tracker reads it
    except (yaml.YAMLError, UnicodeDecodeError, ValueError, RecursionError):
        return None
    return 0 if loaded is None else len(loaded) if isinstance(loaded, list) else None


def read_status(raw: bytes, shown: str) -> None:
    try:
        status = tried(shown, lambda: load_status_file(raw, shown, DATA, TODAY))
    except DataError:
        return
    if not status.problems:  # read with nothing wrong: every item PyYAML reads is there, none left out
        items = pyyaml_items(raw)
        assert items is not None, "read a file PyYAML cannot read as a list"
        assert len(status.returns) + len(status.corrections) == items


@fuzz(damaged(STATUS))
def _status(raw: bytes) -> None:
    read_status(raw, "status/DWP.yaml")


test_a_status_file_is_read_or_refused, test_a_status_file_is_read_or_refused_long = _status


@fuzz(damaged(ASSESSMENTS))
def _assessments(raw: bytes) -> None:
    read_status(raw, "assessments.yaml")


test_assessments_are_read_or_refused, test_assessments_are_read_or_refused_long = _assessments


@fuzz(damaged(RECOMMENDATIONS[:6000]).map(lambda head: head + RECOMMENDATIONS[6000:]))
def _recommendations(raw: bytes) -> None:
    try:
        tried("recommendations.yaml", lambda: load_recommendations(raw))
    except DataError:
        pass


test_recommendations_are_read_or_refused, test_recommendations_are_read_or_refused_long = _recommendations


# -- CSV and workbooks --------------------------------------------------------------------------------


def read_sheet(reader: Callable[..., Any], raw: bytes, shown: str) -> None:
    try:
        tried(shown, lambda: reader(raw, shown, DATA, TODAY, lambda: "Importer"))
    except DataError:
        pass


@fuzz(damaged(CSV))
def _csv(raw: bytes) -> None:
    read_sheet(read_returns, raw, "returns.csv")


test_a_csv_is_read_or_refused, test_a_csv_is_read_or_refused_long = _csv


TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)


@fuzz(st.tuples(TEXT, TEXT, TEXT))
def _round_trip(values: tuple[str, str, str]) -> None:
    summary, author, reason = values
    try:
        entry = entry_from_text("9", "DHSC", "2025-06-02", "amber", summary, author, [], "2027-01-31", reason, DATA, TODAY)
    except FieldError:
        return  # update refuses it too
    written = write_returns([entry]).encode()
    read, _ = tried("export→import", lambda: read_returns(written, "returns.csv", DATA, TODAY, lambda: "Importer"))
    assert [r._replace(file="", line=None) for r in read] == [entry._replace(file="", line=None)]


test_what_export_writes_import_reads_back, test_what_export_writes_import_reads_back_long = _round_trip


@fuzz(st.one_of(damaged(XLSX_SHEET).map(workbook), damaged(workbook(XLSX_SHEET))))
def _xlsx(raw: bytes) -> None:
    read_sheet(read_xlsx, raw, "pack.xlsx")


test_a_workbook_is_read_or_refused, test_a_workbook_is_read_or_refused_long = _xlsx


# -- the journal ----------------------------------------------------------------------------------------

JOURNAL = (
    b'{"host": "h", "pid": 1, "journal": [1, 2], "moves": [["status/.DWP.yaml.x.tmp", "status/DWP.yaml", 1, 2, 3]],'
    b' "appends": [["status/DWP.yaml", 10, "\\n- x", 5]]}'
)


@fuzz(damaged(JOURNAL))
def _journal(raw: bytes) -> None:
    root = Path(os.environ["TRACKER_FUZZ_ROOT"])
    (root / ".tracker.journal").write_bytes(raw)
    before = {p: p.read_bytes() for p in (root / "status").iterdir()}
    try:
        tried("journal", lambda: workspace.recover(root))
    except DataError:
        pass
    assert {p: p.read_bytes() for p in (root / "status").iterdir()} == before  # no journal from elsewhere is followed


@pytest.fixture(autouse=True)
def _journal_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "fuzzed"
    (root / "status").mkdir(parents=True)
    shutil.copy(REPO / "recommendations.yaml", root)
    (root / "status" / "DWP.yaml").write_bytes(STATUS)
    monkeypatch.setenv("TRACKER_FUZZ_ROOT", str(root))


test_a_journal_from_elsewhere_is_never_followed, test_a_journal_from_elsewhere_is_never_followed_long = _journal
