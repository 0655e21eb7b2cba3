"""Schedules on real PostgreSQL through the service's own routes: the Kota Batu case (2 internal
assessors are not enough for 25 participants; the province's 5 make it), the pool shared by two
kota without double-booking, publishing, one absent participant re-scheduled without moving anyone
else, the exports, conflicts of interest and bad input that changes nothing."""

from __future__ import annotations

import asyncio
import io
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, timedelta

import httpx
import pytest
from bakat_common.app import ServiceRuntime
from bakat_common.auth import DevIssuer
from bakat_common.contracts.roster import EmployeeRegisteredV1
from bakat_common.events import new_event
from bakat_common.infrastructure import known_tenants, outbox
from icalendar import Calendar
from openpyxl import load_workbook
from scheduling import schedules, service
from scheduling.models import AssessorBooking, Schedule
from scheduling.repository import ScheduleRepository
from sqlalchemy import func, select, update

pytestmark = pytest.mark.integration

# A Monday two weeks ahead: the window is always in the future, whatever day the suite runs.
MONDAY = date.today() + timedelta(days=14 - date.today().weekday())
UNITS = ["/SETDA/", "/DINKES/", "/DINKES/PUSKESMAS-1/", "/BAPPEDA/", "/DISDIK/"]


@dataclass
class Stack:
    client: httpx.AsyncClient
    runtime: ServiceRuntime
    issuer: DevIssuer

    async def province_with(self, *kota: str) -> tuple[str, list[str]]:
        suffix = uuid.uuid4().hex[:6]
        province = f"prov-jatim-{suffix}"
        children = [f"{k}-{suffix}" for k in kota]
        async with self.runtime.sessions() as s, s.begin():
            await s.execute(
                known_tenants.insert().values(tenant_id=province, name="Prov Jatim", kind="provinsi")
            )
            for child in children:
                await s.execute(
                    known_tenants.insert().values(
                        tenant_id=child, name=child, kind="kota", parent_id=province
                    )
                )
        return province, children

    def headers(self, tenant: str, role: str = "officer") -> dict[str, str]:
        return {"authorization": f"Bearer {self.issuer.mint(f'{role}-1', tenant, [role])}"}

    async def employees(self, tenant: str, count: int, start: int = 0) -> list[str]:
        """Registered through the consumer's handler, as roster's events would."""
        events, nips = [], []
        for n in range(start, start + count):
            nip = f"198{n % 10}0101200501{1 + n % 2}{n % 1000:03d}"
            unit = UNITS[n % len(UNITS)]
            payload = EmployeeRegisteredV1(
                nip=nip, name=f"Pegawai {n}", gender="male", birth_date=date(1980 + n % 10, 1, 1),
                employment_type="PNS", unit_code=unit.strip("/").split("/")[-1], unit_path=unit,
                tier="Pengawas",
            )  # fmt: skip
            events.append(new_event(payload, service="roster", tenant=tenant, subject=nip))
            nips.append(nip)
        async with self.runtime.sessions() as s, s.begin():
            await service.on_employee_changed.handle(s, events)
        return nips

    async def venue(self, tenant: str, seats: tuple[int, ...] = (30, 30, 40)) -> str:
        rooms = [
            {"name": f"Ruang {i + 1}", "room_type": "computer_lab" if i == 0 else "classroom", "capacity": c}
            for i, c in enumerate(seats)
        ]
        r = await self.client.post(
            f"/tenants/{tenant}/venues",
            json={"name": f"SMK Negeri {uuid.uuid4().hex[:4]}", "rooms": rooms},
            headers=self.headers(tenant),
        )
        assert r.status_code == 201, r.text
        return r.json()["id"]

    async def assessors(self, tenant: str, count: int, prefix: str, **extra) -> list[dict]:
        out = []
        for i in range(count):
            body = {"subject": f"{prefix}-{i}", "name": f"Asesor {prefix} {i}", "certification": "Asesor SDM Aparatur",
                    "max_participants_per_day": 16, **extra}  # fmt: skip
            r = await self.client.post(
                f"/tenants/{tenant}/assessors", json=body, headers=self.headers(tenant, "admin")
            )
            assert r.status_code == 201, r.text
            out.append(r.json())
        return out

    async def solve(self, tenant: str, body: dict) -> dict:
        r = await self.client.post(f"/tenants/{tenant}/schedules", json=body, headers=self.headers(tenant))
        assert r.status_code == 202, r.text
        schedule_id = r.json()["id"]
        for _ in range(600):
            got = (
                await self.client.get(
                    f"/tenants/{tenant}/schedules/{schedule_id}", headers=self.headers(tenant)
                )
            ).json()
            if got["status"] not in ("queued", "solving"):
                return got
            await asyncio.sleep(0.05)
        raise AssertionError(f"schedule {schedule_id} still {got['status']}")

    async def days(self, tenant: str, schedule_id: str) -> list[dict]:
        r = await self.client.get(
            f"/tenants/{tenant}/schedules/{schedule_id}/days", headers=self.headers(tenant)
        )
        assert r.status_code == 200, r.text
        return r.json()


