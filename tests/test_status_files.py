"""Status files: written by tracker, readable by hand, read back exactly, refused when broken."""

from __future__ import annotations

import json
import os
import re
import shutil
from contextlib import closing
from datetime import date
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tracker import db, loading, recording, sync
from tracker.domain.rating import RETURN_RATINGS, Rating
from tracker.domain.returns import Entry
from tracker.errors import DataError
from tracker.yamlio.blocks import appended, file_header, return_block
from tracker.yamlio.returns import parse_status_file

from .conftest import REPO

HEADER = file_header("DHSC", "Department of Health and Social Care")


def ret(**kw: object) -> Entry:
    fields: dict[str, object] = {
        "recommendation": 9,
        "dept": "DHSC",
        "date": date(2024, 5, 15),
        "rag": Rating.GREEN,
        "summary": "Published the plan.",
        "author": "A secretary",
        "file": "status/DHSC.yaml",
    }
    fields.update(kw)
    return Entry(**fields)  # type: ignore[arg-type]


def read(raw: bytes) -> list[Entry]:
    updates, problems = parse_status_file(raw, "status/DHSC.yaml")
    assert problems == []
    return updates


def test_a_new_file_has_a_header_and_one_block_per_return() -> None:
    first = ret(evidence=("https://example.org/a", "https://example.org/b?x=1&y=2"))
    second = ret(rag=Rating.AMBER, target_date=date(2025, 3, 31), reason="Recruitment is slower than planned.")
    raw, lines = appended(None, HEADER, [return_block(first), return_block(second)])
    text = raw.decode()
    assert text.startswith("# Status returns from DHSC: Department of Health and Social Care.\n")
    assert text.count("\n- recommendation: 9\n") == 2 and "\n\n- recommendation" in text
    assert "    - https://example.org/a\n" in text
    got = read(raw)
    assert [u.line for u in got] == lines == [7, 17]
    assert [(u.rag, u.evidence, u.target_date, u.reason) for u in got] == [
        (Rating.GREEN, first.evidence, None, None),
        (Rating.AMBER, (), date(2025, 3, 31), "Recruitment is slower than planned."),
    ]


def test_appending_keeps_what_was_there_byte_for_byte() -> None:
    raw, _ = appended(None, HEADER, [return_block(ret())])
    edited = raw + b"# a note added by hand, with no newline at the end"
    more, lines = appended(edited, HEADER, [return_block(ret(summary="Next."))])
    assert more.startswith(edited + b"\n")
    assert [u.summary for u in read(more)] == ["Published the plan.", "Next."] and lines == [15]


def test_a_file_of_comments_only_has_no_returns() -> None:
    assert read(HEADER.encode()) == []
    assert read(b"") == []


# Any text a return can hold: no surrogate (not UTF-8) and no NUL (no CSV or spreadsheet can hold one; refused).
text = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), min_size=1, max_size=80).filter(
    lambda s: s.strip() == s and s
)


@settings(max_examples=300, deadline=None)
@given(summary=text, author=text, reason=text)
def test_any_text_is_read_back_exactly(summary: str, author: str, reason: str) -> None:
    update = ret(summary=summary, author=author, target_date=date(2025, 1, 1), reason=reason)
    raw, _ = appended(None, HEADER, [return_block(update)])
    (got,) = read(raw)
    assert (got.summary, got.author, got.reason) == (summary, author, reason)
    # and any other YAML reader reads the same text
    (block,) = yaml.safe_load(raw)
    assert (block["summary"], block["author"], block["reason"]) == (summary, author, reason)


@pytest.mark.parametrize(
    "old, new, message",
    [
        ("  rag: green\n", "  rag: purple\n", "rag: 'purple' is not a RAG rating"),
        ("  date: 2024-05-15\n", "  date: 2024-02-30\n", "date: 2024-02-30 is not a real date"),
        ("  rag: green\n", "  rag: green\n  colour: red\n", "colour: unknown key in a return"),
        ("  rag: green\n", "  rag: green\n  rag: red\n", "rag: appears twice in a return"),
        (
            "  author: A secretary\n",
            "  author: A secretary\n  evidence:\n    - example.org\n",
            "'example.org' is not an http(s) URL",
        ),
        ("  summary: Published the plan.\n", "  summary: ''\n", "summary: is empty"),
    ],
)
def test_broken_returns_are_located(old: str, new: str, message: str) -> None:
    block = return_block(ret())
    assert old in block
    _, problems = parse_status_file(block.replace(old, new).encode(), "status/DHSC.yaml")
    assert any(message in p.describe() for p in problems), [p.describe() for p in problems]
    assert all(p.line and p.file == "status/DHSC.yaml" for p in problems)


