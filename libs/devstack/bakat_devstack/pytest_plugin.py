"""Pytest fixtures for suites that need real infrastructure.

Register from a conftest: `pytest_plugins = ["bakat_devstack.pytest_plugin"]`.

- `embedded_postgres`: a PostgreSQL server for the session (`.server_url`, `.database_url(name)`);
  BAKAT_POSTGRES_URL, when set, is used instead of starting one.
- `embedded_broker`: a Kafka-protocol broker for the session (`.bootstrap_servers`);
  BAKAT_KAFKA_BOOTSTRAP_SERVERS, when set, is used instead of starting one.

Both fixtures are synchronous so they start in pytest's main thread (children are tied to the
thread that spawns them) and do not depend on any event loop scope.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from bakat_devstack.broker import BrokerHandle, EmbeddedBroker, ExternalBroker
from bakat_devstack.ports import free_port
from bakat_devstack.postgres import EmbeddedPostgres, ExternalPostgres, PostgresHandle
from bakat_devstack.settings import DevstackSettings


@pytest.fixture(scope="session")
def devstack_settings() -> DevstackSettings:
    """Settings from the environment; override this fixture to change them."""
    return DevstackSettings()


@pytest.fixture(scope="session")
def embedded_postgres(devstack_settings: DevstackSettings) -> Iterator[PostgresHandle]:
    if devstack_settings.postgres_url:
        yield ExternalPostgres(devstack_settings.postgres_url)
        return
    # A throwaway cluster outside the checkout; fsync off: nothing here has to survive a crash.
    root = Path(tempfile.mkdtemp(prefix="bakat-pg-"))
    server = EmbeddedPostgres(root / "pgdata", free_port(devstack_settings.host), devstack_settings.host,
                              unsafe_fast=True)
    try:
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def embedded_broker(devstack_settings: DevstackSettings) -> Iterator[BrokerHandle]:
    if devstack_settings.kafka_bootstrap_servers:
        external = ExternalBroker(devstack_settings.kafka_bootstrap_servers)
        external.start()  # fail fast with a clear message when nothing answers
        yield external
        return
    broker = EmbeddedBroker(free_port(devstack_settings.host), devstack_settings.host)
    try:
        broker.start()
        yield broker
    finally:
        broker.stop()
