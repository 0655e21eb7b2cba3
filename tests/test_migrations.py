"""Each service's migrations build exactly the schema its models (and the shared tables) describe."""

from __future__ import annotations

import asyncio
import importlib.resources
import uuid

import pytest
from alembic import command
from alembic.config import Config
from bakat_devstack.migrations import migrate
from bakat_devstack.postgres import ensure_database

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("service", ["roster", "assessment", "placement", "scheduling"])
async def test_models_and_migrations_agree(embedded_postgres, service):
    name = f"check_{service}_{uuid.uuid4().hex[:6]}"
    await ensure_database(embedded_postgres.server_url, name)
    url = embedded_postgres.database_url(name)
    await asyncio.to_thread(migrate, service, url)

    def check() -> None:
        cfg = Config()
        cfg.set_main_option("script_location", str(importlib.resources.files(service) / "migrations"))
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
        command.check(cfg)  # raises when autogenerate would find a difference

    await asyncio.to_thread(check)
