"""schemathesis against the roster service's OpenAPI: generated requests (valid and invalid) on a
seeded tenant; no 5xx and every answer as documented."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
import schemathesis
from bakat_common.app import ServiceRuntime
from bakat_common.auth import DevIssuer
from bakat_common.contracts.competencies import STANDARD_COMPETENCIES
from roster.config import RosterSettings
from roster.main import create_app

from tests.fuzz.conftest import (
    REQUIRED_REQUESTS,
    Seeded,
    ServiceUnderFuzz,
    fuzz_case,
    fuzz_settings,
    openapi_schema,
    summary,
)

pytestmark = pytest.mark.integration
PROVINCE, KOTA = "prov-fuzz", "kota-fuzz"
UNITS = ["SETDA", "BKPSDM", "DISDIK"]
POSITIONS = ["BKPSDM-KABAN", "DISDIK-KADIS"]
NIPS = ["198503152010011003", "199001012015011001", "197712202005012002"]


async def seed(client: httpx.AsyncClient, runtime: ServiceRuntime, issuer: DevIssuer) -> Seeded:
    ops = {"authorization": f"Bearer {issuer.mint('ops', '*', ['admin'])}"}
    for tenant in (
        {"id": PROVINCE, "name": "Provinsi Fuzz", "kind": "provinsi"},
        {"id": KOTA, "name": "Kota Fuzz", "kind": "kota", "parent_id": PROVINCE},
    ):
        r = await client.post("/tenants", headers=ops, json=tenant)
        assert r.status_code == 201, r.text
    officer = {"authorization": f"Bearer {issuer.mint('siti', KOTA, ['officer'])}"}
    for code in UNITS:
        r = await client.post(
            f"/tenants/{KOTA}/units", headers=officer, json={"code": code, "name": code, "kind": "badan"}
        )
        assert r.status_code == 201, r.text
    for code, unit in zip(POSITIONS, UNITS[1:], strict=True):
        position = {"code": code, "title": code, "tier": "Administrator", "eselon": "III.a",
                    "unit_code": unit, "requirements": {c: 3 for c in STANDARD_COMPETENCIES}}  # fmt: skip
        r = await client.post(f"/tenants/{KOTA}/positions", headers=officer, json=position)
        assert r.status_code == 201, r.text
    for i, nip in enumerate(NIPS):
        body = {"nip": nip, "name": f"Pegawai {i}", "unit_code": UNITS[i], "golongan": "III/a", "tier": "Pelaksana"}
        r = await client.post(f"/tenants/{KOTA}/employees", headers=officer, json=body)
        assert r.status_code == 201, r.text
    return Seeded(KOTA, {"nip": NIPS, "code": POSITIONS})


ROSTER = ServiceUnderFuzz("roster", RosterSettings, create_app, seed)
schema = openapi_schema(ROSTER)


@pytest.fixture(scope="module")
def target(embedded_postgres) -> Iterator[ServiceUnderFuzz]:
    ROSTER.start(embedded_postgres)
    yield ROSTER
    ROSTER.stop()


@schema.parametrize()
@fuzz_settings(examples_per_operation=50)  # 23 operations
def test_roster_api(case: schemathesis.Case, target: ServiceUnderFuzz) -> None:
    fuzz_case(target, case)


def test_roster_serves_the_fuzzed_document(target: ServiceUnderFuzz) -> None:
    assert target.served_document() == schema.raw_schema


def test_roster_fuzz_sent_enough_requests(target: ServiceUnderFuzz) -> None:
    print(summary(target))
    assert target.requests >= REQUIRED_REQUESTS, summary(target)
