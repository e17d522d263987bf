"""The only module that reads or writes YAML.

Files are composed into YAML nodes (never constructed into Python objects by PyYAML) and read
field by field, so that every value keeps its line, every scalar is read as the type its field
names (no YAML 1.1 guessing: `NO` stays text, `3.10` stays "3.10"), duplicate and unknown keys
are reported, and unsafe tags or aliases are refused before anything is built from them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import NoReturn, TypeVar

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .domain import (
    BASES,
    CATEGORIES,
    CATEGORY_SOURCES,
    EVENTS,
    ROLES,
    Dataset,
    Deadline,
    Department,
    HistoryEvent,
    Owner,
    Problem,
    Recommendation,
    Registry,
    Response,
    Review,
    is_url,
    validate,
)
from .errors import DataError
from .updates import RAG_CHOICES, StatusUpdate, parse_rag

try:  # libyaml: fast, and the parser whose behaviour the tests pin down
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

T = TypeVar("T")

_CORE = "tag:yaml.org,2002:"
_ALLOWED_TAGS = {_CORE + t for t in ("str", "int", "float", "bool", "null", "timestamp", "map", "seq")}
_NULL = _CORE + "null"
_DECIMAL = re.compile(r"0|[1-9][0-9]*")
# Numbers that YAML 1.1 reads in a way a person rarely means: 010 is 8, 1:30 is 90, 1_000 is 1000.
_YAML11_NUMBER = re.compile(r"[-+]?(0[0-9_]+|0x[0-9a-fA-F_]+|0b[01_]+|[0-9][0-9_]*(:[0-5]?[0-9])+|[0-9][0-9_]*_[0-9_]*)")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def read_bytes(path: Path, shown: str) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise DataError("file not found", shown) from None
    except OSError as e:
        raise DataError(f"cannot read file: {e.strerror}", shown) from None


def decode(raw: bytes, shown: str) -> str:
    """Decode a file as UTF-8, naming the line of any byte that is not."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw.count(b"\n", 0, e.start) + 1
        raise DataError(f"not valid UTF-8 (byte 0x{raw[e.start]:02x}); save the file as UTF-8", shown, line) from None


def compose(text: str, shown: str) -> Node:
    """Parse YAML text into a node tree, turning every parser error into one located line."""
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        message = e.problem or e.context or "invalid YAML"
        if "\t" in message or "tab" in message:
            message += " (YAML cannot be indented with tabs; use spaces)"
        raise DataError(f"YAML syntax error: {message}", shown, mark.line + 1 if mark else None) from None
    except yaml.YAMLError as e:
        raise DataError(f"YAML error: {e}", shown) from None
    if node is None:
        raise DataError("the file is empty", shown)
    return node


def _kind(node: Node) -> str:
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    return f"the value {node.value!r}"


