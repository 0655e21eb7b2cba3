"""The officers' pages in headless Chromium, through the gateway, on the demo province: sign in, the
nine-box against the API, a calibration move with its reason and audit entry (and a second officer's
approval), successors, the schedule with its downloads, and the imports."""

from __future__ import annotations

import re

import pytest
from bakat_common.testing import eventually

from .conftest import screenshot, sign_in

# The first test also loads the demo province (the session fixture): allow for it on a busy machine.
pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]
GRID_ORDER = (4, 7, 9, 2, 5, 8, 1, 3, 6)  # DESIGN.md's numbering, read left to right, top to bottom


def number(text: str) -> int:
    return int(re.sub(r"\D", "", text))


async def shown_counts(page) -> dict[int, int]:
    return {box: number(await page.inner_text(f"[data-testid=count-{box}]")) for box in range(1, 10)}


async def test_the_nine_box_shows_the_apis_counts_per_unit_in_both_languages(
    platform, gateway, token_for, demo_province, new_page
):
    kota = demo_province
    page = await new_page()
    await sign_in(page, platform.gateway_url, "siti.officer", kota)
    await page.wait_for_selector("[data-testid=count-9]")
    officer = await token_for(kota, "officer")
    view = (await gateway.get(f"/tenants/{kota}/nine-box", headers=officer)).json()
    assert await shown_counts(page) == {b["box"]: b["count"] for b in view["boxes"]}
    assert number(await page.inner_text("[data-testid=total]")) == view["total"] > 0
    # The grid is DESIGN.md's: performance rows from above to below, potential columns from low to high.
    cells = await page.eval_on_selector_all(
        "[role=gridcell]", "cells => cells.map(c => Number(c.dataset.box))"
    )
    assert tuple(cells) == GRID_ORDER
    assert "Bintang" in await page.inner_text("[data-testid=box-9]")
    assert page.script_errors == []  # type: ignore[attr-defined]
    await screenshot(page, "nine-box")

    await page.select_option("[data-testid=unit-filter]", "DINKES")
    await page.wait_for_url(re.compile(r"unit=DINKES"))
    unit = (await gateway.get(f"/tenants/{kota}/nine-box", headers=officer, params={"unit": "DINKES"})).json()
    await page.wait_for_function(
        "total => document.querySelector('[data-testid=total]')?.textContent.replace(/\\D/g, '') === String(total)",
        arg=unit["total"],
    )
    assert await shown_counts(page) == {b["box"]: b["count"] for b in unit["boxes"]}
    assert unit["total"] < view["total"]

    await page.click("[data-testid=lang]")
    await page.wait_for_selector("text=Assessment schedule")
    assert "Star" in await page.inner_text("[data-testid=box-9]")
    assert await page.get_attribute("html", "lang") == "en"
    await page.click("[data-testid=lang]")  # back to Indonesian for the other tests' screenshots
    await page.wait_for_selector("text=Jadwal asesmen")


