"""Embedded broker: start on a free port, round-trip one message with aiokafka, stop."""

from __future__ import annotations

import asyncio
import os
import socket
import uuid

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from bakat_devstack.broker import EmbeddedBroker
from bakat_devstack.ports import PortInUseError, free_port
from bakat_devstack.topics import ensure_topics

pytestmark = pytest.mark.integration


async def _round_trip(bootstrap: str) -> None:
    topic = f"devstack-test-{uuid.uuid4().hex[:8]}"
    await ensure_topics(bootstrap, [topic], partitions=2)
    await ensure_topics(bootstrap, [topic], partitions=2)  # existing topic: fine

    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=False, acks="all")
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=f"g-{topic}",
        auto_offset_reset="earliest",
        fetch_max_wait_ms=10,
        session_timeout_ms=2000,
        heartbeat_interval_ms=400,
    )
    await producer.start()
    await consumer.start()
    try:
        await producer.send_and_wait(topic, b"hello", key=b"tenant:1")
        message = await asyncio.wait_for(consumer.getone(), timeout=30)
        assert (message.key, message.value) == (b"tenant:1", b"hello")
    finally:
        await consumer.stop()
        await producer.stop()


async def test_start_round_trip_stop() -> None:
    broker = EmbeddedBroker(free_port())
    broker.start()
    pid = broker.pid
    try:
        assert pid is not None and broker.is_running()
        await _round_trip(broker.bootstrap_servers)
    finally:
        broker.stop()
    assert not broker.is_running()
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_taken_port_fails_clearly() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        broker = EmbeddedBroker(sock.getsockname()[1])
        with pytest.raises(PortInUseError, match="BAKAT_EMBEDDED_KAFKA_PORT"):
            broker.start()
        assert broker.pid is None


async def test_plugin_fixture_round_trip(embedded_broker) -> None:  # type: ignore[no-untyped-def]
    await _round_trip(embedded_broker.bootstrap_servers)
