"""`python -m bakat_devstack demo`: a realistic province loaded through the public API (the gateway),
so that `make run` + `make demo` shows a filled nine-box at once.

Pemerintah Provinsi Jawa Timur with three children (Kota Batu, Kota Mojokerto, Kabupaten Malang),
each with its OPD tree, structural positions (some vacant), about 1,000 employees imported from a
SIASN-like CSV, SKP predikat for 2024 and 2025 (the BKN batch), assessment results (one campaign run
through the whole assessor workflow, the rest from an external assessment centre), a merit-system
index, venues and assessors (two internal ones each, five in the province's pool) and two schedule
requests for Kota Batu's one day at the school: one that cannot be met with its own two assessors
(the answer says why), and the same with the province's pool, solved. Everything goes through the
same endpoints an officer or a BKN client uses; the data is made up (names, NIPs) but follows the
domain rules (valid NIPs, tiers, golongan). The same seed gives the same people and the same boxes.

Loading again is harmless: a tenant that already exists is left as it is.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import random
import sys
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, TextIO

import httpx
from bakat_common.contracts.competencies import POTENTIAL_ASPECTS, STANDARD_COMPETENCIES

PROVINCE = ("prov-jawa-timur", "Pemerintah Provinsi Jawa Timur")
CHILDREN = (
    ("kota-batu", "Pemerintah Kota Batu", "kota"),
    ("kota-mojokerto", "Pemerintah Kota Mojokerto", "kota"),
    ("kab-malang", "Pemerintah Kabupaten Malang", "kabupaten"),
)
# (code, name, kind, sub-units as (code suffix, name, kind))
OPD = (
    ("SETDA", "Sekretariat Daerah", "sekretariat",
     (("ORG", "Bagian Organisasi", "bagian"), ("HKM", "Bagian Hukum", "bagian"))),
    ("BKPSDM", "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia", "badan",
     (("MUTASI", "Bidang Mutasi dan Promosi", "bidang"), ("BANGKOM", "Bidang Pengembangan Kompetensi", "bidang"))),
    ("DINKES", "Dinas Kesehatan", "dinas",
     (("YANKES", "Bidang Pelayanan Kesehatan", "bidang"), ("P2P", "Bidang Pencegahan dan Pengendalian Penyakit", "bidang"))),
    ("DISDIK", "Dinas Pendidikan", "dinas",
     (("SD", "Bidang Pembinaan Sekolah Dasar", "bidang"), ("SMP", "Bidang Pembinaan SMP", "bidang"))),
    ("DPUPR", "Dinas Pekerjaan Umum dan Penataan Ruang", "dinas",
     (("BM", "Bidang Bina Marga", "bidang"), ("TR", "Bidang Tata Ruang", "bidang"))),
    ("DISKOMINFO", "Dinas Komunikasi dan Informatika", "dinas",
     (("IKP", "Bidang Informasi dan Komunikasi Publik", "bidang"), ("APTIKA", "Bidang Aplikasi Informatika", "bidang"))),
    ("BAPPEDA", "Badan Perencanaan Pembangunan Daerah", "badan",
     (("EKO", "Bidang Perekonomian", "bidang"), ("SOSBUD", "Bidang Sosial Budaya", "bidang"))),
    ("BPKAD", "Badan Pengelolaan Keuangan dan Aset Daerah", "badan",
     (("ANGGARAN", "Bidang Anggaran", "bidang"), ("ASET", "Bidang Aset", "bidang"))),
    ("DINSOS", "Dinas Sosial", "dinas", (("REHSOS", "Bidang Rehabilitasi Sosial", "bidang"),)),
    ("DISDUKCAPIL", "Dinas Kependudukan dan Pencatatan Sipil", "dinas",
     (("DAFDUK", "Bidang Pelayanan Pendaftaran Penduduk", "bidang"),)),
)  # fmt: skip
MALE = (
    "Agus",
    "Budi",
    "Joko",
    "Hendra",
    "Rudi",
    "Bambang",
    "Eko",
    "Dwi",
    "Slamet",
    "Wahyu",
    "Arif",
    "Andi",
    "Yusuf",
    "Fajar",
    "Imam",
    "Teguh",
    "Rizki",
    "Hadi",
    "Bayu",
    "Dedi",
    "Sugeng",
    "Heru",
    "Adi",
    "Gunawan",
)
FEMALE = (
    "Siti",
    "Sri",
    "Dewi",
    "Rina",
    "Ratna",
    "Endah",
    "Wulan",
    "Nur",
    "Lestari",
    "Indah",
    "Fitri",
    "Ayu",
    "Yuni",
    "Dian",
    "Retno",
    "Tri",
    "Rahma",
    "Novi",
    "Anik",
    "Evi",
    "Puji",
    "Kartika",
    "Wening",
    "Lilis",
)
FAMILY = ("Santoso", "Wibowo", "Susanto", "Pratama", "Hidayat", "Setiawan", "Purnomo", "Rahayu", "Kurniawan",
          "Saputra", "Wijaya", "Handayani", "Nugroho", "Utomo", "Suryani", "Prasetyo", "Hartono", "Lestari",
          "Maulana", "Fauzi", "Puspitasari", "Anggraini", "Firmansyah", "Wulandari", "Sulistyo", "Mahendra")  # fmt: skip
BACK_TITLES = ("S.Sos.", "S.E.", "S.H.", "S.Kom.", "S.T.", "S.Pd.", "S.K.M.", "S.E., M.M.", "S.Sos., M.Si.",
               "S.H., M.H.", "S.T., M.T.", "S.Kep., Ns.", "S.AP.", "A.Md.")  # fmt: skip
FUNCTIONAL = (
    "Analis Kebijakan",
    "Perencana",
    "Pranata Komputer",
    "Auditor",
    "Analis SDM Aparatur",
    "Pranata Humas",
    "Analis Keuangan Pusat dan Daerah",
    "Perawat",
    "Penyuluh Kesehatan Masyarakat",
)
LEVELS_EXPERT = ("Ahli Pertama", "Ahli Muda", "Ahli Madya")
ADMINISTRATIVE = ("Pengadministrasi Umum", "Pengelola Data", "Bendahara", "Pengelola Kepegawaian",
                  "Pengemudi", "Pranata Kearsipan", "Pengelola Barang Milik Negara")  # fmt: skip
PREDIKAT = ("Sangat Baik", "Baik", "Butuh Perbaikan", "Kurang", "Sangat Kurang")
ASPECT_CODES = tuple(code for code, _ in POTENTIAL_ASPECTS)


@dataclass
class Person:
    nip: str
    name: str
    back_title: str
    birth: date
    gender: str  # L / P
    unit_code: str
    tier: str
    golongan: str
    position_code: str | None = None
    eselon: str | None = None
    title: str = ""
    functional_level: str | None = None
    talent: float = 3.0  # the made-up truth behind the ratings: potential and performance follow it
    drive: float = 0.0


@dataclass
class Kota:
    tenant: str
    name: str
    kind: str
    units: list[tuple[str, str, str, str | None]] = field(default_factory=list)  # code, name, kind, parent
    positions: list[dict[str, Any]] = field(default_factory=list)
    people: list[Person] = field(default_factory=list)
    # The tenant's own draws for what is loaded concurrently with the other tenants (ratings, scores):
    # one shared generator would make them depend on the order the requests finish in.
    rng: random.Random = field(default_factory=random.Random)


def _nip(rng: random.Random, birth: date, gender: str, taken: set[str]) -> str:
    """18 digits: birth date, TMT CPNS (year and month, at 22-30), gender (1/2), sequence."""
    while True:
        tmt_year = min(birth.year + rng.randint(22, 30), 2023)
        nip = f"{birth:%Y%m%d}{tmt_year}{rng.randint(1, 12):02d}{'1' if gender == 'L' else '2'}{rng.randint(1, 999):03d}"
        if nip not in taken:
            taken.add(nip)
            return nip


def build_kota(
    tenant: str, name: str, kind: str, employees: int, rng: random.Random, taken: set[str]
) -> Kota:
    kota = Kota(tenant, name, kind)
    for code, unit_name, unit_kind, subs in OPD:
        kota.units.append((code, unit_name, unit_kind, None))
        for suffix, sub_name, sub_kind in subs:
            kota.units.append((f"{code}-{suffix}", sub_name, sub_kind, code))
    structural: list[
        tuple[str, str, str, str, str, int]
    ] = []  # code, title, tier, eselon, unit, standard level
    for code, unit_name, _kind, subs in OPD:
        head = "Sekretaris Daerah" if code == "SETDA" else f"Kepala {unit_name}"
        structural.append(
            (f"{code}-KEPALA", head, "JPT Pratama", "II.a" if code == "SETDA" else "II.b", code, 4)
        )
        for suffix, sub_name, _ in subs:
            unit = f"{code}-{suffix}"
            structural.append((f"{unit}-KEPALA", f"Kepala {sub_name}", "Administrator", "III.b", unit, 3))
            for n in (1, 2):
                title = f"Kepala Seksi {n} {sub_name.removeprefix('Bidang ').removeprefix('Bagian ')}"
                structural.append((f"{unit}-KASI-{n}", title, "Pengawas", "IV.a", unit, 3))
        structural.append(
            (f"{code}-KASUBAG-UMUM", f"Kepala Subbagian Umum {unit_name}", "Pengawas", "IV.a", code, 3)
        )
    for code, title, tier, eselon, unit, level in structural:
        kota.positions.append({
            "code": code, "title": title, "tier": tier, "eselon": eselon, "unit_code": unit,
            "requirements": {c: level for c in STANDARD_COMPETENCIES},
        })  # fmt: skip
    # One post in ten stays vacant (a retirement, a promotion): successors are wanted there.
    held = [p for i, p in enumerate(structural) if i % 10 != 7]
    unit_codes = [u[0] for u in kota.units]
    for i in range(employees):
        gender = "L" if rng.random() < 0.55 else "P"
        birth = date(rng.randint(1967, 1998), rng.randint(1, 12), rng.randint(1, 28))
        first = rng.choice(MALE if gender == "L" else FEMALE)
        person = Person(
            nip=_nip(rng, birth, gender, taken), name=f"{first} {rng.choice(FAMILY)}", back_title=rng.choice(BACK_TITLES),
            birth=birth, gender=gender, unit_code=rng.choice(unit_codes), tier="Pelaksana", golongan="II/c",
            talent=min(5.0, max(1.5, rng.gauss(3.0, 0.6))), drive=rng.gauss(0, 1),
        )  # fmt: skip
        if i < len(held):
            code, title, tier, eselon, unit, _ = held[i]
            person.position_code, person.title, person.tier, person.eselon, person.unit_code = (
                code,
                title,
                tier,
                eselon,
                unit,
            )
            person.birth = date(rng.randint(1967, 1985), person.birth.month, person.birth.day)
            person.nip = _nip(rng, person.birth, gender, taken)
            person.golongan = {"JPT Pratama": "IV/c", "Administrator": "IV/a", "Pengawas": "III/d"}[tier]
        elif rng.random() < 0.5:
            person.tier, person.functional_level = "Fungsional", rng.choice(LEVELS_EXPERT)
            person.title = f"{rng.choice(FUNCTIONAL)} {person.functional_level}"
            person.golongan = {"Ahli Pertama": "III/a", "Ahli Muda": "III/c", "Ahli Madya": "IV/a"}[
                person.functional_level
            ]
        else:
            person.title, person.golongan, person.back_title = (
                rng.choice(ADMINISTRATIVE),
                rng.choice(("II/b", "II/c", "III/a", "III/b")),
                "",
            )
        kota.people.append(person)
    return kota


def roster_csv(people: list[Person]) -> bytes:
    """The people as a SIASN-like employee export (docs/ROSTER_IMPORT.md), `;`-delimited."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(["NIP BARU", "NAMA", "GELAR BELAKANG", "TANGGAL LAHIR", "JENIS KELAMIN", "JENIS PEGAWAI",
                     "GOL AKHIR", "KODE UNOR", "KODE JABATAN", "JABATAN NAMA", "JENIS JABATAN", "ESELON",
                     "JENJANG JABATAN"])  # fmt: skip
    for p in people:
        kind = (
            "Struktural"
            if p.position_code
            else "Fungsional Tertentu"
            if p.tier == "Fungsional"
            else "Pelaksana"
        )
        writer.writerow([p.nip, p.name, p.back_title, f"{p.birth:%d-%m-%Y}", p.gender, "PNS", p.golongan, p.unit_code,
                         p.position_code or "", p.title, kind, p.eselon or "", p.functional_level or ""])  # fmt: skip
    return out.getvalue().encode("utf-8")


