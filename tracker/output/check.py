"""What `tracker check` prints: a line per problem, GitHub workflow annotations, or JSON."""

from __future__ import annotations

from collections.abc import Sequence

from tracker.domain.problem import Problem

from .text import clean


def _escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: str) -> str:
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


def github_annotation(p: Problem) -> str:
    """A GitHub Actions workflow command that shows the problem on the pull request's diff."""
    props = [f"file={_escape_property(p.file)}"]
    if p.line:
        props.append(f"line={p.line}")
    props.append("title=" + _escape_property("tracker check"))
    return f"::error {','.join(props)}::{_escape_data(p.detail())}"


def _line(text: str) -> str:
    """A problem as exactly one line: a file name or key holding a line break cannot forge another."""
    return " ".join(clean(text).split("\n"))


def counted(counts: dict[str, int]) -> str:
    """`32 recommendations, 22 departments, 1 return, 0 assessments`."""
    return ", ".join(f"{n} {name if n != 1 else name.removesuffix('s')}" for name, n in counts.items())


def check_output(findings: Sequence[tuple[Problem, bool]], counts: dict[str, int], format: str) -> tuple[str, str]:
    """What check prints to stdout and to stderr. In the github format, an unreadable file is
    also named on stderr, so the log says why the job stopped."""
    if format == "json":
        from .jsonout import check_document, to_json

        return to_json(check_document(findings, counts)), ""
    out: list[str] = []
    err: list[str] = []
    # Keys, values and file names in a problem come from the data: no escape sequence gets through.
    for p, fatal in findings:
        out.append(_line(github_annotation(p) if format == "github" else p.describe()))
        if fatal and format == "github":
            err.append(_line(p.describe()))
    if findings:
        err.append(f"{len(findings)} problem{'s' if len(findings) != 1 else ''} found")
    else:
        out.append(f"ok: {counted(counts)}, no problems")
    return "".join(line + "\n" for line in out), "".join(line + "\n" for line in err)