def request(nips: list[str], *, days: int = 5, pool: bool = True, **extra) -> dict:
    return {
        "campaign_id": str(uuid.uuid4()),
        "name": "Asesmen Kompetensi 2026",
        "window": {"start": MONDAY.isoformat(), "end": (MONDAY + timedelta(days=days - 1)).isoformat()},
        "participants": [{"nip": n} for n in nips],
        "daily_cap": 48,
        "ratio": {"assessors": 7, "participants": 25},
        "use_province_pool": pool,
        "time_limit_s": 10,
        **extra,
    }


@pytest.fixture(scope="module")
async def stack(scheduling_app) -> AsyncIterator[Stack]:
    async with scheduling_app("schedules") as (client, runtime, issuer):
        yield Stack(client, runtime, issuer)


async def test_kota_batu_needs_the_province_pool(stack: Stack) -> None:
    province, (batu,) = await stack.province_with("kota-batu")
    nips = await stack.employees(batu, 25)
    await stack.venue(batu)
    await stack.assessors(batu, 2, "batu")

    alone = await stack.solve(batu, request(nips, days=1, pool=False))
    assert alone["status"] == "infeasible"
    said = " ".join(alone["reasons"])
    assert "7" in said and "2" in said, alone["reasons"]
    assert alone["days_used"] is None and await stack.days(batu, alone["id"]) == []

    pool = await stack.assessors(province, 5, "prov")
    listed = (await stack.client.get(f"/tenants/{batu}/assessors", headers=stack.headers(batu))).json()
    assert sorted(a["pool"] for a in listed) == [False] * 2 + [True] * 5

    helped = await stack.solve(batu, request(nips, days=1))
    assert helped["status"] == "optimal", helped
    assert helped["days_used"] == 1 and helped["lower_bound_days"] == 1 and helped["greedy_days"] == 1
    (day,) = await stack.days(batu, helped["id"])
    assert day["participants"] == 25 and day["assessors"] == 7
    seen = [p["id"] for s in day["sessions"] for p in s["participants"]]
    assert sorted(seen) == sorted(nips)
    pool_ids = {a["id"] for a in pool}
    assert pool_ids <= {a["id"] for s in day["sessions"] for a in s["assessors"]}
    for s in day["sessions"]:
        assert 4 <= len(s["participants"]) <= 8 and len(s["assessors"]) >= 2


async def test_the_pool_is_never_double_booked_across_kota(stack: Stack) -> None:
    province, (a, b) = await stack.province_with("kota-a", "kota-b")
    pool = {x["id"] for x in await stack.assessors(province, 5, "pool")}
    await stack.venue(a)
    await stack.assessors(a, 2, "a")
    first = await stack.solve(a, request(await stack.employees(a, 25), days=1))
    assert first["status"] == "optimal", first

    # Kota B on the same single day: the pool is taken, its own 2 assessors are not enough.
    await stack.venue(b)
    await stack.assessors(b, 2, "b")
    b_nips = await stack.employees(b, 25, 200)
    same_day = await stack.solve(b, request(b_nips, days=1))
    assert same_day["status"] == "infeasible", same_day
    assert any("7" in r for r in same_day["reasons"]), same_day["reasons"]

    # With a week, B has the pool on another day.
    week = await stack.solve(b, request(b_nips, days=5))
    assert week["status"] == "optimal", week

    async def booked(tenant: str, schedule_id: str) -> set[tuple[str, str]]:
        days = await stack.days(tenant, schedule_id)
        return {(x["id"], d["day"]) for d in days for s in d["sessions"] for x in s["assessors"]}

    used_a, used_b = await booked(a, first["id"]), await booked(b, week["id"])
    assert pool <= {x for x, _ in used_a} and pool <= {x for x, _ in used_b}
    assert not used_a & used_b
    assert {d for _, d in used_b} == {(MONDAY + timedelta(days=1)).isoformat()}


