"""Settings: URLs as operators hand them out work as they are."""

from __future__ import annotations

import pytest
from bakat_common.settings import ServiceSettings


@pytest.mark.parametrize(
    ("given", "used"),
    [
        ("postgresql://app:s3cret@bakat-roster-rw.bakat:5432/app", "postgresql+asyncpg://app:s3cret@bakat-roster-rw.bakat:5432/app"),
        ("postgres://app@db/app", "postgresql+asyncpg://app@db/app"),
        ("postgresql+asyncpg://postgres@/bakat?host=/tmp", "postgresql+asyncpg://postgres@/bakat?host=/tmp"),
    ],
)
def test_a_libpq_database_url_is_used_with_asyncpg(given: str, used: str, monkeypatch) -> None:
    monkeypatch.setenv("BAKAT_DATABASE_URL", given)
    assert ServiceSettings().database_url == used
