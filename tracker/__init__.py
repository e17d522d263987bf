"""tracker: follow up the recommendations of Dame Carol Black's Review of drugs part two."""

__version__ = "0.1.0"