def _level(rng: random.Random, centre: float) -> int:
    return max(1, min(5, round(rng.gauss(centre, 0.55))))


def predikat(rng: random.Random, p: Person, year: int) -> str:
    """SKP predikat, loosely following the person's drive; most are Baik."""
    x = p.drive + rng.gauss(0, 0.5) + (0.15 if year == 2025 else 0)
    return PREDIKAT[0] if x > 1.0 else PREDIKAT[1] if x > -0.9 else PREDIKAT[2] if x > -1.6 else PREDIKAT[3]


def scores(rng: random.Random, p: Person) -> dict[str, int]:
    levels = {c: _level(rng, p.talent) for c in STANDARD_COMPETENCIES}
    levels |= {c: _level(rng, p.talent) for c in ASPECT_CODES}
    return levels


class Api:
    """The gateway, as one user (a token per tenant and role, minted by the dev issuer)."""

    def __init__(self, client: httpx.AsyncClient, out: TextIO) -> None:
        self.client, self.out, self._tokens = client, out, {}

    async def headers(self, tenant: str, role: str, sub: str | None = None) -> dict[str, str]:
        key = (tenant, role, sub)
        if key not in self._tokens:
            body = {"sub": sub or f"demo-{role}", "tenant": tenant, "roles": [role], "ttl_seconds": 3600}
            r = await self.client.post("/auth/dev/token", json=body)
            r.raise_for_status()
            self._tokens[key] = {"authorization": f"Bearer {r.json()['access_token']}"}
        return self._tokens[key]

    async def call(self, method: str, path: str, tenant: str, role: str = "officer", *, ok=(200, 201, 202, 204),
                   sub: str | None = None, retry_until_known: bool = False, **kw) -> httpx.Response:  # fmt: skip
        """One request; 404/422 (or 503) while the tenant's events are still reaching a service are retried
        for up to a minute when `retry_until_known` (a new tenant, unit or employee is known to the
        other services only once their consumers have read roster's events)."""
        deadline = time.monotonic() + 60
        while True:
            r = await self.client.request(method, path, headers=await self.headers(tenant, role, sub), **kw)
            if r.status_code in ok:
                return r
            if retry_until_known and r.status_code in (404, 422, 503) and time.monotonic() < deadline:
                await asyncio.sleep(0.5)
                continue
            raise RuntimeError(f"{method} {path}: {r.status_code} {r.text[:500]}")


