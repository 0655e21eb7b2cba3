"""schemathesis against the scheduling service's OpenAPI: generated requests (valid and invalid) on a
seeded tenant; no 5xx and every answer as documented."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from datetime import date, timedelta

import httpx
import pytest
import schemathesis
from bakat_common.app import ServiceRuntime
from bakat_common.auth import DevIssuer
from scheduling.config import SchedulingSettings
from scheduling.consumers import consumer_specs
from scheduling.main import create_app

from tests.fuzz.conftest import (
    REQUIRED_REQUESTS,
    Seeded,
    ServiceUnderFuzz,
    fuzz_case,
    fuzz_settings,
    openapi_schema,
    summary,
)
from tests.fuzz.replicas import (
    ACTIVE_NIPS,
    KOTA,
    NIPS,
    PROVINCE,
    deliver,
    roster_events,
    without_replica_wait,
)

pytestmark = pytest.mark.integration
# A Monday three weeks ahead: the window is always in the future, whatever day the suite runs.
MONDAY = date.today() + timedelta(days=21 - date.today().weekday())


async def seed(client: httpx.AsyncClient, runtime: ServiceRuntime, issuer: DevIssuer) -> Seeded:
    # Roster's province, kota and the kota's employees, through the consumer's handlers.
    await deliver(runtime, consumer_specs(), roster_events())

    def headers(tenant: str, role: str) -> dict[str, str]:
        return {"authorization": f"Bearer {issuer.mint(f'{role}-1', tenant, [role])}"}

    async def call(method: str, url: str, expected: int, tenant: str = KOTA, role: str = "officer", **kwargs):
        r = await client.request(method, f"/tenants/{tenant}{url}", headers=headers(tenant, role), **kwargs)
        assert r.status_code == expected, r.text
        return r.json() if r.content else None

    rooms = [{"name": "Lab Komputer 1", "room_type": "computer_lab", "capacity": 30},
             {"name": "Ruang Diskusi", "room_type": "classroom", "capacity": 12,
              "available_dates": [(MONDAY + timedelta(days=d)).isoformat() for d in range(5)]}]  # fmt: skip
    school = {"name": "SMK Negeri 1 Kota Fuzz", "address": "Jl. Merdeka 1", "rooms": rooms}
    venue = await call("POST", "/venues", 201, json=school)
    interview = {"name": "Ruang Wawancara", "room_type": "interview_room", "capacity": 4}
    extra = await call("POST", f"/venues/{venue['id']}/rooms", 201, json=interview)
    await call("POST", "/venues", 201, tenant=PROVINCE, json={"name": "BPSDM Provinsi", "rooms": rooms[:1]})
    assessors = []
    for i, tenant in enumerate([KOTA, KOTA, PROVINCE, PROVINCE, PROVINCE]):
        body = {"subject": f"asesor-{i}", "name": f"Asesor {i}, M.Psi.",
                "certification": "Asesor SDM Aparatur", "max_participants_per_day": 8,
                "unit_path": "/BKPSDM/" if i == 0 else None,
                "conflicting_nips": [ACTIVE_NIPS[0]] if i == 1 else []}  # fmt: skip
        registered = await call("POST", "/assessors", 201, tenant=tenant, role="admin", json=body)
        assessors.append(registered["id"])
    await call("PATCH", f"/assessors/{assessors[1]}", 200, role="admin",
               json={"unavailable_dates": [(MONDAY + timedelta(days=4)).isoformat()]})  # fmt: skip

    async def solved(participants: list[str], group_min: int = 4) -> str:
        request = {
            "campaign_id": str(uuid.uuid4()), "name": "Asesmen Kompetensi 2026",
            "window": {"start": MONDAY.isoformat(), "end": (MONDAY + timedelta(days=4)).isoformat()},
            "participants": [{"nip": n} for n in participants], "daily_cap": 8,
            "ratio": {"assessors": 7, "participants": 25}, "group_min": group_min, "time_limit_s": 5,
        }  # fmt: skip
        schedule_id = (await call("POST", "/schedules", 202, json=request))["id"]
        for _ in range(200):  # the solve runs as a background task of the request
            got = await call("GET", f"/schedules/{schedule_id}", 200)
            if got["status"] not in ("queued", "solving"):
                assert got["status"] in ("optimal", "feasible"), got["reasons"]
                return schedule_id
            await asyncio.sleep(0.05)
        raise AssertionError(f"schedule {schedule_id} still {got['status']}")

    published = await solved(ACTIVE_NIPS[:4])
    await call("POST", f"/schedules/{published}/publish", 200)
    draft = await solved(ACTIVE_NIPS[4:], group_min=1)
    return Seeded(
        KOTA,
        {"venue_id": [venue["id"]], "room_id": [r["id"] for r in venue["rooms"]] + [extra["id"]],
         "assessor_id": assessors, "schedule_id": [published, draft], "nip": NIPS},
    )  # fmt: skip


SCHEDULING = ServiceUnderFuzz("scheduling", without_replica_wait(SchedulingSettings), create_app, seed)
schema = openapi_schema(SCHEDULING)


@pytest.fixture(scope="module")
def target(embedded_postgres) -> Iterator[ServiceUnderFuzz]:
    SCHEDULING.start(embedded_postgres)
    yield SCHEDULING
    SCHEDULING.stop()


@schema.parametrize()
@fuzz_settings(examples_per_operation=65)  # 17 operations
def test_scheduling_api(case: schemathesis.Case, target: ServiceUnderFuzz) -> None:
    fuzz_case(target, case)


def test_scheduling_serves_the_fuzzed_document(target: ServiceUnderFuzz) -> None:
    assert target.served_document() == schema.raw_schema


def test_scheduling_fuzz_sent_enough_requests(target: ServiceUnderFuzz) -> None:
    print(summary(target))
    assert target.requests >= REQUIRED_REQUESTS, summary(target)
