"""CloudEvents 1.0 structured-mode JSON envelope, with the `tenant` extension."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import Any, Literal

from pydantic import BaseModel, Field

from bakat_common.contracts import EventPayload


def _now() -> datetime:
    return datetime.now(timezone.utc)


class CloudEvent(BaseModel):
    specversion: Literal["1.0"] = "1.0"
    id: str = Field(default_factory=lambda: str(uuid.uuid4()))
    source: str
    type: str
    subject: str | None = None
    time: datetime = Field(default_factory=_now)
    datacontenttype: Literal["application/json"] = "application/json"
    tenant: str
    data: dict[str, Any]

    @property
    def key(self) -> str:
        """Kafka key: tenant:subject, so one subject's events stay in one partition, in order."""
        return f"{self.tenant}:{self.subject or ''}"

    def to_bytes(self) -> bytes:
        return self.model_dump_json().encode()

    @classmethod
    def from_bytes(cls, raw: bytes) -> CloudEvent:
        return cls.model_validate_json(raw)


def new_event(payload: EventPayload, *, service: str, tenant: str, subject: str) -> CloudEvent:
    return CloudEvent(
        source=f"/bakat/{service}",
        type=payload.event_type,
        subject=subject,
        tenant=tenant,
        data=payload.model_dump(mode="json"),
    )


def bulk_envelope(
    payload_type: type[EventPayload], data: dict[str, Any], *, service: str, tenant: str, subject: str
) -> dict[str, Any]:
    """What `new_event(payload_type(**data), ...).model_dump(mode="json")` gives, without building two
    pydantic models per event: for bulk changes (a 100,000-row import), where that costs more than
    the write itself. `data` must carry exactly the payload's fields, already valid (dates may stay
    dates: the outbox serialises them as pydantic does); tests hold the two paths equal.
    """
    return {
        "specversion": "1.0",
        "id": str(uuid.uuid4()),
        "source": f"/bakat/{service}",
        "type": payload_type.event_type,
        "subject": subject,
        "time": _now(),
        "datacontenttype": "application/json",
        "tenant": tenant,
        "data": data,
    }
