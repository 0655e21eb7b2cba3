"""SKP performance through the gateway: one rating (predikat or the two ratings), its history per year,
file imports (CSV, XLSX) and the BKN batch, and every kind of bad input refused with nothing written."""

from __future__ import annotations

import asyncio
import io
import json
import time
import zipfile
from datetime import date, timedelta

import asyncpg
import pytest
from bakat_common.testing import eventually
from openpyxl import Workbook

from .test_roster import setup_kota
from .test_slice import new_kota, register

pytestmark = pytest.mark.e2e

PROBLEM = "application/problem+json"
NIP_A, NIP_B, NIP_C = "198503152010011003", "199012152015032001", "197501012000031002"
STRANGER = "198001012005011001"  # a valid NIP nobody registered


async def kota_with(gateway, token_for, *nips: str) -> tuple[str, dict]:
    _, kota = await new_kota(gateway, token_for)
    officer = await token_for(kota, "officer")
    for nip in nips:
        await register(gateway, officer, kota, nip)
    return kota, officer


async def upload(gateway, headers, kota: str, name: str, content: bytes):
    return await gateway.post(
        f"/tenants/{kota}/performance-ratings/imports", headers=headers, files={"file": (name, content)}
    )


async def batch(gateway, headers, kota: str, items):
    return await gateway.post(f"/tenants/{kota}/performance-ratings/batch", headers=headers, json=items)


async def ratings(gateway, headers, kota: str, nip: str) -> list[dict]:
    r = await gateway.get(f"/tenants/{kota}/employees/{nip}/performance-ratings", headers=headers)
    assert r.status_code == 200, r.text
    return r.json()


async def history(gateway, headers, kota: str, nip: str, **params) -> list[dict]:
    r = await gateway.get(
        f"/tenants/{kota}/employees/{nip}/performance-ratings/history", headers=headers, params=params
    )
    assert r.status_code == 200, r.text
    return r.json()


def summary(rows: list[dict]) -> list[tuple]:
    return [(r["year"], r["predikat"], r["hasil_kerja"], r["perilaku_kerja"], r["source"]) for r in rows]


def history_summary(rows: list[dict]) -> list[tuple]:
    """As summary, with whether the submission set or changed the rating."""
    return [(*s, r["changed"]) for s, r in zip(summary(rows), rows, strict=True)]


async def published(platform, kota: str) -> list[tuple[str, int, str]]:
    """The SKP events the assessment service has put in its outbox for the kota, oldest first."""
    conn = await asyncpg.connect(
        platform.database_urls["assessment"].replace("postgresql+asyncpg", "postgresql")
    )
    try:
        rows = await conn.fetch(
            "SELECT envelope->'data' AS data FROM outbox WHERE tenant = $1 AND event_type = $2 ORDER BY id",
            kota,
            "bakat.assessment.performance.recorded.v1",
        )
    finally:
        await conn.close()
    return [(d["nip"], d["year"], d["predikat"]) for d in (json.loads(r["data"]) for r in rows)]


def csv_bytes(lines: list[list[str]], delimiter: str = ";") -> bytes:
    return ("\r\n".join(delimiter.join(line) for line in lines) + "\r\n").encode()


def xlsx_bytes(rows: list[list]) -> bytes:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# ---- one rating ------------------------------------------------------------------------------------------