async def test_publish_sends_one_event_per_session_once(stack: Stack) -> None:
    province, (batu,) = await stack.province_with("kota-batu")
    nips = await stack.employees(batu, 25)
    await stack.venue(batu)
    team = await stack.assessors(batu, 7, "batu")
    solved = await stack.solve(batu, request(nips, days=2))
    assert solved["status"] == "optimal"
    sessions = [s for d in await stack.days(batu, solved["id"]) for s in d["sessions"]]

    async def published() -> list[dict]:
        async with stack.runtime.sessions() as s:
            rows = await s.execute(
                select(outbox.c.envelope).where(
                    outbox.c.tenant == batu, outbox.c.event_type == "bakat.scheduling.session.scheduled.v1"
                )
            )
            return [r.envelope for r in rows]

    assert await published() == []
    for _ in range(2):
        r = await stack.client.post(
            f"/tenants/{batu}/schedules/{solved['id']}/publish", headers=stack.headers(batu)
        )
        assert r.status_code == 200 and r.json()["published_at"], r.text
    events = await published()
    assert len(events) == len(sessions)
    subjects = {a["id"]: a["subject"] for a in team}
    for session in sessions:
        (event,) = [e for e in events if e["data"]["session_id"] == session["id"]]
        assert sorted(event["data"]["participants"]) == sorted(p["id"] for p in session["participants"])
        assert event["data"]["assessors"] == [subjects[a["id"]] for a in session["assessors"]]
        assert event["data"]["lead_assessor"] == subjects[session["assessors"][0]["id"]]
        assert event["data"]["campaign_id"] == solved["campaign_id"]

    # A published schedule stays.
    r = await stack.client.delete(f"/tenants/{batu}/schedules/{solved['id']}", headers=stack.headers(batu))
    assert r.status_code == 409


async def test_one_absent_participant_moves_nobody_else(stack: Stack) -> None:
    province, (batu,) = await stack.province_with("kota-batu")
    nips = await stack.employees(batu, 60)
    await stack.venue(batu)
    await stack.assessors(batu, 12, "batu")
    solved = await stack.solve(batu, request(nips, days=5, daily_cap=25))
    assert solved["status"] == "optimal" and solved["days_used"] == 3
    r = await stack.client.post(
        f"/tenants/{batu}/schedules/{solved['id']}/publish", headers=stack.headers(batu)
    )
    assert r.status_code == 200
    before = {
        p["id"]: (d["day"], s["id"])
        for d in await stack.days(batu, solved["id"])
        for s in d["sessions"]
        for p in s["participants"]
    }
    first_day = min(day for day, _ in before.values())
    absent = next(n for n, (day, _) in before.items() if day == first_day)

    r = await stack.client.post(
        f"/tenants/{batu}/schedules/{solved['id']}/absences",
        json={"nip": absent, "not_before": (date.fromisoformat(first_day) + timedelta(days=1)).isoformat()},
        headers=stack.headers(batu),
    )
    assert r.status_code == 200, r.text
    moved = r.json()
    assert moved["status"] in ("optimal", "feasible") and moved["moved_to"]["day"] > first_day
    after = {
        p["id"]: (d["day"], s["id"])
        for d in await stack.days(batu, solved["id"])
        for s in d["sessions"]
        for p in s["participants"]
    }
    assert after.pop(absent)[0] == moved["moved_to"]["day"]
    del before[absent]
    assert after == before

    # An infeasible move changes nothing: no day after the window's last.
    r = await stack.client.post(
        f"/tenants/{batu}/schedules/{solved['id']}/absences",
        json={"nip": absent, "not_before": (MONDAY + timedelta(days=30)).isoformat()},
        headers=stack.headers(batu),
    )
    assert r.status_code == 200 and r.json()["status"] == "infeasible" and r.json()["reasons"], r.text
    again = {
        p["id"]: (d["day"], s["id"])
        for d in await stack.days(batu, solved["id"])
        for s in d["sessions"]
        for p in s["participants"]
    }
    assert again[absent][0] == moved["moved_to"]["day"]


