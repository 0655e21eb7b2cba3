"""Create the platform's topics up front (auto-creation would use the broker's default partitions)."""

from __future__ import annotations

from collections.abc import Iterable

from aiokafka.admin import AIOKafkaAdminClient, NewTopic

_TOPIC_ALREADY_EXISTS = 36  # Kafka error code; Tansu answers it instead of raising


class TopicError(RuntimeError):
    pass


async def ensure_topics(
    bootstrap_servers: str,
    names: Iterable[str],
    partitions: int,
    replication_factor: int = 1,
) -> None:
    """Create each topic unless it exists; anything but success/already-exists is an error."""
    wanted = [NewTopic(name, partitions, replication_factor) for name in names]
    if not wanted:
        return
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, request_timeout_ms=10_000)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [t for t in wanted if t.name not in existing]
        if not missing:
            return
        response = await admin.create_topics(missing)
        failures = []
        for entry in response.topic_errors:  # (topic, code) in v0, (topic, code, message) later
            topic, code = entry[0], entry[1]
            message = entry[2] if len(entry) > 2 and entry[2] else ""
            if code not in (0, _TOPIC_ALREADY_EXISTS):
                failures.append(f"{topic}: error {code} {message}".strip())
        if failures:
            raise TopicError("could not create topics: " + "; ".join(failures))
    finally:
        await admin.close()
