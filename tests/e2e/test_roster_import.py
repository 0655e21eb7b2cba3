"""Bulk import, BKN push, SIASN records and export, through the gateway."""

from __future__ import annotations

import asyncio
import io
import json
import time
import uuid
import zipfile
from pathlib import Path

import asyncpg
import pytest
from bakat_common.testing import eventually, metric_value

from roster.importing import employees_to_csv

from .test_roster import setup_kota

pytestmark = pytest.mark.e2e
SIASN_SAMPLES = Path(__file__).parents[2] / "services/roster/tests/siasn_samples"


def people(n: int, unit: str = "BKPSDM-MUTASI", start: int = 1) -> list[dict]:
    return [
        {
            "nip": f"19900101201501{1 + i % 2}{i:03d}",
            "name": f"Pegawai Nomor {i}",
            "back_title": "S.E.",
            "gender": "male" if i % 2 == 0 else "female",
            "birth_date": "1990-01-01",
            "employment_type": "PNS",
            "golongan": "III/a",
            "education_level": "S1",
            "unit_code": unit,
            "position_title": "Analis SDM Aparatur",
            "tier": "Pelaksana",
        }
        for i in range(start, start + n)
    ]


async def wait_for_job(gateway, headers, kota: str, job: dict, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while job["status"] not in ("done", "rejected", "failed"):
        assert time.monotonic() < deadline, job
        await asyncio.sleep(0.05)
        job = (await gateway.get(f"/tenants/{kota}/imports/{job['id']}", headers=headers)).json()
    return job


async def upload(gateway, headers, kota: str, name: str, content: bytes, mode: str = "all_or_nothing"):
    return await gateway.post(
        f"/tenants/{kota}/imports", headers=headers, files={"file": (name, content)}, data={"mode": mode}
    )


async def count(gateway, headers, kota: str) -> int:
    page = (await gateway.get(f"/tenants/{kota}/employees", headers=headers, params={"limit": 200})).json()
    return len(page["items"])


async def test_a_file_imports_and_importing_it_again_changes_nothing(gateway, token_for):
    kota, officer = await setup_kota(gateway, token_for)
    content = employees_to_csv(people(30), delimiter=";")
    r = await upload(gateway, officer, kota, "pegawai.csv", content)
    assert r.status_code == 202, r.text
    job = await wait_for_job(gateway, officer, kota, r.json())
    assert (job["status"], job["imported"], job["unchanged"], job["error_count"], job["percent"]) == (
        "done",
        30,
        0,
        0,
        100.0,
    )
    assert await count(gateway, officer, kota) == 30
    employee = (await gateway.get(f"/tenants/{kota}/employees/199001012015012001", headers=officer)).json()
    assert (employee["full_name"], employee["unit_code"], employee["pangkat"]) == (
        "Pegawai Nomor 1, S.E.",
        "BKPSDM-MUTASI",
        "Penata Muda",
    )

    again = await wait_for_job(
        gateway, officer, kota, (await upload(gateway, officer, kota, "pegawai.csv", content)).json()
    )
    assert (again["status"], again["imported"], again["unchanged"]) == ("done", 0, 30)
    history = (
        await gateway.get(f"/tenants/{kota}/employees/199001012015012001/history", headers=officer)
    ).json()
    assert [h["kind"] for h in history] == ["registered"]

    exported = await gateway.get(f"/tenants/{kota}/exports/employees.xlsx", headers=officer)
    assert exported.status_code == 200 and exported.content[:2] == b"PK"
    back = await wait_for_job(
        gateway, officer, kota, (await upload(gateway, officer, kota, "export.xlsx", exported.content)).json()
    )
    assert (back["status"], back["imported"], back["unchanged"]) == ("done", 0, 30)

    moved = people(1, unit="DINKES")  # the same person, now in another unit: a transfer
    job = await wait_for_job(
        gateway,
        officer,
        kota,
        (await upload(gateway, officer, kota, "move.csv", employees_to_csv(moved))).json(),
    )
    assert (job["imported"], job["unchanged"]) == (1, 0), job
    history = (
        await gateway.get(f"/tenants/{kota}/employees/199001012015012001/history", headers=officer)
    ).json()
    assert [h["kind"] for h in history] == ["registered", "transferred"]


async def test_bad_rows_are_listed_and_all_or_nothing_writes_nothing(gateway, token_for):
    kota, officer = await setup_kota(gateway, token_for)
    rows = people(5)
    rows[1]["nip"] = "19900101201501100X"  # not digits
    rows[2]["unit_code"] = "TIDAK-ADA"
    rows[4] = {**rows[3], "name": "Orang Lain"}  # the same NIP twice in the file
    content = employees_to_csv(rows)
    job = await wait_for_job(
        gateway, officer, kota, (await upload(gateway, officer, kota, "bad.csv", content)).json()
    )
    assert job["status"] == "rejected" and job["imported"] == 0
    assert [(e["row"], e["rule"]) for e in job["errors"]] == [
        (3, "nip.digits"),
        (4, "unknown_unit"),
        (6, "duplicate_nip"),
    ]
    assert all(e["column"] and e["reason"] for e in job["errors"])
    assert await count(gateway, officer, kota) == 0

    job = await wait_for_job(
        gateway,
        officer,
        kota,
        (await upload(gateway, officer, kota, "bad.csv", content, "valid_rows")).json(),
    )
    assert (job["status"], job["imported"], job["error_count"]) == ("done", 2, 3)
    assert await count(gateway, officer, kota) == 2


def zip_bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", b"0" * (300 * 1024 * 1024))
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "status", "rule"),
    [
        ("pegawai.xlsx", b"this is not a spreadsheet", 422, None),
        ("pegawai.csv", "NIP BARU\tNAMA\tKODE UNOR\n1\t2\t3\n".encode(), 422, "delimiter"),
        (
            "pegawai.csv",
            "NIP BARU;NAMA;KODE UNOR\n199001012015011001;Siti Ni\xf1o;BKPSDM\n".encode("latin-1"),
            422,
            "encoding",
        ),
        ("pegawai.csv", b"", 422, "empty"),
        ("pegawai.csv", "NAMA;KODE UNOR\nSiti;BKPSDM\n".encode(), 422, "missing_columns"),
        ("pegawai.pdf", b"%PDF-1.4", 422, "unsupported_type"),
    ],
)
async def test_broken_files_are_refused_at_upload(gateway, token_for, name, content, status, rule):
    kota, officer = await setup_kota(gateway, token_for)
    r = await upload(gateway, officer, kota, name, content)
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/problem+json"
    if rule:
        assert r.json()["errors"][0]["rule"] == rule
    assert await count(gateway, officer, kota) == 0


