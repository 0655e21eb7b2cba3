"""The employee list page (real PostgreSQL): plain-dict rows that are EmployeeOut's JSON, the unit filter's
two ways of reading a scope, cursors, bad input, and the tenant check that asks the database once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest
from bakat_common.app import ServiceRuntime
from bakat_common.auth import DevIssuer
from bakat_common.contracts.competencies import STANDARD_COMPETENCIES
from bakat_common.pagination import encode_nip_cursor
from bakat_devstack.in_process import in_process_service
from pydantic_core import to_json
from roster import service
from roster.config import RosterSettings
from roster.main import create_app
from roster.models import Employee
from roster.repository import FEW_UNITS, LISTED_COLUMNS, RosterRepository
from roster.schemas import EmployeeOut, EmployeePage
from sqlalchemy import event

pytestmark = pytest.mark.integration
PROVINCE, KOTA, OTHER = "prov-list", "kota-list", "kota-other"
LIST = f"/tenants/{KOTA}/employees"
SCHOOLS = [f"SD-{i:02d}" for i in range(1, FEW_UNITS + 3)]  # DISDIK's scope: more units than FEW_UNITS
# code, kind, parent. A_B and AXB: a LIKE pattern made of "A_B" would take AXB too.
UNITS = [
    ("DISDIK", "dinas", None),
    *((code, "uptd", "DISDIK") for code in SCHOOLS),
    ("RSUD", "rsud", None),
    ("RSUD-IGD", "bidang", "RSUD"),
    ("A_B", "badan", None),
    ("A_B-1", "bidang", "A_B"),
    ("AXB", "badan", None),
    ("EMPTY", "badan", None),
]


@dataclass
class Stack:
    client: httpx.AsyncClient
    runtime: ServiceRuntime
    issuer: DevIssuer

    def token(self, tenant: str, *roles: str) -> dict[str, str]:
        return {"authorization": f"Bearer {self.issuer.mint('tester', tenant, list(roles))}"}


def nip(n: int, *, pppk: bool = False, female: bool = False) -> str:
    """A valid 18-digit NIP (or NI PPPK) numbered n: born 1970-1999, appointed at 25."""
    year, month, day = 1970 + n % 30, 1 + n % 12, 1 + n % 28
    gender = "2" if female else "1"
    if pppk:
        return f"{year}{month:02d}{day:02d}{year + 25}21{gender}{n % 1000:03d}"
    return f"{year}{month:02d}{day:02d}{year + 25}{month:02d}{gender}{n % 1000:03d}"


def employees() -> list[dict]:
    """Every kind of row the list shows: titles or none, PNS and PPPK, with a position, without a unit."""
    rows = []
    n = 0

    def add(unit: str | None, **extra) -> None:
        nonlocal n
        n += 1
        golongan = ["III/a", "III/b", "IV/a"][n % 3]
        rows.append({"nip": nip(n, female=n % 2 == 0), "name": f"Pegawai {n}", "unit_code": unit,
                     "golongan": golongan, "tier": "Pelaksana", **extra})  # fmt: skip

    for code in SCHOOLS:
        add(code)
        add(code)
    add("DISDIK")
    for _ in range(6):
        add("RSUD")
    add("RSUD-IGD")
    add("A_B")
    add("A_B-1")
    add("AXB")
    add(None)
    n += 1
    rows += [
        {"nip": nip(n, pppk=True), "name": "Ayu Pertiwi", "employment_type": "PPPK", "golongan": "IX",
         "unit_code": "RSUD", "tier": "Fungsional", "functional_level": "Ahli Pertama"},
        {"nip": nip(n + 1), "name": "Siti Rahayu", "front_title": "Dr.", "back_title": "S.E., M.M.",
         "golongan": "IV/b", "education_level": "S3", "education_major": "Manajemen",
         "education_institution": "Universitas Brawijaya", "unit_code": "RSUD", "position_code": "RSUD-DIR",
         "tmt_position": "2021-03-01", "career_preference": "tetap", "leadership_experience": "PIM II"},
        {"nip": nip(n + 2), "name": "Budi", "back_title": "S.Kom.", "unit_code": "RSUD-IGD", "golongan": None},
    ]  # fmt: skip
    return rows


@pytest.fixture(scope="module")
async def stack(embedded_postgres) -> AsyncIterator[Stack]:
    async with in_process_service(embedded_postgres, "roster", RosterSettings, create_app, "list") as (
        client,
        runtime,
        issuer,
    ):
        s = Stack(client, runtime, issuer)
        await populate(s)
        yield s


async def populate(s: Stack) -> None:
    ops = s.token("*", "admin")
    for tenant in (
        {"id": PROVINCE, "name": "P", "kind": "provinsi"},
        {"id": KOTA, "name": "K", "kind": "kota", "parent_id": PROVINCE},
        {"id": OTHER, "name": "O", "kind": "kota", "parent_id": PROVINCE},
    ):
        assert (await s.client.post("/tenants", headers=ops, json=tenant)).status_code == 201
    officer = s.token(KOTA, "officer")
    for code, kind, parent in UNITS:
        body = {"code": code, "name": f"Unit {code}", "kind": kind, "parent_code": parent}
        r = await s.client.post(f"/tenants/{KOTA}/units", headers=officer, json=body)
        assert r.status_code == 201, r.text
    position = {"code": "RSUD-DIR", "title": "Direktur RSUD", "tier": "Administrator", "eselon": "III.a",
                "unit_code": "RSUD", "requirements": {c: 3 for c in STANDARD_COMPETENCIES}}  # fmt: skip
    assert (
        await s.client.post(f"/tenants/{KOTA}/positions", headers=officer, json=position)
    ).status_code == 201
    for body in employees():
        r = await s.client.post(LIST, headers=officer, json=body)
        assert r.status_code == 201, r.text
    retiree = employees()[0]["nip"]
    r = await s.client.post(f"{LIST}/{retiree}/retirement", headers=officer, json={"reason": "BUP"})
    assert r.status_code == 200, r.text
    s.runtime.tenant_parents.clear()  # each test starts with nothing remembered


async def everyone(s: Stack) -> list[Employee]:
    async with s.runtime.sessions() as session:
        return await RosterRepository(session).all_employees(KOTA)


async def pages(s: Stack, limit: int, **params) -> list[httpx.Response]:
    answers, cursor = [], None
    while True:
        query = {**params, "limit": limit, **({"cursor": cursor} if cursor else {})}
        r = await s.client.get(LIST, headers=s.token(KOTA, "viewer"), params=query)
        assert r.status_code == 200, r.text
        answers.append(r)
        cursor = r.json()["next_cursor"]
        if cursor is None:
            return answers


def listed(answers: list[httpx.Response]) -> list[str]:
    return [e["nip"] for r in answers for e in r.json()["items"]]


async def test_a_listed_row_is_employee_out(stack):
    """employee_item builds the list's rows without models: the same JSON as employee_out, field by field."""
    expected = {e.nip: e for e in await everyone(stack)}
    async with stack.runtime.sessions() as session:
        rows = await RosterRepository(session).search_employees(
            KOTA,
            unit_code=None,
            tier=None,
            golongan=None,
            status=None,
            query=None,
            after_nip=None,
            limit=1000,
        )
    assert len(rows) == len(expected) == len(employees())
    assert all(tuple(row._fields) == LISTED_COLUMNS for row in rows)
    for row in rows:
        item = service.employee_item(row)
        model = service.employee_out(expected[row.nip])
        assert EmployeeOut.model_validate(item) == model
        assert to_json(item) == model.model_dump_json().encode()
    # the rows above cover every kind of value the list shows
    items = [service.employee_item(row) for row in rows]
    assert {i["employment_type"] for i in items} == {"PNS", "PPPK"}
    assert {i["status"] for i in items} == {"active", "retired"}
    assert any(i["front_title"] and i["back_title"] and i["position_code"] for i in items)
    assert any(i["unit_code"] is None for i in items) and any(i["pangkat"] is None for i in items)



