"""schemathesis against the placement service's OpenAPI: generated requests (valid and invalid) on a
seeded tenant; no 5xx and every answer as documented."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone

import httpx
import pytest
import schemathesis
from bakat_common.app import ServiceRuntime
from bakat_common.auth import DevIssuer
from bakat_common.contracts.assessment import AssessmentCompletedV1, DevelopmentNeed, PerformanceRecordedV1
from bakat_common.contracts.roster import PositionVacatedV1
from bakat_common.events import new_event
from placement.config import PlacementSettings
from placement.consumers import consumer_specs
from placement.main import create_app

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
    EMPLOYEES,
    KOTA,
    NIPS,
    POSITIONS,
    deliver,
    roster_events,
    without_replica_wait,
)

pytestmark = pytest.mark.integration
NOW = datetime.now(timezone.utc)
# (potential score, SKP predikat) per placed employee: boxes 9, 8, 5 and 1; the fifth is never assessed.
INPUTS = [(88.0, "Sangat Baik"), (84.0, "Baik"), (70.0, "Baik"), (50.0, "Butuh Perbaikan")]


def assessment_events() -> list:
    """What assessment publishes: an SKP and a completed assessment per placed employee."""
    events = []
    for n, (nip, (score, predikat)) in enumerate(zip(ACTIVE_NIPS, INPUTS, strict=False)):
        weak = DevelopmentNeed(instrument="Komunikasi", level=2, target=3,
                               recommendation="Pelatihan public speaking", kind="training")  # fmt: skip
        completed = AssessmentCompletedV1(
            assessment_id=f"fuzz-{n}", nip=nip, version=1, potential_score=score, jpm=60.0 + 10 * (n % 3),
            completed_at=NOW - timedelta(days=30 * (n + 1)), valid_until=date.today() + timedelta(days=700),
            scores={"Komunikasi": 2 + n % 3, "Integritas": 3}, gaps={"Komunikasi": 1} if n % 2 else {},
            development=[weak] if n % 2 else [],
        )  # fmt: skip
        skp = PerformanceRecordedV1(nip=nip, year=2024, predikat=predikat, recorded_at=NOW)
        events += [new_event(skp, service="assessment", tenant=KOTA, subject=nip),
                   new_event(completed, service="assessment", tenant=KOTA, subject=nip)]  # fmt: skip
    return events


async def seed(client: httpx.AsyncClient, runtime: ServiceRuntime, issuer: DevIssuer) -> Seeded:
    # Roster's tenants, units, posts and employees, and assessment's results, through the consumer's
    # handlers; one post vacated for the succession views.
    vacant = "KASUBBAG-UMUM"
    holder = next(nip for nip, e in EMPLOYEES.items() if e[2] == vacant)
    _, tier, _, unit = POSITIONS[vacant]
    vacated = PositionVacatedV1(code=vacant, tier=tier, unit_code=unit, previous_holder_nip=holder)
    await deliver(runtime, consumer_specs(), roster_events())
    vacancy = new_event(vacated, service="roster", tenant=KOTA, subject=f"position:{vacant}")
    await deliver(runtime, consumer_specs(), [vacancy])
    await deliver(runtime, consumer_specs(), assessment_events())
    officer = {"authorization": f"Bearer {issuer.mint('siti', KOTA, ['officer'])}"}

    async def call(method: str, url: str, expected: int, **kwargs) -> httpx.Response:
        r = await client.request(method, f"/tenants/{KOTA}{url}", headers=officer, **kwargs)
        assert r.status_code == expected, r.text
        return r

    rules = {"potential_high": 80, "potential_middle": 60, "validity_years": 2,
             "reason": "Perwali 7/2025: dua tahun"}  # fmt: skip
    job_id = (await call("POST", "/rule-sets", 202, json=rules)).json()["job"]["id"]
    plan = f"/employees/{ACTIVE_NIPS[1]}/development-plan"
    adopted = (await call("POST", f"{plan}/adoptions", 200, json={"owner": "Bidang Pengembangan SDM"})).json()
    own = {"title": "Magang di Bappeda", "kind": "rotation", "start_date": "2026-02-01",
           "due_date": "2026-06-30"}  # fmt: skip
    added = (await call("POST", f"{plan}/items", 201, json=own)).json()
    item_ids = [i["id"] for i in adopted["adopted"]] + [added["id"]]
    programme = {"code": "COACHING-1-3", "title": "Coaching kinerja kotak 1-3", "kind": "coaching",
                 "boxes": [1, 2, 3]}  # fmt: skip
    programme_id = (await call("POST", "/development-plans/programmes", 201, json=programme)).json()["id"]
    opened = await call("POST", "/calibrations", 201, json={"title": "Kalibrasi talenta 2025"})
    calibration = opened.json()["id"]
    move = {"to_box": 6, "reason": "rekam jejak memimpin transformasi layanan"}
    await call("PUT", f"/calibrations/{calibration}/moves/{ACTIVE_NIPS[2]}", 201, json=move)
    succession = {"candidate_source": "both", "merit_index": 330, "reason": "KASN 2025"}
    await call("PUT", "/succession/settings", 200, json=succession)
    return Seeded(
        KOTA,
        {"nip": NIPS, "job_id": [job_id], "item_id": item_ids, "programme_id": [programme_id],
         "session_id": [calibration], "code": list(POSITIONS)},
    )  # fmt: skip


PLACEMENT = ServiceUnderFuzz("placement", without_replica_wait(PlacementSettings), create_app, seed)
schema = openapi_schema(PLACEMENT)


@pytest.fixture(scope="module")
def target(embedded_postgres) -> Iterator[ServiceUnderFuzz]:
    PLACEMENT.start(embedded_postgres)
    yield PLACEMENT
    PLACEMENT.stop()


@schema.parametrize()
@fuzz_settings(examples_per_operation=32)  # 35 operations
def test_placement_api(case: schemathesis.Case, target: ServiceUnderFuzz) -> None:
    fuzz_case(target, case)


def test_placement_serves_the_fuzzed_document(target: ServiceUnderFuzz) -> None:
    assert target.served_document() == schema.raw_schema


def test_placement_fuzz_sent_enough_requests(target: ServiceUnderFuzz) -> None:
    print(summary(target))
    assert target.requests >= REQUIRED_REQUESTS, summary(target)