class Reader:
    """Reads values out of a node tree, collecting problems and raising on unreadable shapes."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []
        self.recommendation: int | None = None
        self._seen: set[int] = set()

    # -- reporting -------------------------------------------------------------------------
    def fatal(self, node: Node, message: str) -> NoReturn:
        where = f"recommendation {self.recommendation}: " if self.recommendation is not None else ""
        raise DataError(where + message, self.file, node.start_mark.line + 1)

    def problem(self, node: Node, field: str | None, message: str) -> None:
        self.problems.append(Problem(self.file, node.start_mark.line + 1, message, self.recommendation, field))

    def _enter(self, node: Node, what: str) -> None:
        # A node reached twice is an alias (*name): refused, since an alias bomb is a few lines
        # that expand to billions of nodes when walked.
        if id(node) in self._seen:
            self.fatal(
                node, f"{what}: this value is used again through an alias; anchors and aliases (&name, *name) are not allowed"
            )
        self._seen.add(id(node))
        if node.tag not in _ALLOWED_TAGS:
            self.fatal(node, f"{what}: the tag {node.tag.replace(_CORE, '!!')} is not allowed")

    def _scan(self, node: Node, what: str) -> None:
        """Check a value that will not be read (under a bad key) for unsafe tags and aliases."""
        stack = [node]
        while stack:
            current = stack.pop()
            self._enter(current, what)
            if isinstance(current, SequenceNode):
                stack.extend(current.value)
            elif isinstance(current, MappingNode):
                for k, v in current.value:
                    stack.extend((k, v))

    @staticmethod
    def is_null(node: Node) -> bool:
        # Plain style is None in the pure loader and "" in libyaml's.
        return isinstance(node, ScalarNode) and node.tag == _NULL and not node.style

    # -- shapes ----------------------------------------------------------------------------
    def mapping(self, node: Node, what: str, fields: dict[str, bool]) -> dict[str, Node]:
        """The fields of a mapping; `fields` maps each allowed key to whether it is required."""
        self._enter(node, what)
        if not isinstance(node, MappingNode):
            self.fatal(node, f"{what} must be a mapping of `key: value` lines, not {_kind(node)}")
        out: dict[str, Node] = {}
        for key_node, value in node.value:
            self._enter(key_node, what)
            if not isinstance(key_node, ScalarNode):
                self.fatal(key_node, f"{what}: a key must be a plain word, not {_kind(key_node)}")
            key = key_node.value
            if key in out or key not in fields:
                self._scan(value, what)
            if key in out:
                self.problem(key_node, key, f"appears twice in {what}; only one may stay (YAML would silently keep the last)")
                continue
            if key not in fields:
                import difflib  # only when there is a typo to explain

                close = difflib.get_close_matches(key, list(fields), n=1)
                hint = f"; did you mean {close[0]!r}?" if close else f"; expected one of: {', '.join(fields)}"
                self.problem(key_node, key, f"unknown key in {what}{hint}")
                continue
            out[key] = value
        for key, required in fields.items():
            if not required:
                continue
            if key not in out:
                self.problem(node, key, f"is missing from {what}")
            elif self.is_null(out[key]) or (isinstance(out[key], ScalarNode) and not out[key].value.strip()):
                self.problem(out[key], key, "is empty")
        return out

    def sequence(self, node: Node | None, what: str) -> list[Node]:
        if node is None or self.is_null(node):
            return []
        self._enter(node, what)
        if not isinstance(node, SequenceNode):
            self.fatal(node, f"{what} must be a list, not {_kind(node)}")
        return list(node.value)

    def scalar(self, node: Node | None, what: str) -> str | None:
        if node is None or self.is_null(node):
            return None
        self._enter(node, what)
        if not isinstance(node, ScalarNode):
            self.fatal(node, f"{what} must be a single value, not {_kind(node)}")
        value: str = node.value
        return value if value.strip() else None

    # -- typed values (None when absent or unreadable; unreadable ones are problems) ---------
    def text(self, fields: dict[str, Node], key: str) -> str | None:
        value = self.scalar(fields.get(key), key)
        return value.strip() if value is not None else None

    def integer(self, node: Node | None, what: str) -> int | None:
        value = self.scalar(node, what)
        if value is None or node is None:
            return None
        value = value.strip()
        if _DECIMAL.fullmatch(value):
            return int(value)
        if isinstance(node, ScalarNode) and not node.style and _YAML11_NUMBER.fullmatch(value):
            self.fatal(
                node,
                f"{what}: {value!r} is ambiguous (YAML 1.1 reads it as a different number); write a plain decimal such as 10",
            )
        self.problem(node, what, f"{value!r} is not a whole number")
        return None

    def date(self, node: Node | None, what: str) -> date | None:
        value = self.scalar(node, what)
        if value is None or node is None:
            return None
        value = value.strip()
        if not _ISO_DATE.fullmatch(value):
            self.problem(node, what, f"{value!r} is not a date written YYYY-MM-DD")
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            self.problem(node, what, f"{value} is not a real date")
            return None

    def choice(self, node: Node | None, what: str, choices: tuple[str, ...]) -> str | None:
        value = self.scalar(node, what)
        if value is None or node is None:
            return None
        if value.strip() not in choices:
            self.problem(node, what, f"{value!r} is not one of: {', '.join(choices)}")
            return None
        return value.strip()

    def url(self, node: Node | None, what: str) -> str | None:
        value = self.scalar(node, what)
        if value is None or node is None:
            return None
        if not is_url(value):
            self.problem(node, what, f"{value!r} is not an http(s) URL")
            return None
        return value.strip()

    def each(self, node: Node | None, what: str, read: Callable[[Node], T | None], required: bool = False) -> list[T]:
        nodes = self.sequence(node, what)
        if required and node is not None and not nodes and not self.is_null(node):
            self.problem(node, what, "is empty")
        return [item for n in nodes if (item := read(n)) is not None]


def _line(node: Node) -> int:
    return int(node.start_mark.line) + 1


def load_dataset(path: Path, shown: str = "recommendations.yaml") -> tuple[Dataset, list[Problem]]:
    """Read recommendations.yaml: raises DataError if unreadable, returns every broken rule."""
    return parse_dataset(read_bytes(path, shown), shown)


def parse_dataset(raw: bytes, shown: str = "recommendations.yaml") -> tuple[Dataset, list[Problem]]:
    """Read the bytes of a recommendations file; see load_dataset."""
    root = compose(decode(raw, shown), shown)
    r = Reader(shown)
    top = r.mapping(
        root, "the file", {"review": True, "reporting_window_days": False, "departments": True, "recommendations": True}
    )

    review_fields = (
        r.mapping(top["review"], "review", {"title": True, "author": True, "published": True, "source": True})
        if "review" in top
        else {}
    )
    review = Review(
        title=r.text(review_fields, "title") or "",
        author=r.text(review_fields, "author") or "",
        published=r.date(review_fields.get("published"), "published") or date.min,
        source=r.url(review_fields.get("source"), "source") or "",
    )
    window = 90
    if "reporting_window_days" in top:
        window = r.integer(top["reporting_window_days"], "reporting_window_days") or window
        if window < 1:
            r.problem(top["reporting_window_days"], "reporting_window_days", "must be at least 1")

    departments: dict[str, Department] = {}
    lines: dict[str, int] = {}
    for node in r.sequence(top.get("departments"), "departments"):
        dept = _department(r, node)
        if dept is None:
            continue
        if dept.code in departments:
            r.problem(node, "code", f"department {dept.code} is defined twice (first on line {lines[dept.code]})")
            continue
        departments[dept.code] = dept
        lines[dept.code] = _line(node)

    recs = [rec for node in r.sequence(top.get("recommendations"), "recommendations") if (rec := _recommendation(r, node))]
    data = Dataset(review, window, Registry(departments), tuple(recs), shown, lines)
    return data, r.problems + validate(data)


_DEPARTMENT = {"code": True, "name": True, "part_of": False, "aliases": False, "history": False}
_EVENT = {"date": True, "event": True, "from": False, "to": False, "into": False, "note": False}


def _department(r: Reader, node: Node) -> Department | None:
    r.recommendation = None
    f = r.mapping(node, "a department", _DEPARTMENT)
    code = r.text(f, "code")
    if code is None:
        return None
    what = f"department {code}"
    aliases = tuple(a.strip() for n in r.sequence(f.get("aliases"), f"{what}: aliases") if (a := r.scalar(n, f"{what}: aliases")))

    def event(n: Node) -> HistoryEvent | None:
        e = r.mapping(n, f"{what}: history", _EVENT)
        day = r.date(e.get("date"), "date")
        kind = r.choice(e.get("event"), "event", EVENTS)
        if day is None or kind is None:
            return None
        return HistoryEvent(day, kind, r.text(e, "note"), r.text(e, "from"), r.text(e, "to"), r.text(e, "into"))

    history = tuple(r.each(f.get("history"), f"{what}: history", event))
    return Department(code, r.text(f, "name") or "", r.text(f, "part_of"), aliases, history, _line(node))


_RECOMMENDATION = {
    "number": True,
    "section": True,
    "section_title": True,
    "title": True,
    "text": True,
    "addressed_to": False,
    "owners": False,
    "deadline": False,
    "links": False,
    "responses": True,
}
_OWNER = {"dept": True, "role": True, "basis": False, "note": False}
_DEADLINE = {"words": True, "date": True, "reasoning": False}
_RESPONSE = {"date": True, "document": True, "category": True, "category_source": True, "summary": True, "source": True}


def _peek_number(node: Node, key_name: str = "number") -> int | None:
    """The recommendation's number, if it can be seen, so problems found before it is read name it."""
    if isinstance(node, MappingNode):
        for key, value in node.value:
            if isinstance(key, ScalarNode) and key.value == key_name and isinstance(value, ScalarNode):
                return int(value.value) if _DECIMAL.fullmatch(value.value.strip()) else None
    return None