async def test_a_zip_bomb_and_an_oversized_upload_are_refused(gateway, token_for):
    kota, officer = await setup_kota(gateway, token_for)
    r = await upload(gateway, officer, kota, "bom.xlsx", zip_bomb())
    assert r.status_code == 422 and r.json()["errors"][0]["rule"] == "zip_bomb"
    r = await upload(gateway, officer, kota, "huge.csv", b"x" * (51 * 1024 * 1024))
    assert r.status_code == 413 and r.headers["content-type"] == "application/problem+json"


async def test_bkn_integration_pushes_and_pulls_in_bulk(gateway, token_for, platform):
    kota, _ = await setup_kota(gateway, token_for)
    bkn = await token_for(kota, "integration")
    r = await gateway.post(f"/tenants/{kota}/imports/employees", headers=bkn, json={"employees": people(12)})
    assert r.status_code == 202, r.text
    job = await wait_for_job(gateway, bkn, kota, r.json())
    assert (job["status"], job["imported"]) == ("done", 12)
    # The finished job is counted (roster's domain metrics) as its outcome commits.
    roster = platform.service_urls["roster"]
    await eventually(
        lambda: metric_value(roster, "bakat_import_jobs_total", tenant=kota, source="api", status="done"),
        lambda value: value == 1,
        timeout=5,
    )
    assert await metric_value(roster, "bakat_import_rows_total", tenant=kota, source="api", outcome="imported") == 12
    pulled = (await gateway.get(f"/tenants/{kota}/employees", headers=bkn, params={"limit": 200})).json()
    assert sorted(e["nip"] for e in pulled["items"]) == sorted(p["nip"] for p in people(12))

    samples = sorted(SIASN_SAMPLES.glob("*data*utama*.json"))
    assert samples, "SIASN samples are missing"
    records = [json.loads(p.read_text()) for p in samples]
    r = await gateway.post(
        f"/tenants/{kota}/imports/siasn", headers=bkn, json={"records": records, "mode": "valid_rows"}
    )
    assert r.status_code == 202, r.text
    job = await wait_for_job(gateway, bkn, kota, r.json())
    assert job["status"] == "done" and job["imported"] + job["error_count"] >= len(records)
    r = await gateway.post(
        f"/tenants/{kota}/imports/siasn", headers=bkn, json={"records": [{"code": 1, "data": {}}]}
    )
    assert r.status_code == 422 and r.json()["errors"][0]["rule"] == "siasn"