async def test_a_person_explained_and_moved_with_a_reason_then_approved_by_a_second_officer(
    platform, gateway, token_for, demo_province, new_page
):
    kota = demo_province
    officer = await token_for(kota, "officer")
    page = await new_page()
    await sign_in(page, platform.gateway_url, "siti.officer", kota)
    await page.wait_for_selector("[data-testid=count-5]")
    before = await shown_counts(page)
    person = page.locator("[data-testid=box-5] .member").first
    nip = await person.get_attribute("data-nip")

    await person.click()  # why this box, history, plan
    await page.wait_for_selector("[data-testid=person-name]")
    placement = (await gateway.get(f"/tenants/{kota}/employees/{nip}/placement", headers=officer)).json()
    assert placement["box"] == 5
    assert "Kotak 5" in await page.inner_text("[data-testid=person-box]")
    reasons = await page.inner_text("[data-testid=reasons]")
    assert f"SKP {placement['performance']['skp_year']} {placement['performance']['predikat']}" in reasons
    assert "Tahun SKP 2024" in await page.inner_text("[data-testid=trend]")  # the demo's two cycles
    assert await page.locator("[data-testid=history] tbody tr").count() >= 2
    await screenshot(page, "person")

    # Dragged onto box 7: the form opens with box 7 chosen; the reason is the officer's.
    await page.click("[data-testid=person-panel] .close")
    await person.drag_to(page.locator("[data-testid=box-7]"))
    await page.wait_for_selector("[data-testid=calibrate-form]")
    assert await page.input_value("[data-testid=to-box]") == "7"
    reason = "memimpin tim reformasi birokrasi; rekam jejak belum tercermin dalam hasil asesmen"
    await page.fill("[data-testid=reason]", reason)
    await page.click("[data-testid=propose]")
    entry = page.locator(f"[data-testid=audit] li[data-action=move_proposed]:has-text('{nip}')")
    await entry.wait_for()
    assert "siti.officer" in await entry.inner_text()
    sessions = (
        await gateway.get(f"/tenants/{kota}/calibrations", headers=officer, params={"status": "draft"})
    ).json()
    [session] = [s for s in sessions if s["created_by"] == "siti.officer"]
    detail = (await gateway.get(f"/tenants/{kota}/calibrations/{session['id']}", headers=officer)).json()
    assert [(m["nip"], m["from_box"], m["to_box"], m["reason"]) for m in detail["moves"]] == [
        (nip, 5, 7, reason)
    ]
    assert ("move_proposed", nip, "siti.officer") in {
        (a["action"], a["nip"], a["actor"]) for a in detail["audit"]
    }
    await screenshot(page, "calibration-proposed")

    # Four eyes: the officer who proposed cannot approve; a second officer can.
    await page.click(f"[data-testid=approve-{session['id']}]")
    await page.wait_for_selector(f"[data-testid=session-{session['id']}] [data-testid=error]")
    assert (await gateway.get(f"/tenants/{kota}/employees/{nip}/placement", headers=officer)).json()[
        "box"
    ] == 5

    second = await new_page()
    await sign_in(second, platform.gateway_url, "budi.officer", kota)
    await second.click(f"[data-testid=approve-{session['id']}]")
    await second.wait_for_selector("[data-testid=notice]:has-text('Sesi disetujui: kotak baru berlaku')")
    moved = await eventually(
        lambda: gateway.get(f"/tenants/{kota}/employees/{nip}/placement", headers=officer),
        lambda r: r.json()["box"] == 7,
    )
    assert moved.json()["computed_box"] == 5
    await second.wait_for_function(
        "n => document.querySelector('[data-testid=count-7]')?.textContent.replace(/\\D/g, '') === String(n)",
        arg=before[7] + 1,
    )
    assert (await shown_counts(second))[5] == before[5] - 1
    await second.click(f"[data-testid=box-7] [data-nip='{nip}']")
    await second.wait_for_selector("[data-testid=person-box]:has-text('dikalibrasi dari kotak 5')")
    await screenshot(second, "calibration-approved")


async def test_the_talent_pool_and_the_ranked_successors_of_a_vacant_post(
    platform, gateway, token_for, demo_province, new_page
):
    kota = demo_province
    officer = await token_for(kota, "officer")
    page = await new_page()
    await sign_in(page, platform.gateway_url, "siti.officer", kota)
    await page.click("[data-testid=nav-talent]")
    await page.wait_for_selector("[data-testid=vacancies]")
    vacancies = (await gateway.get(f"/tenants/{kota}/succession/vacancies", headers=officer)).json()
    assert vacancies["total"] >= 1
    code = vacancies["items"][0]["position"]["code"]
    await page.click(f"[data-testid=vacancy-{code}]")
    await page.wait_for_selector("[data-testid=candidate-1]")
    ranked = (await gateway.get(f"/tenants/{kota}/succession/positions/{code}/candidates", headers=officer,
                                params={"limit": 20})).json()  # fmt: skip
    first = ranked["candidates"][0]
    cells = await page.locator("[data-testid=candidate-1] td").all_inner_texts()
    assert (cells[1], cells[3]) == (first["name"], str(first["box"]))
    readiness = {"ready_now": "Siap sekarang", "1_2_years": "1–2 tahun", "future": "Masa depan"}
    assert cells[6] == readiness[first["readiness"]] and cells[7]  # and why this rank
    # Kota Batu's merit-system index (330) lets it fill from the pool without open bidding.
    assert "tanpa seleksi terbuka" in await page.inner_text("[data-testid=merit]")
    pool = (await gateway.get(f"/tenants/{kota}/talent-pool", headers=officer, params={"limit": 1})).json()
    assert f"({pool['total']})" in await page.inner_text("h2:has-text('Talent pool')")
    await screenshot(page, "talent-pool-and-succession")


