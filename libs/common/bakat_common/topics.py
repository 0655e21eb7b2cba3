"""Kafka topic names: one topic per producing service, plus a dead-letter topic per consumer group."""

from __future__ import annotations

SERVICES = ("roster", "assessment", "placement", "scheduling")
DEFAULT_PARTITIONS = 6


def service_topic(service: str) -> str:
    return f"bakat.{service}"


def dead_letter_topic(consumer_group: str) -> str:
    return f"bakat.dlq.{consumer_group}"


def all_topics() -> list[str]:
    """Every topic the platform uses, for creating them up front."""
    return [service_topic(s) for s in SERVICES] + [dead_letter_topic(s) for s in SERVICES]