def test_a_file_that_is_not_a_list_of_returns_cannot_be_read() -> None:
    with pytest.raises(DataError, match="the file must be a list, not a mapping"):
        parse_status_file(b"recommendation: 9\n", "status/DHSC.yaml")
    with pytest.raises(DataError, match="status/DHSC.yaml:2: YAML syntax error"):
        parse_status_file(b"- recommendation: 9\n\tdept: DHSC\n", "status/DHSC.yaml")


# -- any file the reader accepts takes a new return ------------------------------------------------


def _flow(returns: list[Entry]) -> str:
    def item(r: Entry) -> str:
        fields = {"recommendation": r.recommendation, "dept": r.dept, "date": r.date.isoformat(), "rag": r.rag.value}
        fields |= {"summary": r.summary, "author": r.author}
        # ASCII escapes: a raw line separator (NEL, U+2028) would be folded inside a quoted string.
        return "{" + ", ".join(f"{k}: {json.dumps(v)}" for k, v in fields.items()) + "}"

    return "[" + ",\n ".join(item(r) for r in returns) + "]\n"


FORMS = {
    "as tracker writes it": lambda rs: appended(None, HEADER, [return_block(r) for r in rs])[0].decode(),
    "a flow list": _flow,
    "an indented list": lambda rs: "".join("  " + line + "\n" for r in rs for line in return_block(r).splitlines()) or "[]\n",
    "an explicit end": lambda rs: appended(None, HEADER, [return_block(r) for r in rs])[0].decode() + "...\n",
    "an explicit start": lambda rs: "---\n" + "".join(return_block(r) for r in rs),
    "no final newline": lambda rs: "".join(return_block(r) for r in rs).rstrip("\n"),
    "CRLF line ends": lambda rs: "".join(return_block(r) for r in rs).replace("\n", "\r\n"),
    "CR line ends": lambda rs: "".join(return_block(r) for r in rs).replace("\n", "\r"),
    "a comment after": lambda rs: "".join(return_block(r) for r in rs) + "# the end\n",
    "null": lambda rs: "null\n" if not rs else "".join(return_block(r) for r in rs),
    "an end with a tab and a comment": lambda rs: "".join(return_block(r) for r in rs) + "...\t# end\n",
    "a carriage return before the end": lambda rs: "".join(return_block(r) for r in rs) + "# c\r...\n",
    "a line separator before the end": lambda rs: "".join(return_block(r) for r in rs) + "\u2028...\n",
}


@pytest.fixture(scope="module")
def dwp_workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("forms")
    (root / "status").mkdir()
    shutil.copy(REPO / "recommendations.yaml", root / "recommendations.yaml")
    return root


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    form=st.sampled_from(sorted(FORMS)),
    summaries=st.lists(text, max_size=3),
    new_summary=text,
    rag=st.sampled_from(list(RETURN_RATINGS)),
)
def test_any_status_file_the_reader_accepts_takes_a_new_return(
    dwp_workspace: Path, form: str, summaries: list[str], new_summary: str, rag: Rating
) -> None:
    root = dwp_workspace
    old = [
        ret(recommendation=20, dept="DWP", date=date(2024, 1, 1 + i), summary=s, file="status/DWP.yaml")
        for i, s in enumerate(summaries)
    ]
    path = root / "status" / "DWP.yaml"
    path.write_text(FORMS[form](old), encoding="utf-8", newline="")
    try:
        before = [r.key() for r in parse_status_file(path.read_bytes(), "status/DWP.yaml")[0]]
    except DataError:
        assume(False)  # only files the reader accepts are promised anything
    assert before == [r.key() for r in old]
    new = ret(recommendation=20, dept="DWP", date=date(2025, 1, 1), rag=rag, summary=new_summary, file="status/DWP.yaml")
    added = recording.add_returns(root, [new], date(2026, 1, 1))
    assert [r.key() for r in added.returns] == [new.key()] and added.database_lags is None
    after, problems = parse_status_file(path.read_bytes(), "status/DWP.yaml")
    assert problems == [] and [r.key() for r in after] == before + [new.key()]
    with closing(sync.open_synced(root)) as conn:
        assert [(r.key(), r.line) for r in db.returns_in_file(conn, "status/DWP.yaml")] == [(r.key(), r.line) for r in after]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    summaries=st.lists(text, min_size=1, max_size=9),
    broken=st.sampled_from(["", "  rag: purple\n", "  colour: red\n", "  date: 2024-02-30\n", '  summary: "open\n']),
    where=st.integers(min_value=0, max_value=8),
)
def test_a_long_file_read_in_parts_reads_as_read_whole(
    monkeypatch: pytest.MonkeyPatch, summaries: list[str], broken: str, where: int
) -> None:
    from tracker.yamlio import returns as reading

    blocks = [return_block(ret(summary=s, date=date(2024, 1, 1 + i))) for i, s in enumerate(summaries)]
    if broken:
        i = where % len(blocks)
        blocks[i] = blocks[i].replace("  rag: green\n", broken if "rag" in broken else "  rag: green\n" + broken)
    raw, _ = appended(None, HEADER, blocks)

    def outcome() -> object:
        try:
            status = reading.read_status_file(raw, "status/DHSC.yaml")
        except DataError as e:
            return str(e)
        return [(r.key(), r.line) for r in status.returns], status.problems, status.appendable

    monkeypatch.setattr(reading, "PART", 2)
    in_parts = outcome()
    monkeypatch.setattr(reading, "_NOT_AN_ITEM", re.compile(b""))  # every file looks hand-made: read whole
    assert in_parts == outcome()


