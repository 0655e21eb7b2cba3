"""Versioned event payloads: the only code services share about each other.

A payload's `event_type` is `bakat.<producer>.<thing>.<verb>.v<N>`. A breaking change is a new class
with a new version; the old one stays until no consumer reads it.
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel, ConfigDict


class EventPayload(BaseModel):
    model_config = ConfigDict(frozen=True)
    event_type: ClassVar[str]


REGISTRY: dict[str, type[EventPayload]] = {}


def register(cls: type[EventPayload]) -> type[EventPayload]:
    if cls.event_type in REGISTRY:
        raise ValueError(f"duplicate event type {cls.event_type}")
    REGISTRY[cls.event_type] = cls
    return cls


from bakat_common.contracts import assessment, placement, roster, scheduling  # noqa: E402,F401  (fills REGISTRY)