async def test_exports_and_conflicts_of_interest(stack: Stack) -> None:
    province, (batu,) = await stack.province_with("kota-batu")
    nips = await stack.employees(batu, 40)
    await stack.venue(batu)
    team = await stack.assessors(batu, 6, "batu", unit_path="/DINKES/")
    team += await stack.assessors(batu, 6, "other")
    solved = await stack.solve(batu, request(nips, days=5, daily_cap=20))
    assert solved["status"] in ("optimal", "feasible"), solved
    days = await stack.days(batu, solved["id"])
    dinkes = {a["id"] for a in team[:6]}
    unit_of = {n: UNITS[i % len(UNITS)] for i, n in enumerate(nips)}
    checked = 0
    for d in days:
        for s in d["sessions"]:
            if dinkes & {a["id"] for a in s["assessors"]}:
                checked += 1
                assert not any(unit_of[p["id"]].startswith("/DINKES/") for p in s["participants"]), s
    assert checked, "the DINKES assessors were used somewhere"

    r = await stack.client.get(
        f"/tenants/{batu}/schedules/{solved['id']}/export.xlsx", headers=stack.headers(batu)
    )
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(r.content), read_only=True)
    rows = list(book["Jadwal"].iter_rows(min_row=3, values_only=True))
    assert sorted(row[4] for row in rows) == sorted(nips)
    assessor_rows = list(book["Asesor"].iter_rows(min_row=2, values_only=True))
    assert len(assessor_rows) == sum(len(s["assessors"]) for d in days for s in d["sessions"])

    someone = days[0]["sessions"][0]["assessors"][0]
    r = await stack.client.get(
        f"/tenants/{batu}/schedules/{solved['id']}/assessors/{someone['id']}/calendar.ics",
        headers=stack.headers(batu),
    )
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/calendar")
    events = Calendar.from_ical(r.content).walk("VEVENT")
    sits = [
        (d["day"], s)
        for d in days
        for s in d["sessions"]
        if someone["id"] in {a["id"] for a in s["assessors"]}
    ]
    assert len(events) == len(sits)
    assert sorted(e.decoded("dtstart").isoformat() for e in events) == sorted(day for day, _ in sits)


async def test_participants_by_filter(stack: Stack) -> None:
    province, (batu,) = await stack.province_with("kota-batu")
    nips = await stack.employees(batu, 30)
    await stack.venue(batu)
    await stack.assessors(batu, 8, "batu")
    body = request([], days=5) | {"participants": None, "participant_filter": {"unit": "DINKES"}}
    solved = await stack.solve(batu, body)
    dinkes = {n for i, n in enumerate(nips) if UNITS[i % len(UNITS)].startswith("/DINKES/")}
    assert solved["participants"] == len(dinkes) == 12
    got = {
        p["id"]
        for d in await stack.days(batu, solved["id"])
        for s in d["sessions"]
        for p in s["participants"]
    }
    assert got == dinkes


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (lambda b: b | {"participants": []}, "body.participants"),
        (lambda b: b | {"window": {"start": "2020-01-06", "end": "2020-01-10"}}, "body.window.start"),
        (lambda b: b | {"ratio": {"assessors": 0, "participants": 25}}, "body.ratio.assessors"),
        (lambda b: b | {"ratio": {"assessors": 7, "participants": 0}}, "body.ratio.participants"),
        (lambda b: b | {"daily_cap": 0}, "body.daily_cap"),
        (
            lambda b: b | {"participants": b["participants"] + [{"nip": "199001012015011999"}]},
            "body.participants.25.nip",
        ),
        (
            lambda b: b | {"participants": b["participants"] + b["participants"][:1]},
            "body.participants.25.nip",
        ),
        (lambda b: b | {"participant_filter": {"unit": "DINKES"}}, "body"),
        (lambda b: b | {"group_min": 9, "group_max": 8}, "body"),
        (lambda b: b | {"window": {"start": b["window"]["end"], "end": b["window"]["start"]}}, "body.window"),
        (
            lambda b: b | {"window": {**b["window"], "end": b["window"]["start"], "working_days": [7]}},
            "body.window",
        ),
        (lambda b: b | {"venue_ids": [str(uuid.uuid4())]}, "body.venue_ids.0"),
        (lambda b: b | {"time_limit_s": 0}, "body.time_limit_s"),
    ],
)
async def test_bad_requests_say_where_and_change_nothing(stack: Stack, change, where: str) -> None:
    province, (batu,) = await stack.province_with("kota-batu")
    nips = await stack.employees(batu, 25)
    await stack.venue(batu)
    r = await stack.client.post(
        f"/tenants/{batu}/schedules", json=change(request(nips)), headers=stack.headers(batu)
    )
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert where in r.text, r.text
    assert (await stack.client.get(f"/tenants/{batu}/schedules", headers=stack.headers(batu))).json() == []