async def test_one_rating_from_the_two_ratings_kept_per_year_with_its_history(gateway, token_for, platform):
    kota, officer = await kota_with(gateway, token_for, NIP_A)
    url = f"/tenants/{kota}/performance-ratings"

    both = {"nip": NIP_A, "year": 2024, "hasil_kerja": "di_atas", "perilaku_kerja": "Di Atas Ekspektasi"}
    r = await gateway.post(url, headers=officer, json=both)
    assert r.status_code == 201, r.text
    first = r.json()
    assert (first["predikat"], first["hasil_kerja"], first["perilaku_kerja"]) == (
        "Sangat Baik",
        "di_atas",
        "di_atas",
    )
    assert (first["source"], first["recorded_by"]) == ("api", "tester")

    # The same again (here with an agreeing predikat in another case): the rating stays as it is (same
    # time, nothing published); the history lists the submission as not changing anything.
    r = await gateway.post(url, headers=officer, json={**both, "predikat": "SANGAT BAIK"})
    assert r.status_code == 201 and r.json() == first

    r = await gateway.post(url, headers=officer, json={"nip": NIP_A, "year": 2024, "predikat": " baik "})
    assert r.status_code == 201 and (r.json()["predikat"], r.json()["hasil_kerja"]) == ("Baik", None)
    r = await gateway.post(
        url, headers=officer, json={"nip": NIP_A, "year": 2023, "predikat": "Butuh  Perbaikan"}
    )
    assert r.status_code == 201 and r.json()["predikat"] == "Butuh Perbaikan"

    assert summary(await ratings(gateway, officer, kota, NIP_A)) == [
        (2024, "Baik", None, None, "api"),
        (2023, "Butuh Perbaikan", None, None, "api"),
    ]
    assert history_summary(await history(gateway, officer, kota, NIP_A)) == [
        (2024, "Baik", None, None, "api", True),
        (2024, "Sangat Baik", "di_atas", "di_atas", "api", False),
        (2024, "Sangat Baik", "di_atas", "di_atas", "api", True),
        (2023, "Butuh Perbaikan", None, None, "api", True),
    ]
    assert {h["recorded_by"] for h in await history(gateway, officer, kota, NIP_A)} == {"tester"}
    assert [h["year"] for h in await history(gateway, officer, kota, NIP_A, year=2023)] == [2023]

    # Bad bodies: 422 problem+json naming the rule; nothing changes.
    for body, field, rule in (
        ({"nip": "19850315201001100", "predikat": "Baik"}, "body.nip", "string_pattern_mismatch"),
        ({"nip": "1.98503E+17", "predikat": "Baik"}, "body.nip", "string_pattern_mismatch"),
        (
            {"predikat": "Baik", "hasil_kerja": "di_atas", "perilaku_kerja": "di_atas"},
            "body",
            "predikat_mismatch",
        ),
        ({"predikat": "Baik Sekali"}, "body.predikat", "predikat"),
        ({"predikat": "Cukup"}, "body.predikat", "predikat"),
        ({"hasil_kerja": "sesuai"}, "body", "ratings_incomplete"),
        ({"hasil_kerja": "tinggi", "perilaku_kerja": "sesuai"}, "body.hasil_kerja", "expectation"),
        ({}, "body", "predikat_required"),
    ):
        r = await gateway.post(url, headers=officer, json={"nip": NIP_A, "year": 2024} | body)
        assert r.status_code == 422 and r.headers["content-type"] == PROBLEM, (body, r.text)
        assert (r.json()["errors"][0]["field"], r.json()["errors"][0]["rule"]) == (field, rule), r.text
    r = await gateway.post(
        url, headers=officer, json={"nip": NIP_A, "year": 2024, "predikat": "Baik", "hasil_kerja": "di_atas",
                                    "perilaku_kerja": "di_atas"},
    )  # fmt: skip
    assert "disagrees" in r.json()["detail"] and "'Sangat Baik'" in r.json()["detail"]
    r = await gateway.post(url, headers=officer, json={"nip": NIP_A, "year": 1999, "predikat": "Baik"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "body.year"
    r = await gateway.post(
        url, headers=await token_for(kota, "viewer"), json={"nip": NIP_A, "year": 2022, "predikat": "Baik"}
    )
    assert r.status_code == 403 and r.headers["content-type"] == PROBLEM
    assert len(await history(gateway, officer, kota, NIP_A)) == 4
    # One event per change; the identical re-send and the refused bodies published nothing.
    assert await published(platform, kota) == [
        (NIP_A, 2024, "Sangat Baik"),
        (NIP_A, 2024, "Baik"),
        (NIP_A, 2023, "Butuh Perbaikan"),
    ]

    # The latest year's predikat reaches placement: Baik with high potential is box 8.
    r = await gateway.post(
        f"/tenants/{kota}/assessments", headers=officer, json={"nip": NIP_A, "potential_score": 85}
    )
    assert r.status_code == 201, r.text
    r = await eventually(
        lambda: gateway.get(f"/tenants/{kota}/employees/{NIP_A}/placement", headers=officer),
        lambda r: r.status_code == 200 and r.json()["box"] == 8,
    )
    assert r.json()["performance"] == {"predikat": "Baik", "skp_year": 2024, "level": "meets"}


# ---- bulk ------------------------------------------------------------------------------------------------


async def test_a_file_records_every_row_and_importing_it_again_changes_nothing(gateway, token_for, platform):
    kota, officer = await kota_with(gateway, token_for, NIP_A, NIP_B, NIP_C)
    content = csv_bytes(
        [
            ["NIP", "NAMA", "TAHUN", "PREDIKAT", "HASIL_KERJA", "PERILAKU_KERJA"],
            [NIP_A, "Budi", "2024", "sangat baik", "", ""],
            [NIP_B, "Siti", "2024", "", "di_atas", "sesuai"],
            [NIP_C, "Agus", "2024", "BUTUH  PERBAIKAN", "", ""],
            [NIP_C, "Agus", "2023", "Kurang", "di_bawah", "Sesuai Ekspektasi"],
        ]
    )
    r = await upload(gateway, officer, kota, "skp-2024.csv", content)
    assert r.status_code == 200, r.text
    assert r.json() == {
        "rows": 4,
        "recorded": 4,
        "unchanged": 0,
        "warnings": ["column 'NAMA' is not part of the SKP layout and was ignored"],
    }
    assert summary(await ratings(gateway, officer, kota, NIP_B)) == [
        (2024, "Baik", "di_atas", "sesuai", "import")
    ]
    assert summary(await ratings(gateway, officer, kota, NIP_C)) == [
        (2024, "Butuh Perbaikan", None, None, "import"),
        (2023, "Kurang", "di_bawah", "sesuai", "import"),
    ]

    assert len(await published(platform, kota)) == 4
    r = await upload(gateway, officer, kota, "skp-2024.csv", content)  # the same file again
    assert r.status_code == 200 and (r.json()["recorded"], r.json()["unchanged"]) == (0, 4)
    assert len(await published(platform, kota)) == 4  # nothing more published
    assert history_summary(await history(gateway, officer, kota, NIP_A)) == [
        (2024, "Sangat Baik", None, None, "import", False),
        (2024, "Sangat Baik", None, None, "import", True),
    ]
    assert summary(await ratings(gateway, officer, kota, NIP_B)) == [
        (2024, "Baik", "di_atas", "sesuai", "import")
    ]

    # An XLSX with a title row, comma-free numbers and one correction.
    workbook = xlsx_bytes(
        [
            ["REKAP PREDIKAT KINERJA 2024"],
            ["NIP", "TAHUN", "PREDIKAT"],
            [NIP_A, 2024, "Sangat Baik"],
            [NIP_B, 2024, "Kurang"],
        ]
    )
    r = await upload(gateway, officer, kota, "skp.xlsx", workbook)
    assert r.status_code == 200 and (r.json()["recorded"], r.json()["unchanged"]) == (1, 1), r.text
    assert (await published(platform, kota))[4:] == [(NIP_B, 2024, "Kurang")]
    assert history_summary(await history(gateway, officer, kota, NIP_B)) == [
        (2024, "Kurang", None, None, "import", True),
        (2024, "Baik", "di_atas", "sesuai", "import", False),
        (2024, "Baik", "di_atas", "sesuai", "import", True),
    ]

    # The imported predikat was published: with high potential, Sangat Baik is box 9.
    r = await gateway.post(
        f"/tenants/{kota}/assessments", headers=officer, json={"nip": NIP_A, "potential_score": 84}
    )
    assert r.status_code == 201
    r = await eventually(
        lambda: gateway.get(f"/tenants/{kota}/employees/{NIP_A}/placement", headers=officer),
        lambda r: r.status_code == 200 and r.json()["box"] == 9,
    )
    assert r.json()["performance"]["predikat"] == "Sangat Baik"


async def test_the_integration_client_sends_a_batch(gateway, token_for, platform):
    kota, officer = await kota_with(gateway, token_for, NIP_A, NIP_B)
    bkn = await token_for(kota, "integration", sub="bkn-siasn")
    items = [
        {"nip": NIP_A, "year": 2025, "predikat": "SANGAT BAIK"},
        {"nip": NIP_B, "year": 2025, "hasil_kerja": "sesuai", "perilaku_kerja": "di_bawah"},
        {"nip": NIP_B, "year": 2024, "predikat": "Baik", "hasil_kerja": "sesuai", "perilaku_kerja": "sesuai"},
    ]
    r = await batch(gateway, bkn, kota, items)
    assert r.status_code == 200, r.text
    assert r.json() == {"rows": 3, "recorded": 3, "unchanged": 0, "warnings": []}
    stored = await ratings(gateway, officer, kota, NIP_B)
    assert summary(stored) == [
        (2025, "Butuh Perbaikan", "sesuai", "di_bawah", "integration"),
        (2024, "Baik", "sesuai", "sesuai", "integration"),
    ]
    assert {s["recorded_by"] for s in stored} == {"bkn-siasn"}
    r = await batch(gateway, bkn, kota, items)
    assert (r.json()["recorded"], r.json()["unchanged"]) == (0, 3)
    assert sorted(await published(platform, kota)) == [
        (NIP_A, 2025, "Sangat Baik"),
        (NIP_B, 2024, "Baik"),
        (NIP_B, 2025, "Butuh Perbaikan"),
    ]
    assert [h["changed"] for h in await history(gateway, officer, kota, NIP_B, year=2025)] == [False, True]
    for role in ("viewer", "assessor"):
        r = await batch(gateway, await token_for(kota, role), kota, items)
        assert r.status_code == 403 and r.headers["content-type"] == PROBLEM, role
        r = await upload(gateway, await token_for(kota, role), kota, "skp.csv", b"NIP,TAHUN,PREDIKAT\n")
        assert r.status_code == 403, role


async def test_bad_rows_are_all_listed_and_nothing_is_written(gateway, token_for, platform):
    kota, officer = await kota_with(gateway, token_for, NIP_A, NIP_B, NIP_C)
    r = await gateway.post(
        f"/tenants/{kota}/performance-ratings",
        headers=officer,
        json={"nip": NIP_C, "year": 2024, "predikat": "Baik"},
    )
    assert r.status_code == 201
    before = {nip: await history(gateway, officer, kota, nip) for nip in (NIP_A, NIP_B, NIP_C)}
    assert await published(platform, kota) == [(NIP_C, 2024, "Baik")]

    content = csv_bytes(
        [
            ["NIP", "TAHUN", "PREDIKAT", "HASIL_KERJA", "PERILAKU_KERJA"],
            [NIP_A, "2024", "Sangat Baik", "", ""],  # 2: good, yet not written
            [STRANGER, "2024", "Baik", "", ""],  # 3: not an employee of this kota
            [NIP_B, "2024", "Baik Sekali", "", ""],  # 4
            [NIP_B, "2023", "Cukup", "", ""],  # 5
            [NIP_C, "1999", "Baik", "", ""],  # 6
            [NIP_C, "2024", "Sangat Kurang", "", ""],  # 7: would change NIP_C's 2024
            [NIP_C, "2024", "Kurang", "", ""],  # 8: same NIP and year as row 7
            [NIP_A, "2022", "Baik", "di_atas", "di_atas"],  # 9: disagrees with the matrix
        ]
    )
    r = await upload(gateway, officer, kota, "skp.csv", content)
    assert r.status_code == 422 and r.headers["content-type"] == PROBLEM, r.text
    body = r.json()
    assert [(e["row"], e["column"], e["rule"]) for e in body["errors"]] == [
        (3, "NIP", "unknown_nip"),
        (4, "PREDIKAT", "predikat"),
        (5, "PREDIKAT", "predikat"),
        (6, "TAHUN", "year"),
        (8, "NIP", "duplicate"),
        (9, "PREDIKAT", "predikat_mismatch"),
    ]
    reasons = {e["row"]: e["reason"] for e in body["errors"]}
    assert (
        "Baik Sekali" in reasons[4]
        and "Sangat Baik, Baik, Butuh Perbaikan, Kurang, Sangat Kurang" in reasons[4]
    )
    assert "Cukup" in reasons[5] and STRANGER in reasons[3] and "row 7" in reasons[8]
    assert "nothing was recorded" in body["detail"]

    # The same rows as a batch: the same answer, rows counted from 1.
    items = [
        {"nip": NIP_A, "year": 2024, "predikat": "Sangat Baik"},
        {"nip": STRANGER, "year": 2024, "predikat": "Baik"},
        {"nip": NIP_B, "year": 2024, "predikat": "Baik Sekali"},
        {"nip": NIP_C, "year": 2101, "predikat": "Baik"},
        {"nip": NIP_C, "year": 2024, "predikat": "Sangat Kurang"},
        {"nip": NIP_C, "year": 2024, "predikat": "Kurang"},
        {
            "nip": NIP_A,
            "year": 2022,
            "predikat": "Baik",
            "hasil_kerja": "di_atas",
            "perilaku_kerja": "di_atas",
        },
    ]
    r = await batch(gateway, officer, kota, items)
    assert r.status_code == 422 and r.headers["content-type"] == PROBLEM
    assert [(e["row"], e["column"], e["rule"]) for e in r.json()["errors"]] == [
        (2, "nip", "unknown_nip"),
        (3, "predikat", "predikat"),
        (4, "year", "year"),
        (6, "nip", "duplicate"),
        (7, "predikat", "predikat_mismatch"),
    ]

    after = {nip: await history(gateway, officer, kota, nip) for nip in (NIP_A, NIP_B, NIP_C)}
    assert after == before
    assert await published(platform, kota) == [(NIP_C, 2024, "Baik")]
    assert summary(await ratings(gateway, officer, kota, NIP_C)) == [(2024, "Baik", None, None, "api")]
    assert await ratings(gateway, officer, kota, NIP_A) == []


def zip_bomb() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (32 * 1024 * 1024))  # 32 MiB -> ~32 KiB
    return buf.getvalue()


async def test_bad_files_and_requests_are_refused_and_nothing_is_written(gateway, token_for, platform):
    kota, officer = await kota_with(gateway, token_for, NIP_A)
    good_row = [NIP_A, "2024", "Baik"]
    many = [["NIP", "TAHUN", "PREDIKAT"]] + [[NIP_A, str(2000 + i % 100), "Baik"] for i in range(20_001)]
    cp1252 = f"NIP;TAHUN;PREDIKAT;NAMA\r\n{NIP_A};2024;Baik;Siti Ma\u2019rifah\r\n".encode("cp1252")
    for name, content, status, rule in (
        ("skp.csv", cp1252, 422, "encoding"),
        ("skp.csv", csv_bytes([["NIP", "TAHUN", "PREDIKAT"], good_row], "\t"), 422, "delimiter"),
        ("skp.csv", csv_bytes([["NIP", "TAHUN", "PREDIKAT"], good_row], "|"), 422, "delimiter"),
        ("skp.xlsx", zip_bomb(), 422, "zip_bomb"),
        ("skp.xlsx", csv_bytes([["NIP", "TAHUN", "PREDIKAT"], good_row]), 422, "not_xlsx"),
        ("skp.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512, 422, "unsupported_type"),
        ("skp.pdf", b"%PDF-1.7", 422, "unsupported_type"),
        ("skp.csv", xlsx_bytes([["NIP", "TAHUN", "PREDIKAT"], good_row]), 422, "malformed"),
        ("skp.csv", b"", 422, "empty"),
        ("skp.csv", b"NIP;TAHUN;PREDIKAT\r\n", 422, "empty"),
        ("skp.csv", csv_bytes([["NIP", "PREDIKAT"], [NIP_A, "Baik"]]), 422, "missing_columns"),
        ("skp.csv", csv_bytes([["NIP", "NIP BARU", "TAHUN", "PREDIKAT"], [NIP_A, NIP_A, "2024", "Baik"]]), 422,
         "duplicate_columns"),
        ("skp.csv", csv_bytes(many), 413, "too_many_rows"),
        ("skp.csv", b"NIP,TAHUN,PREDIKAT\n" + b"x" * (10 * 1024 * 1024), 413, "too_large"),
    ):  # fmt: skip
        r = await upload(gateway, officer, kota, name, content)
        assert (r.status_code, r.headers["content-type"]) == (status, PROBLEM), (rule, r.text[:300])
        error = r.json()["errors"][0]
        assert (error["field"], error["rule"]) == ("body.file", rule), r.text[:300]
    r = await upload(gateway, officer, kota, "skp.csv", cp1252)
    assert "0x92" in r.json()["detail"] and "line 2" in r.json()["detail"]
    r = await upload(gateway, officer, kota, "skp.csv", csv_bytes(many))
    assert "20,000" in r.json()["detail"]

    r = await gateway.post(
        f"/tenants/{kota}/performance-ratings/imports", headers=officer, json=[]
    )  # no file
    assert r.status_code == 422 and r.headers["content-type"] == PROBLEM
    r = await batch(gateway, officer, kota, [{"nip": NIP_A, "year": 2024, "predikat": "Baik"}] * 20_001)
    assert r.status_code == 413 and r.json()["errors"][0]["rule"] == "too_many_rows"
    assert "20,000" in r.json()["detail"]
    r = await batch(gateway, officer, kota, [])
    assert r.status_code == 422 and r.json()["errors"][0]["rule"] == "empty"
    r = await batch(gateway, officer, kota, [{"nip": NIP_A, "year": "dua ribu", "predikat": "Baik"}])
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "body.0.year"
    r = await batch(gateway, officer, kota, [{"nip": NIP_A, "year": 2024, "predicate": "Baik"}])
    assert r.status_code == 422 and r.headers["content-type"] == PROBLEM
    r = await batch(gateway, officer, kota, {"nip": NIP_A, "year": 2024, "predikat": "Baik"})  # not a list
    assert r.status_code == 422 and r.headers["content-type"] == PROBLEM
    r = await gateway.post(
        f"/tenants/{kota}/performance-ratings/batch",
        headers={**officer, "content-type": "application/json"},
        content=b"[{not json",
    )
    assert r.status_code == 400 and r.headers["content-type"] == PROBLEM

    # Other tenants: a kota the token does not cover, and one that does not exist.
    other, _ = await kota_with(gateway, token_for)
    # A token that covers it waits for the new tenant to reach the assessment service; a stranger does not.
    r = await gateway.get(
        f"/tenants/{other}/employees/{NIP_A}/performance-ratings", headers=await token_for("*", "admin")
    )
    assert r.status_code == 200 and r.json() == []
    ok_file = csv_bytes([["NIP", "TAHUN", "PREDIKAT"], good_row])
    # A kota token gets 403 for any other tenant, existing or not; a platform token learns it is missing.
    operator = await token_for("*", "admin")
    cases = ((other, officer, 403), ("kota-tidak-ada", officer, 403), ("kota-tidak-ada", operator, 404))
    for tenant, token, status in cases:
        assert (await upload(gateway, token, tenant, "skp.csv", ok_file)).status_code == status
        r = await batch(gateway, token, tenant, [{"nip": NIP_A, "year": 2024, "predikat": "Baik"}])
        assert r.status_code == status and r.headers["content-type"] == PROBLEM
        r = await gateway.get(f"/tenants/{tenant}/employees/{NIP_A}/performance-ratings/history", headers=token)
        assert r.status_code == status

    assert await ratings(gateway, officer, kota, NIP_A) == []
    assert await history(gateway, officer, kota, NIP_A) == []
    assert await published(platform, kota) == []


# ---- a full-size request ---------------------------------------------------------------------------------


def many_nips(n: int) -> list[str]:
    """n valid NIPs: birth dates from 1980-01-01, TMT CPNS 2010-01, both genders, sequence 001-999."""
    nips = []
    for i in range(n):
        born = date(1980, 1, 1) + timedelta(days=i // 1998)
        nips.append(f"{born:%Y%m%d}201001{1 + (i // 999) % 2}{i % 999 + 1:03d}")
    assert len(set(nips)) == n
    return nips


async def test_twenty_thousand_rows_in_one_request(gateway, token_for):
    kota, officer = await setup_kota(gateway, token_for)
    nips = many_nips(20_000)
    roster_file = "\r\n".join(
        ["NIP BARU;NAMA;KODE UNOR"] + [f"{n};Pegawai {i};BKPSDM" for i, n in enumerate(nips)]
    )
    r = await gateway.post(
        f"/tenants/{kota}/imports", headers=officer, files={"file": ("pegawai.csv", roster_file.encode())}
    )
    assert r.status_code == 202, r.text
    job = await eventually(
        lambda: gateway.get(f"/tenants/{kota}/imports/{r.json()['id']}", headers=officer),
        lambda r: r.json()["status"] in ("done", "rejected", "failed"),
        timeout=120,
    )
    assert (job.json()["status"], job.json()["imported"]) == ("done", 20_000), job.text[:500]

    predikats = ["Sangat Baik", "Baik", "Butuh Perbaikan", "Kurang", "Sangat Kurang"]
    content = csv_bytes(
        [["NIP", "TAHUN", "PREDIKAT"]] + [[n, "2024", predikats[i % 5]] for i, n in enumerate(nips)]
    )
    # Roster's events reach the assessment service's replica in a few seconds; until every NIP is
    # there, the file is refused whole (unknown_nip) and nothing is written.
    deadline = time.monotonic() + 120
    while True:
        started = time.monotonic()
        r = await upload(gateway, officer, kota, "skp.csv", content)
        elapsed = time.monotonic() - started
        if r.status_code == 200 or time.monotonic() > deadline:
            break
        assert r.status_code == 422 and {e["rule"] for e in r.json()["errors"]} == {"unknown_nip"}, r.text[
            :500
        ]
        await asyncio.sleep(1)
    assert r.status_code == 200, r.text[:500]
    assert (r.json()["recorded"], r.json()["unchanged"]) == (20_000, 0)
    assert elapsed < 8, elapsed  # under the gateway's 10 s request timeout with room to spare
    r = await upload(gateway, officer, kota, "skp.csv", content)
    assert (r.json()["recorded"], r.json()["unchanged"]) == (0, 20_000)
    assert summary(await ratings(gateway, officer, kota, nips[-1])) == [
        (2024, predikats[19_999 % 5], None, None, "import")
    ]