async def test_imports_hand_posts_over_keep_what_a_source_lacks_and_leave_retirees_alone(gateway, token_for):
    from .test_roster import standard

    kota, officer = await setup_kota(gateway, token_for)
    for code in ("P1", "P2"):
        body = {
            "code": code,
            "title": f"Kepala {code}",
            "tier": "Pengawas",
            "eselon": "IV.a",
            "unit_code": "DINKES",
            "requirements": standard(3),
        }
        assert (
            await gateway.post(f"/tenants/{kota}/positions", headers=officer, json=body)
        ).status_code == 201
    a, b, c = people(3, unit="DINKES")
    a, b = {**a, "position_code": "P1", "tier": "Pengawas"}, {**b, "position_code": "P2", "tier": "Pengawas"}
    bkn = await token_for(kota, "integration")
    job = await wait_for_job(
        gateway,
        bkn,
        kota,
        (
            await gateway.post(
                f"/tenants/{kota}/imports/employees", headers=bkn, json={"employees": [a, b, c]}
            )
        ).json(),
    )
    assert (job["status"], job["imported"]) == ("done", 3), job
    r = await gateway.patch(
        f"/tenants/{kota}/employees/{c['nip']}",
        headers=officer,
        json={"career_preference": "Analis kebijakan"},
    )
    assert r.status_code == 200

    swap = [
        {**a, "position_code": "P2"},
        {**b, "position_code": "P1"},
        {k: v for k, v in c.items() if k != "education_level"},
    ]
    job = await wait_for_job(
        gateway,
        bkn,
        kota,
        (
            await gateway.post(f"/tenants/{kota}/imports/employees", headers=bkn, json={"employees": swap})
        ).json(),
    )
    assert (job["status"], job["imported"], job["unchanged"]) == ("done", 2, 1), job
    holders = {
        p["code"]: p["holder_nip"]
        for p in (await gateway.get(f"/tenants/{kota}/positions", headers=officer)).json()
    }
    assert holders == {"P1": b["nip"], "P2": a["nip"]}
    kept = (await gateway.get(f"/tenants/{kota}/employees/{c['nip']}", headers=officer)).json()
    assert kept["career_preference"] == "Analis kebijakan" and kept["education_level"] == "S1"
    history = (await gateway.get(f"/tenants/{kota}/employees/{a['nip']}/history", headers=officer)).json()
    assert history[-1]["kind"] == "transferred" and history[-1]["changes"]["position_code"] == ["P1", "P2"]

    r = await gateway.post(
        f"/tenants/{kota}/employees/{a['nip']}/retirement",
        headers=officer,
        json={"retirement_date": "2025-06-01"},
    )
    assert r.json()["position_code"] is None
    assert [
        p["code"]
        for p in (await gateway.get(f"/tenants/{kota}/positions?vacant=true", headers=officer)).json()
    ] == ["P2"]
    exported = await gateway.get(f"/tenants/{kota}/exports/employees.xlsx", headers=officer)
    job = await wait_for_job(
        gateway, officer, kota, (await upload(gateway, officer, kota, "export.xlsx", exported.content)).json()
    )
    assert (job["status"], job["unchanged"]) == ("done", 3), job
    retired = (await gateway.get(f"/tenants/{kota}/employees/{a['nip']}", headers=officer)).json()
    assert (retired["status"], retired["retirement_date"]) == ("retired", "2025-06-01")
    r = await gateway.get(f"/tenants/{kota}/exports/employees.xlsx", headers=await token_for(kota, "viewer"))
    assert r.status_code == 403


