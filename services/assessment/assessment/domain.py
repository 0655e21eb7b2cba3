"""Assessment rules with no I/O."""

from __future__ import annotations

from datetime import date


def valid_until(completed: date, years: int) -> date:
    """Results expire `years` after completion (29 February falls back to 28 February)."""
    try:
        return completed.replace(year=completed.year + years)
    except ValueError:
        return completed.replace(year=completed.year + years, day=28)