async def load_tenants(api: Api) -> list[str]:
    """Create the province and its children; returns the children that are new (others are kept)."""
    created = []
    ops = "*"
    body = {"id": PROVINCE[0], "name": PROVINCE[1], "kind": "provinsi"}
    await api.call("POST", "/tenants", ops, "admin", json=body, ok=(201, 409))
    for tenant, name, kind in CHILDREN:
        body = {"id": tenant, "name": name, "kind": kind, "parent_id": PROVINCE[0]}
        r = await api.call("POST", "/tenants", ops, "admin", json=body, ok=(201, 409))
        if r.status_code == 201:
            created.append(tenant)
    return created


async def load_roster(api: Api, kota: Kota) -> None:
    t = kota.tenant
    for code, name, kind, parent in kota.units:  # parents first: the tree is listed top-down
        await api.call("POST", f"/tenants/{t}/units", t, json={"code": code, "name": name, "kind": kind,
                                                               "parent_code": parent})  # fmt: skip
    await asyncio.gather(*(api.call("POST", f"/tenants/{t}/positions", t, json=p) for p in kota.positions))
    files = {"file": (f"pegawai-{t}.csv", roster_csv(kota.people), "text/csv")}
    job = (await api.call("POST", f"/tenants/{t}/imports", t, files=files)).json()
    while job["status"] not in ("done", "rejected", "failed"):
        await asyncio.sleep(0.3)
        job = (await api.call("GET", f"/tenants/{t}/imports/{job['id']}", t)).json()
    if job["status"] != "done":
        raise RuntimeError(f"the roster import of {t} ended {job['status']}: {job['errors'][:5]}")


