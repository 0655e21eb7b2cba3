"""Which service owns a path. Pure (no I/O): a static, ordered table of regexes, first match wins.

Order matters where prefixes nest: an employee's placement and performance ratings live in other
services than the employee itself, so those rules come before the roster's `employees` rule.
"""

from __future__ import annotations

import re
from typing import Final

SERVICES: Final = ("roster", "assessment", "placement", "scheduling")

_T = r"^/tenants/[^/]+"  # a tenant's resources

ROUTES: Final[tuple[tuple[re.Pattern[str], str], ...]] = tuple(
    (re.compile(pattern), service)
    for pattern, service in (
        (r"^/tenants/?$", "roster"),
        (r"^/tenants/[^/]+/?$", "roster"),
        (_T + r"/employees/[^/]+/(placement|development-plan|rapor)(/.*)?$", "placement"),
        (_T + r"/employees/[^/]+/(performance-ratings|assessments)(/.*)?$", "assessment"),
        (_T + r"/employees(/.*)?$", "roster"),
        (_T + r"/(units|positions|imports|exports)(/.*)?$", "roster"),
        (
            _T
            + r"/(assessments|performance-ratings|campaigns|instruments|development-rules|reassessments)(/.*)?$",
            "assessment",
        ),
        (
            _T
            + r"/(placements|talent-pool|nine-box|rule-sets|calibrations|succession|development-plans)(/.*)?$",
            "placement",
        ),
        (_T + r"/(venues|assessors|schedules)(/.*)?$", "scheduling"),
        # The audit trail of each kind of personal data is kept where that data lives.
        (_T + r"/audit/assessments(/.*)?$", "assessment"),
        (_T + r"/audit/placements(/.*)?$", "placement"),
    )
)


def resolve(path: str) -> str | None:
    """The service that serves `path` (no query string), or None when no service does."""
    for pattern, service in ROUTES:
        if pattern.fullmatch(path):  # fullmatch: `$` alone would also accept a trailing newline
            return service
    return None
