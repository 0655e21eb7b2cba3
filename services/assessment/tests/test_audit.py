"""The audit trail of assessment results on real PostgreSQL, through the service's routes: reads and
changes are recorded (who, when, whose, what), only the tenant's admins read the trail, filters and
pages work, and a read that fails leaves nothing."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import date

import pytest
from assessment import service
from assessment.config import AssessmentSettings
from assessment.main import create_app
from bakat_common.contracts.roster import EmployeeRegisteredV1
from bakat_common.events import new_event
from bakat_common.infrastructure import known_tenants
from bakat_devstack.in_process import AppParts, in_process_service

pytestmark = pytest.mark.integration

NIPS = ["198503152010011003", "199001012015011001"]


@pytest.fixture(scope="module")
async def stack(embedded_postgres) -> AsyncIterator[AppParts]:
    async with in_process_service(
        embedded_postgres, "assessment", AssessmentSettings, create_app, "audit"
    ) as parts:
        yield parts


async def kota_with_results(parts: AppParts) -> tuple[str, dict]:
    client, runtime, issuer = parts
    kota = f"kota-{uuid.uuid4().hex[:6]}"
    events = [
        new_event(
            EmployeeRegisteredV1(
                nip=nip,
                name=f"Pegawai {i}",
                gender="male",
                birth_date=date(1985, 3, 15),
                employment_type="PNS",
            ),
            service="roster",
            tenant=kota,
            subject=nip,
        )  # fmt: skip
        for i, nip in enumerate(NIPS)
    ]
    async with runtime.sessions() as s, s.begin():
        await s.execute(known_tenants.insert().values(tenant_id=kota, name=kota, kind="kota"))
        await service.on_employee_changed.handle(s, events)
    officer = {"authorization": f"Bearer {issuer.mint('siti', kota, ['officer'])}"}
    for nip in NIPS:
        r = await client.post(
            f"/tenants/{kota}/assessments", json={"nip": nip, "potential_score": 84}, headers=officer
        )
        assert r.status_code == 201, r.text
    return kota, officer


async def test_reads_and_changes_of_results_are_recorded_for_admins(stack: AppParts) -> None:
    client, _, issuer = stack
    kota, officer = await kota_with_results(stack)
    viewer = {"authorization": f"Bearer {issuer.mint('budi', kota, ['viewer'])}"}
    admin = {"authorization": f"Bearer {issuer.mint('admin-1', kota, ['admin'])}"}
    r = await client.get(f"/tenants/{kota}/employees/{NIPS[0]}/assessments", headers=viewer)
    assert r.status_code == 200 and len(r.json()) == 1
    assessment_id = r.json()[0]["id"]
    assert (
        await client.get(f"/tenants/{kota}/assessments/{assessment_id}", headers=viewer)
    ).status_code == 200
    # A read that fails showed nothing and records nothing.
    assert (
        await client.get(f"/tenants/{kota}/assessments/{uuid.uuid4()}", headers=viewer)
    ).status_code == 404

    url = f"/tenants/{kota}/audit/assessments"
    assert (await client.get(url, headers=officer)).status_code == 403
    page = (await client.get(url, headers=admin)).json()
    entries = [(e["subject"], e["action"], e["nips"], e["detail"]["route"]) for e in page["items"]]
    assert entries == [
        ("budi", "read", [NIPS[0]], "get assessment"),
        ("budi", "read", [NIPS[0]], "employee assessments"),
        ("siti", "change", [NIPS[1]], "record result"),
        ("siti", "change", [NIPS[0]], "record result"),
    ]
    assert page["items"][0]["detail"]["assessment_id"] == assessment_id and page["items"][0]["roles"] == [
        "viewer"
    ]

    about = (await client.get(url, params={"nip": NIPS[1]}, headers=admin)).json()["items"]
    assert [e["nips"] for e in about] == [[NIPS[1]]]
    reads = (await client.get(url, params={"action": "read", "subject": "budi"}, headers=admin)).json()[
        "items"
    ]
    assert len(reads) == 2
    first = (await client.get(url, params={"limit": 3}, headers=admin)).json()
    rest = (await client.get(url, params={"limit": 3, "cursor": first["next_cursor"]}, headers=admin)).json()
    assert [e["id"] for e in first["items"] + rest["items"]] == [e["id"] for e in page["items"]]
    assert rest["next_cursor"] is None

    # Another tenant's admin sees none of it; bad filters are 422 naming the field.
    stranger = {"authorization": f"Bearer {issuer.mint('x', 'kota-lain', ['admin'])}"}
    assert (await client.get(url, headers=stranger)).status_code in (403, 404)
    for params, field in (({"cursor": "nope"}, "query.cursor"), ({"resource": "salary"}, "query.resource"),
                          ({"nip": "123"}, "nip")):  # fmt: skip
        r = await client.get(url, params=params, headers=admin)
        assert r.status_code == 422 and field in r.text, r.text
