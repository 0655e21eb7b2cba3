"""Upgrade a service's database with its own Alembic migrations (no alembic.ini: the package has them).

    python -m bakat_common.migrate roster            # BAKAT_DATABASE_URL names the database

What the Helm chart's pre-install/pre-upgrade Job runs, one container per service; the local stack
calls `migrate()` directly. Blocking: the services' env.py call asyncio.run.
"""

from __future__ import annotations

import argparse
import importlib.resources
import os
import sys
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

    Must not run on a thread with a running event loop: from async code use
    `await asyncio.to_thread(migrate, ...)`. Not thread-safe (alembic keeps global context).
    """
    command.upgrade(alembic_config(package_name, async_url), revision)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Upgrade a Bakat service's database to the latest revision.")
    parser.add_argument("service", help="the service package: roster, assessment, placement or scheduling")
    parser.add_argument("--revision", default="head")
    args = parser.parse_args(argv)
    url = os.environ.get("BAKAT_DATABASE_URL")
    if not url:
        print("BAKAT_DATABASE_URL is not set", file=sys.stderr)
        return 2
    migrate(args.service, url, args.revision)
    return 0


if __name__ == "__main__":
    sys.exit(main())