async def test_one_employee_is_employee_out_byte_for_byte(stack):
    """GET of one employee answers employee_item's JSON of RosterRepository.employee_row: EmployeeOut's."""
    viewer = stack.token(KOTA, "viewer")
    for employee in await everyone(stack):
        r = await stack.client.get(f"{LIST}/{employee.nip}", headers=viewer)
        assert r.status_code == 200
        assert r.headers["content-type"] == "application/json"
        assert r.content == service.employee_out(employee).model_dump_json().encode()
    r = await stack.client.get(f"{LIST}/199001012015011999", headers=viewer)
    assert r.status_code == 404
    assert (await stack.client.get(f"{LIST}/{employee.nip}", headers=stack.token(OTHER, "viewer"))).status_code == 403

async def test_pages_are_the_models_json_byte_for_byte(stack):
    """What the route answers is what `EmployeePage(items=[employee_out(...)])` serialised to."""
    ordered = [service.employee_out(e) for e in sorted(await everyone(stack), key=lambda e: e.nip)]
    answers = await pages(stack, 7)
    assert len(answers) == -(-len(ordered) // 7)
    for i, r in enumerate(answers):
        assert r.headers["content-type"] == "application/json"
        cursor = r.json()["next_cursor"]
        page = EmployeePage(items=ordered[i * 7 : i * 7 + 7], next_cursor=cursor)
        assert r.content == page.model_dump_json().encode()
    assert listed(answers) == [e.nip for e in ordered]


def scope_of(unit: str) -> set[str]:
    parents = {code: parent for code, _, parent in UNITS}

    def inside(code: str | None) -> bool:
        while code is not None:
            if code == unit:
                return True
            code = parents[code]
        return False

    return {e["nip"] for e in employees() if inside(e.get("unit_code"))}


@pytest.mark.parametrize(
    ("unit", "units_in_scope"),
    [("DISDIK", len(SCHOOLS) + 1), ("RSUD", 2), ("A_B", 2), ("AXB", 1), ("SD-01", 1)],
)
@pytest.mark.parametrize("limit", [1, 3, 50])
async def test_a_unit_takes_its_sub_units_whichever_way_it_is_read(stack, unit, units_in_scope, limit):
    # DISDIK's scope is read in NIP order over the tenant, the others unit by unit: the same answers.
    assert (units_in_scope > FEW_UNITS) == (unit == "DISDIK")
    nips = listed(await pages(stack, limit, unit=unit))
    assert nips == sorted(scope_of(unit))
    golongan = listed(await pages(stack, limit, unit=unit, golongan="III/a"))
    by_nip = {e["nip"]: e for e in employees()}
    assert golongan == [n for n in nips if by_nip[n].get("golongan") == "III/a"]


async def test_filters_and_the_search_match_literally(stack):
    all_nips = sorted(e["nip"] for e in employees())
    assert listed(await pages(stack, 50, status="retired")) == [employees()[0]["nip"]]
    assert listed(await pages(stack, 50, status="active")) == [
        n for n in all_nips if n != employees()[0]["nip"]
    ]
    assert listed(await pages(stack, 50, tier="Fungsional")) == [employees()[-3]["nip"]]
    assert listed(await pages(stack, 50, q="siti")) == [employees()[-2]["nip"]]  # name, any case
    assert listed(await pages(stack, 50, q=all_nips[3][:12])) == [
        n for n in all_nips if n.startswith(all_nips[3][:12])
    ]
    assert listed(await pages(stack, 50, q="%")) == []  # not a wildcard
    assert listed(await pages(stack, 50, q="Pegawai_1")) == []


async def test_bad_input_gets_the_same_problems(stack):
    viewer = stack.token(KOTA, "viewer")

    async def get(params: dict, headers: dict = viewer, path: str = LIST) -> httpx.Response:
        return await stack.client.get(path, headers=headers, params=params)

    r = await get({"unit": "NOPE"})
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
    assert r.json()["errors"] == [
        {"field": "query.unit", "rule": "exists", "message": f"unit 'NOPE' does not exist in {KOTA}"}
    ]
    r = await get({"unit": "EMPTY"})  # a unit without employees is an empty page, not an error
    assert r.status_code == 200 and r.json() == {"items": [], "next_cursor": None}
    last = max(scope_of("RSUD"))
    r = await get({"unit": "RSUD", "cursor": encode_nip_cursor(last)})  # past the last page of a unit
    assert r.status_code == 200 and r.json() == {"items": [], "next_cursor": None}
    r = await get({"cursor": "not-a-cursor!"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "query.cursor"
    r = await get({"cursor": "not-a-cursor!", "unit": "NOPE"})  # the unit is reported first, as always
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "query.unit"
    r = await get({"cursor": "not-a-cursor!", "unit": "RSUD"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "query.cursor"
    r = await get({"limit": 201})
    assert r.status_code == 422
    r = await get({}, headers=stack.token(OTHER, "viewer"))
    assert r.status_code == 403
    assert r.json()["detail"] == f"token for tenant {OTHER!r} may not access tenant {KOTA!r}"
    r = await get({}, path="/tenants/kota-nope/employees")  # a kota token covers no other tenant at all
    assert r.status_code == 403
    assert r.json()["detail"] == f"token for tenant {KOTA!r} may not access tenant 'kota-nope'"
    r = await get({}, path="/tenants/kota-nope/employees", headers=stack.token(PROVINCE, "viewer"))
    assert r.status_code == 404 and r.json()["detail"] == "tenant 'kota-nope' not found"
    r = await get({"limit": 1}, headers=stack.token(PROVINCE, "viewer"))  # a province sees its kota
    assert r.status_code == 200 and len(r.json()["items"]) == 1
    r = await get({}, headers={})
    assert r.status_code == 401


async def test_a_page_is_one_statement_once_the_tenant_is_known(stack):
    statements: list[str] = []

    scopes: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        # The tenant scope for row-level security is set as each request's transaction begins, unless
        # its pooled connection is known to carry that scope already (libs/common/tests/test_tenant_scope.py).
        (scopes if "set_config('bakat.tenants'" in statement else statements).append(statement)

    stack.runtime.tenant_parents.clear()
    viewer = stack.token(KOTA, "viewer")
    event.listen(stack.runtime.engine.sync_engine, "before_cursor_execute", record)
    try:
        assert (await stack.client.get(LIST, headers=viewer, params={"unit": "RSUD"})).status_code == 200
        assert len(statements) == 2 and "FROM tenants" in statements[0]  # the tenant, then the page
        assert stack.runtime.tenant_parents == {KOTA: PROVINCE}
        statements.clear()
        for params in ({"unit": "RSUD"}, {"unit": "DISDIK", "limit": 2}, {"q": "Pegawai"}):
            assert (await stack.client.get(LIST, headers=viewer, params=params)).status_code == 200
        assert len(statements) == 3 and not any("FROM tenants" in s for s in statements)
        # Once per pooled connection at most, not once per request (5 units of work here): the two
        # connections the first request used carry the scope for the next three (the same tenant), and
        # connections warmed by this module's earlier tests may carry it already (then none is set).
        # That the scope is still set whenever it differs: libs/common/tests/test_tenant_scope.py.
        assert len(scopes) <= 2, scopes
        # a foreign token is refused from what is remembered, without a query
        r = await stack.client.get(LIST, headers=stack.token(OTHER, "viewer"))
        assert r.status_code == 403 and len(statements) == 3
        # a kota token asking for an unknown tenant is refused from what is remembered of its own
        assert (await stack.client.get("/tenants/kota-nope/employees", headers=viewer)).status_code == 403
        assert len(statements) == 3
        # for a province's token an unknown tenant is looked up every time (nothing remembered for it)
        province = stack.token(PROVINCE, "viewer")
        for _ in range(2):
            assert (await stack.client.get("/tenants/kota-nope/employees", headers=province)).status_code == 404
        assert len(statements) == 3 + 2 + 1 and "kota-nope" not in stack.runtime.tenant_parents
    finally:
        event.remove(stack.runtime.engine.sync_engine, "before_cursor_execute", record)


async def test_a_write_asks_for_the_tenant_no_more_once_it_is_known(stack):
    """The route's tenant check is the use case's too: a known tenant costs no query in either."""
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    officer = stack.token(KOTA, "officer")
    nip = sorted(scope_of("RSUD"))[0]
    url = f"/tenants/{KOTA}/employees/{nip}"
    assert (await stack.client.patch(url, headers=officer, json={"career_preference": "a"})).status_code == 200
    event.listen(stack.runtime.engine.sync_engine, "before_cursor_execute", record)
    try:
        r = await stack.client.patch(url, headers=officer, json={"career_preference": "b"})
        assert r.status_code == 200 and r.json()["career_preference"] == "b"
    finally:
        event.remove(stack.runtime.engine.sync_engine, "before_cursor_execute", record)
    assert statements and not any("FROM tenants" in s for s in statements), statements
    r = await stack.client.patch(url, headers=stack.token(OTHER, "officer"), json={"career_preference": "c"})
    assert r.status_code == 403  # and another tenant's token is still refused


async def test_the_openapi_document_still_shows_the_page_model(stack):
    document = (await stack.client.get("/openapi.json")).json()
    operation = document["paths"]["/tenants/{tenant_id}/employees"]["get"]
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema == {"$ref": "#/components/schemas/EmployeePage"}
    assert {p["name"] for p in operation["parameters"]} == {
        "tenant_id", "unit", "tier", "golongan", "status", "q", "cursor", "limit",
    }  # fmt: skip