async def load_performance(api: Api, kota: Kota, year: int) -> None:
    t, rng = kota.tenant, kota.rng
    ratings = [{"nip": p.nip, "year": year, "predikat": predikat(rng, p, year)} for p in kota.people]
    await api.call("POST", f"/tenants/{t}/performance-ratings/batch", t, "integration", sub="bkn-siasn",
                   json=ratings, retry_until_known=True)  # fmt: skip


async def load_assessments(api: Api, kota: Kota) -> int:
    """A campaign for BKPSDM's structural officials, run through the assessor workflow; results of
    an external assessment centre for most others. Returns how many were assessed."""
    t, rng = kota.tenant, kota.rng
    in_campaign = [p for p in kota.people if p.position_code and p.unit_code.startswith("BKPSDM")]
    campaign = {
        "name": "Pemetaan Talenta Pejabat BKPSDM 2026", "method": "assessment_center",
        "instruments": [*STANDARD_COMPETENCIES, *ASPECT_CODES], "exercises": ["In-tray", "LGD"],
        "include_technical": False, "validity_years": 2 if t == "kota-mojokerto" else 3,
        "selection": {"nips": [p.nip for p in in_campaign]},
    }  # fmt: skip
    created = (
        await api.call("POST", f"/tenants/{t}/campaigns", t, json=campaign, retry_until_known=True)
    ).json()
    listed = (
        await api.call("GET", f"/tenants/{t}/assessments", t, params={"campaign_id": created["id"]})
    ).json()
    by_nip = {p.nip: p for p in in_campaign}
    lead, second = f"{t}-asesor-1", f"{t}-asesor-2"
    for assessment in listed:
        url = f"/tenants/{t}/assessments/{assessment['id']}"
        person = by_nip[assessment["nip"]]
        levels = scores(rng, person)
        await api.call("PUT", f"{url}/assessors", t, json={"assessors": [lead, second], "lead": lead})
        for who in (lead, second):
            ratings = [{"instrument": c, "exercise": "In-tray", "level": max(1, min(5, v + rng.choice((-1, 0, 0, 1)))),
                        "evidence": "diamati dalam in-tray"} for c, v in levels.items()]  # fmt: skip
            await api.call("PUT", f"{url}/ratings", t, "assessor", sub=who, json={"ratings": ratings})
        integrated = [{"instrument": c, "level": v} for c, v in levels.items()]
        await api.call(
            "PUT", f"{url}/integrated-ratings", t, "assessor", sub=lead, json={"ratings": integrated}
        )
        await api.call("POST", f"{url}/completion", t, "assessor", sub=lead)
    await api.call("POST", f"/tenants/{t}/campaigns/{created['id']}/closure", t)
    others = [
        p
        for p in kota.people
        if p.nip not in by_nip and (p.position_code or p.tier == "Fungsional" or rng.random() < 0.6)
    ]
    results = [{"nip": p.nip, "scores": scores(rng, p)} for p in others]
    await api.call("POST", f"/tenants/{t}/assessments/batch", t, "integration", sub="bkn-siasn",
                   json={"results": results, "validity_years": 3})  # fmt: skip
    return len(in_campaign) + len(others)


