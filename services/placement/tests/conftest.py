"""The placement service in process on a fresh database of the embedded PostgreSQL (no broker)."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager

import pytest
from bakat_devstack.in_process import AppParts, in_process_service
from placement.config import PlacementSettings
from placement.main import create_app


@pytest.fixture(scope="module")
def placement_app(embedded_postgres) -> Callable[[str], AbstractAsyncContextManager[AppParts]]:
    """`async with placement_app("label", **settings) as (client, runtime, issuer)`: the app on its own
    database."""

    def start(label: str, **settings) -> AbstractAsyncContextManager[AppParts]:
        return in_process_service(
            embedded_postgres, "placement", PlacementSettings, create_app, label, **settings
        )

    return start