def _recommendation(r: Reader, node: Node) -> Recommendation | None:
    r.recommendation = _peek_number(node)
    f = r.mapping(node, "a recommendation", _RECOMMENDATION)
    number = r.integer(f.get("number"), "number")
    if number is None:
        return None
    r.recommendation = number

    def owner(n: Node) -> Owner | None:
        o = r.mapping(n, "an owner", _OWNER)
        dept, role = r.text(o, "dept"), r.choice(o.get("role"), "role", ROLES)
        basis = r.choice(o.get("basis"), "basis", BASES) if "basis" in o else "text"
        if dept is None or role is None or basis is None:
            return None
        return Owner(dept, role, basis, r.text(o, "note"), _line(n))

    def response(n: Node) -> Response | None:
        p = r.mapping(n, "a response", _RESPONSE)
        values = (
            r.date(p.get("date"), "date"),
            r.text(p, "document"),
            r.choice(p.get("category"), "category", CATEGORIES),
            r.choice(p.get("category_source"), "category_source", CATEGORY_SOURCES),
            r.text(p, "summary"),
            r.url(p.get("source"), "source"),
        )
        if any(v is None for v in values):
            return None
        return Response(*values)  # type: ignore[arg-type]

    deadline = None
    if "deadline" in f and not r.is_null(f["deadline"]):
        d = r.mapping(f["deadline"], "deadline", _DEADLINE)
        words, day = r.text(d, "words"), r.date(d.get("date"), "date")
        if words is not None and day is not None:
            deadline = Deadline(words, day, r.text(d, "reasoning"))

    owners = tuple(r.each(f.get("owners"), "owners", owner))
    links = tuple(r.each(f.get("links"), "links", lambda n: r.integer(n, "links")))
    responses = tuple(r.each(f.get("responses"), "responses", response, required=True))
    return Recommendation(
        number=number,
        section=r.text(f, "section") or "",
        section_title=r.text(f, "section_title") or "",
        title=r.text(f, "title") or "",
        text=r.text(f, "text") or "",
        owners=owners,
        deadline=deadline,
        links=links,
        responses=responses,
        addressed_to=r.text(f, "addressed_to"),
        line=_line(node),
    )


