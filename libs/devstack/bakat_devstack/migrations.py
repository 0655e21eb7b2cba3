"""Run a service's Alembic migrations programmatically (no alembic.ini: the service package has them)."""

from __future__ import annotations

import importlib.resources
from pathlib import Path

from alembic import command
from alembic.config import Config


def migrations_dir(package_name: str) -> Path:
    """`<package>/migrations`, found through the import system (works for any install layout on disk)."""
    location = importlib.resources.files(package_name) / "migrations"
    if not isinstance(location, Path) or not location.is_dir():
        raise FileNotFoundError(f"package {package_name!r} has no migrations directory ({location})")
    return location


def alembic_config(package_name: str, async_url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir(package_name)))
    # ConfigParser interpolation: a literal % (URL-encoded passwords) must be doubled.
    cfg.set_main_option("sqlalchemy.url", async_url.replace("%", "%%"))
    return cfg


def migrate(package_name: str, async_url: str, revision: str = "head") -> None:
    """Upgrade the service's database to `revision`.

    Blocking, and must not run on a thread with a running event loop: the services' env.py call
    asyncio.run. From async code: `await asyncio.to_thread(migrate, ...)`. Not thread-safe
    (alembic keeps global context): run migrations one after another.
    """
    command.upgrade(alembic_config(package_name, async_url), revision)