async def test_the_schedule_shows_the_verdict_the_calendar_and_downloads(
    platform, gateway, token_for, demo_province, new_page
):
    kota = demo_province
    officer = await token_for(kota, "officer")
    schedules = await eventually(
        lambda: gateway.get(f"/tenants/{kota}/schedules", headers=officer),
        lambda r: len(r.json()) == 2 and all(s["status"] not in ("queued", "solving") for s in r.json()),
    )
    by_status = {s["status"]: s for s in schedules.json()}
    assert set(by_status) == {"infeasible", "optimal"}
    page = await new_page()
    await sign_in(page, platform.gateway_url, "siti.officer", kota)

    # Kota Batu's own two assessors cannot observe 25 people in a day: the page says why.
    await page.goto(f"{platform.gateway_url}/app/#/schedule?id={by_status['infeasible']['id']}")
    await page.wait_for_selector("[data-testid=schedule-reasons]")
    assert "Tidak dapat dipenuhi" in await page.inner_text("[data-testid=verdict]")
    for reason in by_status["infeasible"]["reasons"]:
        assert reason in await page.inner_text("[data-testid=schedule-reasons]")
    await screenshot(page, "schedule-infeasible")

    solved = by_status["optimal"]
    await page.click(f"[data-testid=schedule-{solved['id']}]")
    await page.wait_for_selector("[data-testid=calendar]")
    days = (await gateway.get(f"/tenants/{kota}/schedules/{solved['id']}/days", headers=officer)).json()
    [day] = days
    card = await page.inner_text(f"[data-testid=day-{day['day']}]")
    assert "25 peserta" in card and "7 asesor" in card
    for session in day["sessions"]:
        assert session["room"] in card and session["participants"][0]["name"] in card
    async with page.expect_download() as download_info:
        await page.click("[data-testid=download-xlsx]")
    xlsx = await (await download_info.value).path()
    assert open(xlsx, "rb").read(2) == b"PK"  # a zip: an XLSX workbook
    assessor = day["sessions"][0]["assessors"][0]["id"]
    async with page.expect_download() as download_info:
        await page.click(f"[data-testid=download-ics-{assessor}]")
    ics = open(await (await download_info.value).path(), encoding="utf-8").read()
    assert ics.startswith("BEGIN:VCALENDAR") and "BEGIN:VEVENT" in ics
    await screenshot(page, "schedule")


async def test_imports_show_progress_and_the_rows_errors(
    platform, gateway, token_for, demo_province, new_page, tmp_path
):
    kota = demo_province
    officer = await token_for(kota, "officer")
    page = await new_page()
    await sign_in(page, platform.gateway_url, "siti.officer", kota)
    await page.click("[data-testid=nav-imports]")
    await page.wait_for_selector("[data-testid=roster-file]")

    # Two new people, one of them with a NIP whose birth date does not exist.
    roster = tmp_path / "pegawai-baru.csv"
    roster.write_text(
        "NIP BARU;NAMA;KODE UNOR\r\n199503152020122001;Rina Maharani;DINKES\r\n199502302020121001;Tanggal Salah;DINKES\r\n",
        encoding="utf-8",
    )
    await page.set_input_files("[data-testid=roster-file]", str(roster))
    await page.select_option("#roster-mode", "valid_rows")
    await page.click("[data-testid=roster-upload]")
    await page.wait_for_selector("[data-testid=job-status][data-status=done]")
    assert "1 diimpor" in await page.inner_text("[data-testid=job-counts]")
    [row] = await page.locator("[data-testid=row-errors] tbody tr").all()
    cells = await row.locator("td").all_inner_texts()
    assert cells[:2] == ["3", "NIP BARU"] and "birth date" in cells[2]
    r = await gateway.get(f"/tenants/{kota}/employees/199503152020122001", headers=officer)
    assert r.status_code == 200 and r.json()["name"] == "Rina Maharani"
    assert (
        await gateway.get(f"/tenants/{kota}/employees/199502302020121001", headers=officer)
    ).status_code == 404
    await screenshot(page, "imports-roster")

    # An SKP file is all or nothing: one unknown predikat, nothing recorded.
    skp = tmp_path / "skp-2025.csv"
    skp.write_text(
        "NIP;TAHUN;PREDIKAT\r\n199503152020122001;2025;Baik\r\n199503152020122001;2024;Baik Sekali\r\n",
        encoding="utf-8",
    )
    await page.set_input_files("[data-testid=skp-file]", str(skp))
    await page.click("[data-testid=skp-upload]")
    await page.wait_for_selector("[data-testid=skp-outcome] [data-testid=error]")
    assert "Baik Sekali" in await page.inner_text("[data-testid=skp-outcome]")
    ratings = await gateway.get(
        f"/tenants/{kota}/employees/199503152020122001/performance-ratings", headers=officer
    )
    assert ratings.json() == []
    await screenshot(page, "imports-skp")