# -- status files: status/<CODE>.yaml ---------------------------------------------------------

_UPDATE = {
    "recommendation": True,
    "dept": True,
    "date": True,
    "rag": True,
    "summary": True,
    "author": True,
    "evidence": False,
    "target_date": False,
    "reason": False,
}


def parse_status(raw: bytes, shown: str) -> tuple[list[StatusUpdate], list[Problem]]:
    """Read a department's status file: a list of returns. Raises DataError if unreadable."""
    text = decode(raw, shown)
    r = Reader(shown)
    try:
        root: Node | None = compose(text, shown)
    except DataError as e:
        if e.message != "the file is empty":
            raise
        root = None  # only comments so far: no returns yet
    updates: list[StatusUpdate] = []
    for node in r.sequence(root, "the file"):
        update = _status_update(r, node, shown)
        if update is not None:
            updates.append(update)
    return updates, r.problems


def _status_update(r: Reader, node: Node, shown: str) -> StatusUpdate | None:
    r.recommendation = _peek_number(node, "recommendation")
    f = r.mapping(node, "a return", _UPDATE)
    number = r.integer(f.get("recommendation"), "recommendation")
    rag_text = r.scalar(f.get("rag"), "rag")
    rag = parse_rag(rag_text) if rag_text is not None else None
    if rag_text is not None and rag is None:
        r.problem(f["rag"], "rag", f"{rag_text!r} is not a RAG rating: {RAG_CHOICES}")
    dept, day = r.text(f, "dept"), r.date(f.get("date"), "date")
    summary, author = r.text(f, "summary"), r.text(f, "author")
    evidence = tuple(r.each(f.get("evidence"), "evidence", lambda n: r.url(n, "evidence")))
    target_date = r.date(f.get("target_date"), "target_date")
    reason = r.text(f, "reason")
    if number is None or dept is None or day is None or rag is None or summary is None or author is None:
        return None
    return StatusUpdate(number, dept, day, rag, summary, author, evidence, target_date, reason, shown, _line(node))


def check_workspace(root: Path, today: date) -> tuple[list[tuple[Problem, bool]], dict[str, int]]:
    """Every problem in the workspace's YAML, each with whether it made a file unreadable."""
    from .updates import check_file
    from .workspace import MARKER, yaml_files

    counts = {"recommendations": 0, "departments": 0, "returns": 0}
    try:
        data, problems = load_dataset(root / MARKER)
    except DataError as e:
        return [(Problem(e.file or MARKER, e.line, e.message), True)], counts
    findings = [(p, False) for p in problems]
    counts["recommendations"], counts["departments"] = len(data.recommendations), len(data.registry.departments)
    for shown, path in yaml_files(root).items():
        if shown == MARKER:
            continue
        try:
            updates, problems = parse_status(read_bytes(path, shown), shown)
        except DataError as e:
            findings.append((Problem(e.file or shown, e.line, e.message), True))
            continue
        counts["returns"] += len(updates)
        findings.extend((p, False) for p in problems + check_file(updates, path.stem, data, today))
    return findings, counts