def next_monday(today: date) -> date:
    return today + timedelta(days=7 - today.weekday())


async def load_scheduling(api: Api, kota: Kota, with_requests: bool) -> None:
    t = kota.tenant
    rooms = [
        {"name": "Lab Komputer 1", "room_type": "computer_lab", "capacity": 36},
        {"name": "Lab Bahasa", "room_type": "language_lab", "capacity": 24},
        {"name": "Ruang Kelas XII-A", "room_type": "classroom", "capacity": 32},
        {"name": "Ruang Wawancara", "room_type": "interview_room", "capacity": 8},
    ]
    school = {"kota-batu": "SMK Negeri 1 Batu", "kota-mojokerto": "SMK Negeri 1 Kota Mojokerto"}.get(
        t, "SMK Negeri 1 Kepanjen"
    )
    await api.call(
        "POST", f"/tenants/{t}/venues", t, json={"name": school, "rooms": rooms}, retry_until_known=True
    )
    for n in (1, 2):
        body = {"subject": f"{t}-asesor-{n}", "name": f"Asesor Internal {n} {kota.name.removeprefix('Pemerintah ')}",
                "certification": "Asesor SDM Aparatur", "max_participants_per_day": 16}  # fmt: skip
        await api.call("POST", f"/tenants/{t}/assessors", t, "admin", json=body, retry_until_known=True)
    if not with_requests:
        return
    participants = [p for p in kota.people if p.tier == "Pelaksana"][:25]
    monday = next_monday(date.today()) + timedelta(days=7)
    campaign = {"name": "Asesmen Kompetensi Pelaksana 2027", "method": "assessment_center",
                "instruments": list(STANDARD_COMPETENCIES), "selection": {"nips": [p.nip for p in participants]}}  # fmt: skip
    created = (await api.call("POST", f"/tenants/{t}/campaigns", t, json=campaign)).json()
    request = {
        "campaign_id": created["id"], "name": "Asesmen Kompetensi Pelaksana 2027",
        "window": {"start": monday.isoformat(), "end": monday.isoformat()},  # one day at the school
        "participants": [{"nip": p.nip} for p in participants], "daily_cap": 25,
        "ratio": {"assessors": 7, "participants": 25}, "use_province_pool": False, "time_limit_s": 10,
    }  # fmt: skip
    # Without the province's pool two assessors cannot observe 25 people: the answer says why.
    await api.call("POST", f"/tenants/{t}/schedules", t, json=request, retry_until_known=True)
    await api.call("POST", f"/tenants/{t}/schedules", t, json=request | {"use_province_pool": True})