async def test_rooms_and_assessors_refuse_bad_values(stack: Stack) -> None:
    province, (batu,) = await stack.province_with("kota-batu")
    h = stack.headers(batu)
    r = await stack.client.post(
        f"/tenants/{batu}/venues",
        json={"name": "SMK", "rooms": [{"name": "Lab", "room_type": "computer_lab", "capacity": 0}]},
        headers=h,
    )
    assert r.status_code == 422 and "body.rooms.0.capacity" in r.text
    r = await stack.client.post(
        f"/tenants/{batu}/assessors", json={"subject": "x", "name": "X", "nip": "123"}, headers=h
    )
    assert r.status_code == 422 and "body.nip" in r.text
    r = await stack.client.post(
        f"/tenants/{batu}/assessors",
        json={"subject": "x", "name": "X", "max_participants_per_day": 0},
        headers=h,
    )
    assert r.status_code == 422 and "body.max_participants_per_day" in r.text
    r = await stack.client.post(
        f"/tenants/{batu}/schedules", json=request([]), headers=stack.headers(batu, "viewer")
    )
    assert r.status_code in (403, 422)
    async with stack.runtime.sessions() as s:
        assert (
            await s.scalar(
                select(func.count()).select_from(known_tenants).where(known_tenants.c.tenant_id == batu)
            )
            == 1
        )
    r = await stack.client.get(f"/tenants/{batu}/venues", headers=h)
    assert r.json() == []


async def test_a_job_that_lost_its_process_shows_as_failed_and_can_be_withdrawn(stack: Stack) -> None:
    province, (batu,) = await stack.province_with("kota-batu")
    nips = await stack.employees(batu, 25)
    await stack.venue(batu)
    await stack.assessors(batu, 7, "batu")
    solved = await stack.solve(batu, request(nips, days=2))
    assert solved["status"] == "optimal"
    metrics = (await stack.client.get("/metrics/")).text
    assert 'bakat_schedule_solve_seconds_count{status="optimal"}' in metrics

    # As if the process had died while solving: its heartbeat stopped three minutes ago.
    async with stack.runtime.sessions() as s, s.begin():
        await s.execute(
            update(Schedule)
            .where(Schedule.id == uuid.UUID(solved["id"]))
            .values(status="solving", heartbeat_at=func.now() - timedelta(minutes=3))
        )
    got = (
        await stack.client.get(f"/tenants/{batu}/schedules/{solved['id']}", headers=stack.headers(batu))
    ).json()
    assert got["status"] == "failed" and "restarted" in got["reasons"][0]
    r = await stack.client.delete(f"/tenants/{batu}/schedules/{solved['id']}", headers=stack.headers(batu))
    assert r.status_code == 204
    async with stack.runtime.sessions() as s:
        assert (
            await s.scalar(
                select(func.count()).select_from(AssessorBooking).where(AssessorBooking.tenant_id == batu)
            )
            == 0
        )


