"""Rating: how a recommendation, an owner or a return is rated, and how ratings compare."""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum


class Rating(str, Enum):
    """A RAG rating, or no return. Declared in the order a board reads counts in.

    A return is rated red, amber, green or complete (BRAG's blue); NO_RETURN is what an owner
    is rated when it has made no return in the reporting window. Every rating is always shown
    as its word, because colour alone fails colour-blind readers and black-and-white printers.
    """

    RED = "red"
    AMBER = "amber"
    GREEN = "green"
    COMPLETE = "complete"
    NO_RETURN = "no_return"

    @property
    def word(self) -> str:
        """`RED`, `NO RETURN`: how the rating is printed."""
        return self.value.replace("_", " ").upper()

    @property
    def label(self) -> str:
        """`Red`, `No return`: the rating as a table's row label."""
        return self.word.capitalize()

    @property
    def letter(self) -> str:
        return _LETTERS[self]

    @property
    def symbol(self) -> str:
        """A shape for each rating, told apart in black and white: `✖ RED`, `▲ AMBER`."""
        return _SYMBOLS[self]

    @property
    def colour(self) -> str:
        return _COLOURS[self]

    @property
    def severity(self) -> int:
        """0 for the worst (red); silence is worse than amber, complete is best."""
        return _WORST_FIRST.index(self)

    @classmethod
    def parse(cls, text: str) -> Rating | None:
        """A return's rating from its word or letter, any case: `Amber`, `a`, `B` (blue) for complete."""
        return _RETURN_WORDS.get(text.strip().casefold())

    @classmethod
    def parse_filter(cls, text: str) -> Rating | None:
        """A rating to select by: a return's rating, or `no-return` (also `none`, `n`)."""
        if text.strip().casefold().replace("-", " ").replace("_", " ") in ("no return", "none", "n"):
            return cls.NO_RETURN
        return cls.parse(text)


# Worst first: a recommendation is as bad as its worst owner.
_WORST_FIRST = (Rating.RED, Rating.NO_RETURN, Rating.AMBER, Rating.GREEN, Rating.COMPLETE)
_LETTERS = {Rating.RED: "R", Rating.AMBER: "A", Rating.GREEN: "G", Rating.COMPLETE: "C", Rating.NO_RETURN: "N"}
_SYMBOLS = {Rating.RED: "✖", Rating.AMBER: "▲", Rating.GREEN: "●", Rating.COMPLETE: "✔", Rating.NO_RETURN: "○"}
_COLOURS = {
    Rating.RED: "red",
    Rating.AMBER: "yellow",
    Rating.GREEN: "green",
    Rating.COMPLETE: "blue",
    Rating.NO_RETURN: "magenta",
}
RETURN_RATINGS = (Rating.RED, Rating.AMBER, Rating.GREEN, Rating.COMPLETE)
# A return's rating from its word or its letter; B is BRAG's blue, another word for complete.
_RETURN_WORDS = {key: r for r in RETURN_RATINGS for key in (r.value, r.letter.lower())}
_RETURN_WORDS |= {"b": Rating.COMPLETE, "blue": Rating.COMPLETE}
RATING_CHOICES = ", ".join(f"{r.value} ({r.letter})" for r in RETURN_RATINGS).replace("(C)", "(C or B for blue)")


def worst(ratings: Iterable[Rating]) -> Rating:
    """The worst of `ratings`; no ratings at all is no return."""
    return min(ratings, key=lambda r: r.severity, default=Rating.NO_RETURN)


def trend(previous: Rating | None, latest: Rating) -> str | None:
    """`better`, `worse` or `same` from one rating to the next; None for a first rating."""
    if previous is None:
        return None
    if latest.severity == previous.severity:
        return "same"
    return "better" if latest.severity > previous.severity else "worse"
