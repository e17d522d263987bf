"""Strict YAML, read with line numbers.

Files are composed into YAML nodes (never constructed into Python objects by PyYAML) and read
field by field, so that every value keeps its line, every scalar is read as the type its field
names (no YAML 1.1 guessing: `NO` stays text, `3.10` stays "3.10"), duplicate and unknown keys
are reported, and unsafe tags or aliases are refused before anything is built from them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import NoReturn, TypeVar

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from tracker.domain.problem import Problem
from tracker.domain.values import excerpt, is_url, parse_date, parse_period
from tracker.errors import DataError

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


def decode(raw: bytes, shown: str) -> str:
    """Decode a file as UTF-8, naming the line of any byte that is not."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw.count(b"\n", 0, e.start) + 1
        raise DataError(f"not valid UTF-8 (byte 0x{raw[e.start]:02x}); save the file as UTF-8", shown, line) from None


def compose(text: str | bytes, shown: str, offset: int = 0) -> Node:
    """Parse YAML text into a node tree, turning every parser error into one located line.

    `offset`: how many lines of the file come before `text`, when it is a part of one. Bytes
    must be UTF-8 already checked: libyaml reads them as they are, without a copy.
    """
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        message = e.problem or e.context or "invalid YAML"
        if "\t" in message or "tab" in message:
            message += " (YAML cannot be indented with tabs; use spaces)"
        raise DataError(f"YAML syntax error: {message}", shown, mark.line + 1 + offset if mark else None) from None
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
    return f"the value {excerpt(node.value)}"


class Reader:
    """Reads values out of a node tree, collecting problems and raising on unreadable shapes."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []
        self.recommendation: int | str | None = None  # the item being read: a number, or a source's ref
        self.offset = 0  # lines of the file before the text being read, when it is read in parts
        # An entry's item named by a ref (`CP-3`, `R12`) rather than a number: its number, or None.
        self.refs: Callable[[str], int | None] | None = None
        self._seen: set[int] = set()

    def part(self, offset: int) -> None:
        """Start reading the next part of the file, which begins after `offset` lines."""
        self.offset = offset
        self._seen = set()  # the last part's nodes are gone, and their ids may be reused

    def line(self, node: Node) -> int:
        return int(node.start_mark.line) + 1 + self.offset

    # -- reporting -------------------------------------------------------------------------
    def fatal(self, node: Node, message: str) -> NoReturn:
        where = f"recommendation {self.recommendation}: " if self.recommendation is not None else ""
        raise DataError(where + message, self.file, self.line(node))

    def problem(self, node: Node, field: str | None, message: str) -> None:
        self.problems.append(Problem(self.file, self.line(node), message, self.recommendation, field))

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
        if "\x00" in value:  # written "\0" or "\x00": export could not give it to a spreadsheet
            self.problem(node, what, "holds a NUL character (\\0), which no spreadsheet can hold; leave it out")
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
            if len(value) > 9:
                self.problem(node, what, f"{excerpt(value)} is too large a number")
                return None
            return int(value)
        if isinstance(node, ScalarNode) and not node.style and _YAML11_NUMBER.fullmatch(value):
            self.fatal(
                node,
                f"{what}: {excerpt(value)} is ambiguous (YAML 1.1 reads it as another number); write a plain decimal such as 10",
            )
        self.problem(node, what, f"{excerpt(value)} is not a whole number")
        return None

    def boolean(self, node: Node | None, what: str) -> bool | None:
        """`true` or `false` (yes and no too, in any case)."""
        value = self.scalar(node, what)
        if value is None or node is None:
            return None
        word = value.strip().casefold()
        if word in ("true", "yes"):
            return True
        if word in ("false", "no"):
            return False
        self.problem(node, what, f"{excerpt(value)} is not true or false")
        return None

    def item(self, node: Node | None, what: str) -> int | None:
        """The item an entry is on: a review recommendation's number, or (with `refs`) an item's ref."""
        if self.refs is None or not isinstance(node, ScalarNode):
            return self.integer(node, what)
        if _DECIMAL.fullmatch(node.value.strip()):
            number = self.integer(node, what)
            if number is not None and self.refs(str(number)) is None:  # a review's number, or nothing
                self.problem(node, what, f"there is no recommendation {number} (another source's items are named by their refs)")
                return None
            return number
        value = self.scalar(node, what)
        if value is None:
            return None
        number = self.refs(value)
        if number is None:
            self.problem(
                node,
                what,
                f"{excerpt(value.strip())} names no item of any source (nor a recommendation number); an item"
                " whose source is gone can be kept, with its source, as `follow: false`",
            )
        else:
            self.recommendation = value.strip()
        return number

    def date(self, node: Node | None, what: str) -> date | None:
        value = self.scalar(node, what)
        if value is None or node is None:
            return None
        try:
            return parse_date(value)
        except ValueError as e:
            self.problem(node, what, str(e))
            return None

    def period(self, node: Node | None, what: str, parse: Callable[[str], object] = parse_period) -> str | None:
        """A day, a month or a year (YYYY-MM-DD, YYYY-MM, YYYY), as written; or what `parse` reads
        (an outcome value's period takes a financial year too)."""
        value = self.scalar(node, what)
        if value is None or node is None:
            return None
        try:
            parse(value)
        except ValueError as e:
            self.problem(node, what, str(e))
            return None
        return value.strip()

    def choice(self, node: Node | None, what: str, choices: tuple[str, ...]) -> str | None:
        value = self.scalar(node, what)
        if value is None or node is None:
            return None
        if value.strip() not in choices:
            self.problem(node, what, f"{excerpt(value)} is not one of: {', '.join(choices)}")
            return None
        return value.strip()

    def url(self, node: Node | None, what: str) -> str | None:
        value = self.scalar(node, what)
        if value is None or node is None:
            return None
        if not is_url(value):
            self.problem(node, what, f"{excerpt(value)} is not an http(s) URL")
            return None
        return value.strip()

    def each(self, node: Node | None, what: str, read: Callable[[Node], T | None], required: bool = False) -> list[T]:
        nodes = self.sequence(node, what)
        if required and node is not None and not nodes and not self.is_null(node):
            self.problem(node, what, "is empty")
        return [item for n in nodes if (item := read(n)) is not None]


def compose_list(raw: bytes, shown: str) -> Node | None:
    """A file of blocks (an actions log, outcome values): its node tree, or None while it holds only comments."""
    try:
        return compose(decode(raw, shown), shown)
    except DataError as e:
        if e.message != "the file is empty":
            raise
        return None  # only comments so far


def line_of(node: Node) -> int:
    return int(node.start_mark.line) + 1


def peek_number(node: Node, key_name: str) -> int | None:
    """A record's number, if it can be seen, so problems found before it is read name it."""
    if isinstance(node, MappingNode):
        for key, value in node.value:
            if isinstance(key, ScalarNode) and key.value == key_name and isinstance(value, ScalarNode):
                text = value.value.strip()
                return int(text) if _DECIMAL.fullmatch(text) and len(text) <= 9 else None
    return None
