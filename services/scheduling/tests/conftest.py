"""The scheduling service in process on a fresh database of the embedded PostgreSQL (no broker)."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager

import pytest
from bakat_devstack.in_process import AppParts, in_process_service
from scheduling.config import SchedulingSettings
from scheduling.main import create_app


@pytest.fixture(scope="module")
def scheduling_app(embedded_postgres) -> Callable[[str], AbstractAsyncContextManager[AppParts]]:
    """`async with scheduling_app("label") as (client, runtime, issuer)`: the app on its own database."""

    def start(label: str) -> AbstractAsyncContextManager[AppParts]:
        return in_process_service(embedded_postgres, "scheduling", SchedulingSettings, create_app, label)

    return start