async def test_a_lent_room_holds_one_schedule_a_day_across_kota(stack: Stack) -> None:
    province, (a, b) = await stack.province_with("kota-a", "kota-b")
    venue = await stack.venue(province, seats=(30,))  # the province's venue, lent to its kota
    listed = (
        await stack.client.get(f"/tenants/{a}/venues?include_province=true", headers=stack.headers(a))
    ).json()
    assert [v["id"] for v in listed] == [venue]
    assert (await stack.client.get(f"/tenants/{a}/venues", headers=stack.headers(a))).json() == []
    for kota in (a, b):
        await stack.assessors(kota, 7, f"{kota}-asesor")
    first = await stack.solve(a, request(await stack.employees(a, 25), days=1, venue_ids=[venue]))
    assert first["status"] == "optimal", first
    b_nips = await stack.employees(b, 25, 300)
    same_day = await stack.solve(b, request(b_nips, days=1, venue_ids=[venue]))
    assert same_day["status"] == "infeasible", same_day
    two_days = await stack.solve(b, request(b_nips, days=2, venue_ids=[venue]))
    assert two_days["status"] == "optimal", two_days
    [day_a] = await stack.days(a, first["id"])
    [day_b] = await stack.days(b, two_days["id"])
    assert day_a["day"] != day_b["day"]


async def test_one_person_is_one_assessor_in_the_whole_province(stack: Stack) -> None:
    province, (a, b) = await stack.province_with("kota-a", "kota-b")
    await stack.assessors(province, 1, "rina")
    for tenant in (a, b, province):
        r = await stack.client.post(
            f"/tenants/{tenant}/assessors",
            json={"subject": "rina-0", "name": "Rina", "certification": "Asesor SDM Aparatur"},
            headers=stack.headers(tenant, "admin"),
        )
        assert r.status_code == 409 and province in r.json()["detail"], r.text
    await stack.assessors(a, 1, "budi")
    r = await stack.client.post(
        f"/tenants/{b}/assessors",
        json={"subject": "budi-0", "name": "Budi"},
        headers=stack.headers(b, "admin"),
    )
    assert r.status_code == 409


async def test_absences_move_to_a_later_day_and_survive_a_deactivated_assessor(stack: Stack) -> None:
    province, (batu,) = await stack.province_with("kota-batu")
    nips = await stack.employees(batu, 45)
    await stack.venue(batu)
    team = await stack.assessors(batu, 10, "batu")
    solved = await stack.solve(batu, request(nips, days=5, daily_cap=25))
    assert solved["status"] == "optimal" and solved["days_used"] == 2
    days = await stack.days(batu, solved["id"])
    where = {p["id"]: d["day"] for d in days for s in d["sessions"] for p in s["participants"]}
    first_day = min(where.values())
    absent = next(n for n, day in where.items() if day == first_day)
    url = f"/tenants/{batu}/schedules/{solved['id']}/absences"

    r = await stack.client.post(
        url, json={"nip": absent, "not_before": first_day}, headers=stack.headers(batu)
    )
    assert r.status_code == 422 and "body.not_before" in r.text

    # The last day's assessors leave the team: their sessions stand, nobody new is given to them.
    leavers = {a["id"] for s in days[-1]["sessions"] for a in s["assessors"]}
    assert leavers <= {a["id"] for a in team}
    for leaver in leavers:
        r = await stack.client.patch(
            f"/tenants/{batu}/assessors/{leaver}",
            json={"active": False},
            headers=stack.headers(batu, "admin"),
        )
        assert r.status_code == 200
    r = await stack.client.post(url, json={"nip": absent}, headers=stack.headers(batu))
    assert r.status_code == 200, r.text
    moved = r.json()
    assert moved["status"] in ("optimal", "feasible") and moved["moved_to"]["day"] > first_day, moved


async def test_exports_take_any_text(stack: Stack) -> None:
    province, (batu,) = await stack.province_with("kota-batu")
    nips = await stack.employees(batu, 8)
    await stack.venue(batu)
    [assessor] = await stack.assessors(batu, 1, "Şükrü\u00e9")
    await stack.assessors(batu, 1, "other")
    solved = await stack.solve(
        batu, request(nips, days=1, name="Jadwal\x07Batu", ratio={"assessors": 2, "participants": 8})
    )
    assert solved["status"] == "optimal", solved
    r = await stack.client.get(
        f"/tenants/{batu}/schedules/{solved['id']}/export.xlsx", headers=stack.headers(batu)
    )
    assert r.status_code == 200
    assert load_workbook(io.BytesIO(r.content), read_only=True)["Jadwal"]["A1"].value == "JadwalBatu"
    r = await stack.client.get(
        f"/tenants/{batu}/schedules/{solved['id']}/assessors/{assessor['id']}/calendar.ics",
        headers=stack.headers(batu),
    )
    assert r.status_code == 200 and assessor["id"] in r.headers["content-disposition"]