async def load_province_pool(api: Api) -> None:
    province = PROVINCE[0]
    names = ("Dra. Rina Wulandari, M.Psi.", "Drs. Bambang Sutrisno, M.Si.", "Dr. Endah Kusumawati, M.M.",
             "Ir. Hadi Prasetyo, M.T.", "Sri Mulyani, S.Psi., M.Psi.")  # fmt: skip
    existing = (
        await api.call("GET", f"/tenants/{province}/assessors", province, "admin", retry_until_known=True)
    ).json()
    known = {a["subject"] for a in existing}
    for n, name in enumerate(names, 1):
        if f"prov-asesor-{n}" in known:
            continue
        body = {"subject": f"prov-asesor-{n}", "name": name, "certification": "Asesor SDM Aparatur",
                "max_participants_per_day": 16}  # fmt: skip
        await api.call("POST", f"/tenants/{province}/assessors", province, "admin", json=body)


async def vacate_and_rate_merit(api: Api, kota: Kota, merit_index: int) -> None:
    """A head of bidang retires: the post is vacant and placement ranks its successors."""
    t = kota.tenant
    holder = next(
        p
        for p in kota.people
        if p.position_code and p.tier == "Administrator" and "MUTASI" not in p.unit_code
    )
    await api.call("POST", f"/tenants/{t}/employees/{holder.nip}/retirement", t, json={"reason": "BUP"})
    body = {"merit_index": merit_index, "reason": "Indeks Sistem Merit KASN 2025"}
    await api.call("PUT", f"/tenants/{t}/succession/settings", t, json=body, retry_until_known=True)