@pytest.mark.parametrize("part", [2, 2000])
def test_loading_part_by_part_finds_every_problem_reading_whole_finds(
    dwp_workspace: Path, monkeypatch: pytest.MonkeyPatch, part: int
) -> None:
    from tracker.errors import InvalidData
    from tracker.yamlio import returns as reading

    monkeypatch.setattr(reading, "PART", part)
    blocks = [
        return_block(ret(recommendation=20, dept="DWP", date=date(2024, 1, 1 + i), file="status/DWP.yaml")) for i in range(5)
    ]
    blocks.insert(3, blocks[0])  # the same return again, in a later part when parts are small
    blocks.insert(1, blocks[1])  # and once right after itself
    blocks.append(return_block(ret(recommendation=9, dept="DHSC", file="status/DWP.yaml")))
    path = dwp_workspace / "status" / "DWP.yaml"
    path.write_bytes(appended(None, HEADER, blocks)[0])
    whole = sorted(
        p.describe() for p in loading.load_status_file(path.read_bytes(), "status/DWP.yaml", _data(dwp_workspace)).problems
    )
    with pytest.raises(InvalidData) as raised:
        sync.rebuild(dwp_workspace).close()
    message = str(raised.value)
    assert len(whole) == 3 and "(and 2 more problem(s)" in message
    assert message.split(" (and")[0] in whole


def _data(root: Path) -> object:
    from .conftest import load_dataset

    return load_dataset(root / "recommendations.yaml")[0]


def test_a_file_that_cannot_take_a_block_still_cannot_after_it_is_touched(dwp_workspace: Path) -> None:
    path = dwp_workspace / "status" / "DWP.yaml"
    old = ret(recommendation=20, dept="DWP", date=date(2024, 1, 1), file="status/DWP.yaml")
    path.write_text(_flow([old]), encoding="utf-8")
    sync.open_synced(dwp_workspace).close()
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))  # the same bytes, a new time
    sync.open_synced(dwp_workspace).close()
    new = ret(recommendation=20, dept="DWP", date=date(2025, 1, 1), summary="After a touch.", file="status/DWP.yaml")
    recording.add_returns(dwp_workspace, [new], date(2026, 1, 1))
    after, problems = parse_status_file(path.read_bytes(), "status/DWP.yaml")
    assert problems == [] and [r.key() for r in after] == [old.key(), new.key()]


@pytest.mark.parametrize("prefix", [b"", b"\xef\xbb\xbf"], ids=["plain", "byte-order mark"])
def test_every_return_is_read_whether_or_not_the_file_starts_with_a_byte_order_mark(prefix: bytes) -> None:
    blocks = [return_block(ret(date=date(2024, 1, 1 + i))) for i in range(3)]
    raw, _ = appended(None, "", blocks)
    returns, problems = parse_status_file(prefix + raw.lstrip(b"\n"), "status/DHSC.yaml")
    assert [r.date.day for r in returns] == [1, 2, 3] and problems == []
    assert [r.line for r in returns] == [1, 8, 15]


def test_a_byte_that_is_not_utf8_is_named_by_its_line() -> None:
    raw, _ = appended(None, HEADER, [return_block(ret())])
    raw = raw.replace(b"A secretary", b"Jos\xe9")
    with pytest.raises(DataError) as e:
        parse_status_file(raw, "status/DHSC.yaml")
    assert e.value.line == raw.count(b"\n", 0, raw.index(b"Jos")) + 1
    assert "not valid UTF-8 (byte 0xe9)" in e.value.message