async def test_siasn_position_history_becomes_track_records_once(gateway, token_for):
    kota, _ = await setup_kota(gateway, token_for)
    bkn = await token_for(kota, "integration")
    utama = json.loads((SIASN_SAMPLES / "pns-administrator.data-utama.json").read_text())
    history = json.loads((SIASN_SAMPLES / "pns-administrator.rw-jabatan.json").read_text())
    job = await wait_for_job(
        gateway,
        bkn,
        kota,
        (await gateway.post(f"/tenants/{kota}/imports/siasn", headers=bkn, json={"records": [utama]})).json(),
    )
    assert job["status"] == "done", job
    nip = (await gateway.get(f"/tenants/{kota}/employees", headers=bkn)).json()["items"][0]["nip"]
    r = await gateway.post(f"/tenants/{kota}/employees/{nip}/track-records/siasn", headers=bkn, json=history)
    assert r.status_code == 200, r.text
    added = r.json()
    assert added and all(t["kind"] == "position" for t in added)
    again = await gateway.post(
        f"/tenants/{kota}/employees/{nip}/track-records/siasn", headers=bkn, json=history
    )
    assert again.json() == []  # sent twice, kept once
    stored = (await gateway.get(f"/tenants/{kota}/employees/{nip}/track-records", headers=bkn)).json()
    assert len(stored) == len(added)
    r = await gateway.post(
        f"/tenants/{kota}/employees/{nip}/track-records/siasn", headers=bkn, json={"code": 0, "data": "x"}
    )
    assert r.status_code == 422 and r.json()["errors"][0]["rule"] == "siasn"


async def test_a_job_whose_process_died_is_reported_failed_and_a_live_one_is_not(gateway, token_for, platform):
    kota, officer = await setup_kota(gateway, token_for)
    r = await upload(gateway, officer, kota, "pegawai.csv", employees_to_csv(people(3), delimiter=";"))
    job = await wait_for_job(gateway, officer, kota, r.json())
    assert job["status"] == "done"
    dsn = platform.database_urls["roster"].replace("postgresql+asyncpg", "postgresql")
    conn = await asyncpg.connect(dsn)
    try:
        # As the row looks while a job writes: recent heartbeat -> still running.
        await conn.execute(
            "UPDATE import_jobs SET status = 'writing', finished_at = NULL, heartbeat_at = now() WHERE id = $1",
            uuid.UUID(job["id"]),
        )
        live = (await gateway.get(f"/tenants/{kota}/imports/{job['id']}", headers=officer)).json()
        assert live["status"] == "writing"
        # As it stays when the process is killed mid-write: the heartbeat stops.
        await conn.execute(
            "UPDATE import_jobs SET heartbeat_at = now() - interval '10 minutes' WHERE id = $1", uuid.UUID(job["id"])
        )
        dead = (await gateway.get(f"/tenants/{kota}/imports/{job['id']}", headers=officer)).json()
        assert dead["status"] == "failed" and dead["finished_at"] is not None
        assert [e["rule"] for e in dead["errors"]] == ["interrupted"]
        again = (await gateway.get(f"/tenants/{kota}/imports/{job['id']}", headers=officer)).json()
        assert again["status"] == "failed"  # recorded, not recomputed
        assert await conn.fetchval("SELECT status FROM import_jobs WHERE id = $1", uuid.UUID(job["id"])) == "failed"
        # Counted as a failed job once, though read twice (the first job of the kota was done).
        roster = platform.service_urls["roster"]
        assert await metric_value(roster, "bakat_import_jobs_total", tenant=kota, source="file", status="failed") == 1
        assert await metric_value(roster, "bakat_import_jobs_total", tenant=kota, source="file", status="done") == 1
    finally:
        await conn.close()