async def wait_for_placements(api: Api, tenant: str, expected: int, timeout_s: float = 180) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while True:
        view = (await api.call("GET", f"/tenants/{tenant}/nine-box", tenant, params={"per_box": 0},
                               retry_until_known=True)).json()  # fmt: skip
        if view["total"] >= expected:
            return view
        if time.monotonic() > deadline:
            raise RuntimeError(f"{tenant}: {view['total']} of {expected} placed after {timeout_s:.0f} s")
        await asyncio.sleep(1)


async def wait_for_year(api: Api, tenant: str, year: int, timeout_s: float = 180) -> None:
    """Until every placement of the tenant is computed with that SKP year."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        behind, offset = 0, 0
        while True:
            page = (await api.call("GET", f"/tenants/{tenant}/placements", tenant,
                                   params={"limit": 500, "offset": offset})).json()  # fmt: skip
            behind += sum(1 for p in page["items"] if p["performance"]["skp_year"] < year)
            offset += len(page["items"])
            if offset >= page["total"] or not page["items"]:
                break
        if behind == 0:
            return
        await asyncio.sleep(1)
    raise RuntimeError(f"{tenant}: placements still without SKP {year} after {timeout_s:.0f} s")


async def load(gateway_url: str, employees: int, seed: int, out: TextIO) -> int:
    rng = random.Random(seed)
    taken: set[str] = set()
    cities = [build_kota(t, name, kind, employees, rng, taken) for t, name, kind in CHILDREN]
    for kota in cities:
        kota.rng = random.Random(f"{seed}:{kota.tenant}")
    async with httpx.AsyncClient(base_url=gateway_url, timeout=120) as client:
        api = Api(client, out)
        started = time.monotonic()
        new = set(await load_tenants(api))
        todo = [k for k in cities if k.tenant in new]
        for kota in cities:
            if kota.tenant not in new:
                print(f"{kota.tenant}: already there, left as it is", file=out)
        await asyncio.gather(*(load_roster(api, k) for k in todo))
        print(
            f"roster: {sum(len(k.people) for k in todo):,} employees imported ({time.monotonic() - started:.0f} s)",
            file=out,
        )
        await load_province_pool(api)
        # SKP 2024 and the assessments first, then SKP 2025 once those are placed: each employee's
        # history then has a box per SKP year (the trend across cycles).
        await asyncio.gather(*(load_performance(api, k, 2024) for k in todo))
        assessed = dict(zip([k.tenant for k in todo],
                            await asyncio.gather(*(load_assessments(api, k) for k in todo)), strict=True))  # fmt: skip
        for kota in todo:
            await wait_for_placements(api, kota.tenant, assessed[kota.tenant])
        await asyncio.gather(*(load_performance(api, k, 2025) for k in todo))
        await asyncio.gather(*(load_scheduling(api, k, k.tenant == "kota-batu") for k in todo))
        for kota, merit in zip(todo, (330, 290, 312), strict=False):
            await vacate_and_rate_merit(api, kota, merit)
        for kota in todo:
            await wait_for_year(api, kota.tenant, 2025)
            # The retired head of bidang leaves the nine-box: one fewer than were assessed.
            view = await wait_for_placements(api, kota.tenant, assessed[kota.tenant] - 1)
            counts = " ".join(f"{b['box']}:{b['count']}" for b in view["boxes"])
            print(f"{kota.tenant}: {view['total']:,} placed (boxes {counts})", file=out)
        print(f"demo loaded in {time.monotonic() - started:.0f} s", file=out)
    print(f"\nOpen {gateway_url}/app/ and sign in (dev issuer) as an officer of kota-batu.", file=out)
    return 0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--gateway", help="the gateway's URL (default: the local stack's)")
    parser.add_argument(
        "--employees", type=int, default=1000, help="employees per kota/kabupaten (default 1000)"
    )
    parser.add_argument("--seed", type=int, default=2026, help="the same seed gives the same people")


def run(args: argparse.Namespace, default_gateway: str) -> int:
    try:
        return asyncio.run(load(args.gateway or default_gateway, args.employees, args.seed, sys.stdout))
    except httpx.ConnectError as exc:
        print(f"cannot reach the gateway ({exc}): is the platform (`make run`) up?", file=sys.stderr)
        return 1
