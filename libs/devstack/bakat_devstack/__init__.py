"""Local stack for Bakat: embedded PostgreSQL and Kafka-protocol broker, migrations, topics, services."""

from bakat_devstack.broker import EmbeddedBroker, ExternalBroker, wait_for_broker
from bakat_devstack.migrations import migrate
from bakat_devstack.platform import Endpoints, Platform, ServiceFailed
from bakat_devstack.ports import free_port, is_port_free
from bakat_devstack.postgres import (
    EmbeddedPostgres,
    ExternalPostgres,
    async_database_url,
    drop_database,
    ensure_database,
)
from bakat_devstack.settings import DevstackSettings, with_free_ports
from bakat_devstack.topics import ensure_topics

__all__ = [
    "DevstackSettings",
    "EmbeddedBroker",
    "EmbeddedPostgres",
    "Endpoints",
    "ExternalBroker",
    "ExternalPostgres",
    "Platform",
    "ServiceFailed",
    "async_database_url",
    "drop_database",
    "ensure_database",
    "ensure_topics",
    "free_port",
    "is_port_free",
    "migrate",
    "wait_for_broker",
    "with_free_ports",
]
