"""schemathesis against the assessment service's OpenAPI: generated requests (valid and invalid) on a
seeded tenant; no 5xx and every answer as documented."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
import schemathesis
from assessment.config import AssessmentSettings
from assessment.consumers import consumer_specs
from assessment.main import create_app
from bakat_common.app import ServiceRuntime
from bakat_common.auth import DevIssuer
from bakat_common.contracts.competencies import POTENTIAL_ASPECTS, STANDARD_COMPETENCIES

from tests.fuzz.conftest import (
    ALL_ROLES,
    REQUIRED_REQUESTS,
    Seeded,
    ServiceUnderFuzz,
    fuzz_case,
    fuzz_settings,
    openapi_schema,
    summary,
)
from tests.fuzz.replicas import ACTIVE_NIPS, KOTA, NIPS, deliver, roster_events, without_replica_wait

pytestmark = pytest.mark.integration
INSTRUMENTS = list(STANDARD_COMPETENCIES[:3])


async def seed(client: httpx.AsyncClient, runtime: ServiceRuntime, issuer: DevIssuer) -> Seeded:
    # Roster's tenants, units, posts and employees, through the consumer's handlers.
    await deliver(runtime, consumer_specs(), roster_events())
    officer = {"authorization": f"Bearer {issuer.mint('siti', KOTA, ['officer'])}"}
    # The fuzzer's own subject assesses (and leads) the workflow's assessments, so that ratings reach
    # the route's rules rather than stopping at "not assigned".
    fuzzer = {"authorization": f"Bearer {issuer.mint('fuzzer', KOTA, ALL_ROLES)}"}
    second = {"authorization": f"Bearer {issuer.mint('asesor-2', KOTA, ['assessor'])}"}

    async def call(method: str, url: str, expected: int, headers=officer, **kwargs) -> httpx.Response:
        r = await client.request(method, f"/tenants/{KOTA}{url}", headers=headers, **kwargs)
        assert r.status_code == expected, r.text
        return r

    technical = {"code": "Manajemen ASN", "name": "Manajemen ASN", "kind": "technical"}
    await call("POST", "/instruments", 201, json=technical)
    campaign = {
        "name": "Pemetaan Kompetensi 2025", "method": "assessment_center", "instruments": INSTRUMENTS,
        "exercises": ["In-tray", "LGD"], "selection": {"nips": ACTIVE_NIPS[:4]},
    }  # fmt: skip
    campaign_id = (await call("POST", "/campaigns", 201, json=campaign)).json()["id"]
    await call("POST", f"/campaigns/{campaign_id}/participants", 200, json={"nips": [ACTIVE_NIPS[4]]})
    listed = (await call("GET", "/assessments", 200, params={"campaign_id": campaign_id})).json()
    ids = {a["nip"]: a["id"] for a in listed}
    completed, rated, assigned = ids[ACTIVE_NIPS[0]], ids[ACTIVE_NIPS[1]], ids[ACTIVE_NIPS[2]]
    for assessment_id in (completed, rated, assigned):
        team = {"assessors": ["fuzzer", "asesor-2"], "lead": "fuzzer"}
        await call("PUT", f"/assessments/{assessment_id}/assessors", 200, json=team)
    instruments = INSTRUMENTS + ["Manajemen ASN"]  # the posts' technical standard is rated too
    for assessment_id in (completed, rated):
        ratings = [{"instrument": i, "exercise": e, "level": 3 + n % 2, "evidence": "mengarahkan diskusi"}
                   for n, i in enumerate(instruments) for e in ("In-tray", "LGD")]  # fmt: skip
        for assessor in (fuzzer, second):
            url = f"/assessments/{assessment_id}/ratings"
            await call("PUT", url, 200, headers=assessor, json={"ratings": ratings})
    integrated = [{"instrument": i, "level": 3} for i in instruments]
    url = f"/assessments/{completed}/integrated-ratings"
    await call("PUT", url, 200, headers=fuzzer, json={"ratings": integrated})
    await call("POST", f"/assessments/{completed}/completion", 200)
    # Results scored elsewhere, and SKP ratings.
    result = {"nip": ACTIVE_NIPS[3], "potential_score": 81.5, "jpm": 77}
    direct = await call("POST", "/assessments", 201, json=result)
    scores = {**{i: 4 for i in INSTRUMENTS}, **{code: 3 for code, _ in POTENTIAL_ASPECTS}}
    batch = {"results": [{"nip": ACTIVE_NIPS[4], "scores": scores}]}
    batched = await call("POST", "/assessments/batch", 201, json=batch)
    for n, nip in enumerate(ACTIVE_NIPS[:3]):
        behaviour = ["sesuai", "di_atas"][n % 2]
        rating = {"nip": nip, "year": 2024, "hasil_kerja": "sesuai", "perilaku_kerja": behaviour}
        await call("POST", "/performance-ratings", 201, json=rating)
    skp_batch = [{"nip": ACTIVE_NIPS[0], "year": 2023, "predikat": "Baik"}]
    await call("POST", "/performance-ratings/batch", 200, json=skp_batch)
    assessment_ids = [completed, rated, assigned, direct.json()["id"], *batched.json()["assessment_ids"]]
    return Seeded(KOTA, {"nip": NIPS, "campaign_id": [campaign_id], "assessment_id": assessment_ids})


ASSESSMENT = ServiceUnderFuzz("assessment", without_replica_wait(AssessmentSettings), create_app, seed)
schema = openapi_schema(ASSESSMENT)


@pytest.fixture(scope="module")
def target(embedded_postgres) -> Iterator[ServiceUnderFuzz]:
    ASSESSMENT.start(embedded_postgres)
    yield ASSESSMENT
    ASSESSMENT.stop()


@schema.parametrize()
@fuzz_settings(examples_per_operation=40)  # 29 operations
def test_assessment_api(case: schemathesis.Case, target: ServiceUnderFuzz) -> None:
    fuzz_case(target, case)


def test_assessment_serves_the_fuzzed_document(target: ServiceUnderFuzz) -> None:
    assert target.served_document() == schema.raw_schema


def test_assessment_fuzz_sent_enough_requests(target: ServiceUnderFuzz) -> None:
    print(summary(target))
    assert target.requests >= REQUIRED_REQUESTS, summary(target)