async def test_a_room_capacity_cannot_be_null(stack: Stack) -> None:
    province, (batu,) = await stack.province_with("kota-batu")
    venue = await stack.venue(batu, seats=(30,))
    room = (await stack.client.get(f"/tenants/{batu}/venues/{venue}", headers=stack.headers(batu))).json()[
        "rooms"
    ][0]
    url = f"/tenants/{batu}/venues/{venue}/rooms/{room['id']}"
    r = await stack.client.patch(url, json={"capacity": None}, headers=stack.headers(batu))
    assert r.status_code == 422 and "body.capacity" in r.text
    r = await stack.client.patch(
        url, json={"available_dates": [MONDAY.isoformat()]}, headers=stack.headers(batu)
    )
    assert (
        r.status_code == 200
        and r.json()["capacity"] == 30
        and r.json()["available_dates"] == [MONDAY.isoformat()]
    )


async def test_two_answers_booking_the_same_days_at_once_never_deadlock(stack: Stack) -> None:
    """Each transaction books its rows in key order, so two of them wait for each other instead of
    deadlocking (in opposite orders, two overlapping bookings deadlocked 9 times in 10)."""
    province, (a, b) = await stack.province_with("kota-a", "kota-b")
    pool = [uuid.UUID(x["id"]) for x in await stack.assessors(province, 30, "pool")]
    days = [MONDAY + timedelta(days=i) for i in range(100)]
    pairs = {(x, d) for x in pool for d in days}
    async with stack.runtime.sessions() as s, s.begin():
        schedules = []
        for tenant in (a, b):
            row = Schedule(id=uuid.uuid4(), tenant_id=tenant, campaign_id="c", name="n", request={},
                           status="solving", progress=0.0, reasons=[], created_by="t")  # fmt: skip
            s.add(row)
            schedules.append(row)

    async def book(schedule: Schedule, mine: set) -> set:
        async with stack.runtime.sessions() as s, s.begin():
            return await ScheduleRepository(s).book(schedule, mine)

    ordered = sorted(pairs)
    some = set(ordered[: len(ordered) // 2]) | set(ordered[-50:])  # B's days: all of them A's too
    for _ in range(3):
        # No deadlock error out of either; whoever commits first has its days, the other gets none
        # of the shared ones.
        taken_a, taken_b = await asyncio.gather(book(schedules[0], pairs), book(schedules[1], some))
        assert (taken_a, taken_b) in ((set(), some), (some, set()))
        async with stack.runtime.sessions() as s, s.begin():
            await s.execute(
                AssessorBooking.__table__.delete().where(
                    AssessorBooking.schedule_id.in_([x.id for x in schedules])
                )
            )


async def test_the_time_limit_holds_for_the_whole_job_when_bookings_race(stack: Stack, monkeypatch) -> None:
    """Every answer loses its booking race (as if other kota kept booking the pool's days): the job
    solves again only while its time limit lasts, then says so, instead of three full limits."""
    province, (batu,) = await stack.province_with("kota-batu")
    nips = await stack.employees(batu, 25)
    await stack.venue(batu)
    await stack.assessors(batu, 7, "batu")
    limits: list[float] = []
    real_solve = schedules.solver.solve

    def slow_solve(problem, **kw):
        limits.append(problem.time_limit_s)
        time.sleep(problem.time_limit_s * 0.6)  # the solver uses most of what it is given
        return real_solve(problem, **kw)

    async def always_taken(*args, **kw):
        raise schedules._DaysTaken()

    monkeypatch.setattr(schedules.solver, "solve", slow_solve)
    monkeypatch.setattr(schedules, "_store_answer", always_taken)
    started = asyncio.get_running_loop().time()
    got = await stack.solve(batu, request(nips, days=2, time_limit_s=3))
    took = asyncio.get_running_loop().time() - started
    assert got["status"] == "failed" and "time limit" in got["reasons"][0], got
    assert limits[0] == 3 and len(limits) == 2 and limits[1] < 3 - 1.5, limits  # the second gets what is left
    assert took < 3 + 3, took  # the limit and the last solve's own overrun, not 3 x 3 s
