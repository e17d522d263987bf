"""The files `tracker init --partnership` writes: the national recommendations kept for reference,
and an empty local delivery plan with a registry of local bodies to extend."""

from __future__ import annotations

from datetime import date

from .blocks import _scalar

_REVIEW_SOURCE = "  source: https://www.gov.uk/government/publications/review-of-drugs-phase-two-report/"


def partnership_files(partnership: str, today: date, review: bytes, plan: bytes) -> tuple[bytes, bytes]:
    """recommendations.yaml (from the default data, `review`) with the review kept for reference and the
    partnership's board named, and sources/plan.yaml (from the template `plan`), for `partnership`."""
    text = review.decode("utf-8")
    at = text.index("\n", text.index(_REVIEW_SOURCE)) + 1
    follow = (
        "  # Kept for reference: the partnership follows its own plan (sources/plan.yaml), whose actions\n"
        "  # name the recommendations they deliver; no returns are asked for on these.\n"
        "  follow: false\n"
    )
    called = partnership if partnership.casefold().endswith("partnership") else f"{partnership} Combating Drugs Partnership"
    area = (
        partnership[: -len(" Combating Drugs Partnership")]
        if partnership.endswith(" Combating Drugs Partnership")
        else partnership
    )
    board = f"\nboard:\n  name: {_scalar(called + ' board')}\n"
    text = text[:at] + follow + text[at:]
    at = text.index("\n# An owner with no return")
    text = text[:at] + board.rstrip("\n") + "\n" + text[at:]
    values = {
        "called": called,
        "title": _scalar(f"{area} delivery plan"),
        "author": _scalar(called),
        "published": today.isoformat(),
    }
    filled = plan.decode("utf-8")
    for key, value in values.items():
        filled = filled.replace("{" + key + "}", value)
    return text.encode("utf-8"), filled.encode("utf-8")


def local_outcomes(framework: bytes) -> bytes:
    """The outcomes framework for a partnership: its outcomes and measures, without England's
    baselines and targets (a partnership's figures are its area's, and judged against its own)."""
    out: list[str] = []
    skipping = None  # the indent of a baseline or target block being left out
    for line in framework.decode("utf-8").splitlines(keepends=True):
        indent = len(line) - len(line.lstrip(" "))
        if skipping is not None and line.strip() and indent > skipping:
            continue
        if line.strip():
            skipping = None
        if line.strip() in ("baseline:", "target:"):
            skipping = indent
            if out and out[-1].strip().startswith("#") and len(out[-1]) - len(out[-1].lstrip(" ")) == indent:
                out.pop()  # the comment on it goes with it
            continue
        out.append(line)
    text = "".join(out)
    note = (
        "# In a partnership's workspace: England's baselines and targets are left out, as the values here are\n"
        "# the area's own; give a measure the partnership's own `baseline:` and `target:` in the same form.\n"
        "#\n"
    )
    at = text.index("framework:")
    return (text[:at] + note + text[at:]).encode("utf-8")
