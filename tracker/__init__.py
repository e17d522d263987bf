"""tracker: follow up the recommendations of Dame Carol Black's Review of drugs part two."""
