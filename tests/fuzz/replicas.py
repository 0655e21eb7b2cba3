"""Roster's rows as the other services hold them: assessment, placement and scheduling keep replicas of
roster's tenants, units, positions and employees, filled from roster's events. Their fuzz modules seed
those replicas the way their own tests do, by handing roster's events to the service's consumer
handlers (the handlers its `consumer_specs()` names), and then create the rest through the API.

`without_replica_wait`: a lookup of a replicated row that misses waits up to `replica_wait_s` (2 s) for
the event that may be on its way. In a fuzz run every replicated row is there before the first request
and no event is in flight, so that wait finds nothing new; with hundreds of generated unknown NIPs it
would only turn a one-minute run into half an hour. The lookup itself still runs (once).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from typing import Any

from bakat_common.app import ConsumerSpec, ServiceRuntime
from bakat_common.contracts.competencies import STANDARD_COMPETENCIES
from bakat_common.contracts.roster import (
    EmployeeRegisteredV1,
    EmployeeRetiredV1,
    PositionFilledV1,
    PositionRegisteredV1,
    TenantRegisteredV1,
    UnitRegisteredV1,
)
from bakat_common.db import use_tenant_scope
from bakat_common.events import CloudEvent, new_event

PROVINCE, KOTA = "prov-fuzz", "kota-fuzz"
# code -> (name, parent, path)
UNITS = {
    "SETDA": ("Sekretariat Daerah", None, "/SETDA/"),
    "BKPSDM": ("Badan Kepegawaian dan Pengembangan SDM", None, "/BKPSDM/"),
    "BKPSDM-MUTASI": ("Bidang Mutasi", "BKPSDM", "/BKPSDM/BKPSDM-MUTASI/"),
    "DISDIK": ("Dinas Pendidikan", None, "/DISDIK/"),
}
# code -> (title, tier, eselon, unit)
POSITIONS = {
    "BKPSDM-KABAN": ("Kepala BKPSDM", "JPT Pratama", "II.b", "BKPSDM"),
    "KABID-MUTASI": ("Kepala Bidang Mutasi", "Administrator", "III.b", "BKPSDM-MUTASI"),
    "KASUBBAG-UMUM": ("Kepala Subbagian Umum", "Pengawas", "IV.a", "SETDA"),
}
# nip -> (name, unit, position, tier); the last one retires
EMPLOYEES = {
    "198503152010011003": ("Dr. Siti Rahayu, M.Si.", "BKPSDM", "BKPSDM-KABAN", "JPT Pratama"),
    "199001012015011001": ("Budi Santoso, S.Kom.", "BKPSDM-MUTASI", "KABID-MUTASI", "Administrator"),
    "197712202005012002": ("Ani Wijaya, S.E.", "SETDA", "KASUBBAG-UMUM", "Pengawas"),
    "198811302012121001": ("Agus Pratama, S.H.", "BKPSDM-MUTASI", None, "Pengawas"),
    "199205172019032004": ("Dewi Lestari, S.Pd.", "DISDIK", None, "Pelaksana"),
    "196203101985031002": ("Drs. Bambang Sutrisno", "SETDA", None, "Administrator"),
}
NIPS = list(EMPLOYEES)
ACTIVE_NIPS = NIPS[:-1]


def without_replica_wait(settings_type: Callable[..., Any]) -> Callable[..., Any]:
    """The service's settings with no wait for a replicated row that is not there (see above)."""
    return functools.partial(settings_type, replica_wait_s=0.0)


def handlers_of(specs: Iterable[ConsumerSpec]) -> dict[str, Any]:
    return {event_type: handler for spec in specs for event_type, handler in spec.handlers.items()}


def roster_events(tenant: str = KOTA, province: str = PROVINCE) -> list[CloudEvent]:
    """What roster publishes for a province, a kota of it, the kota's units, posts and employees."""

    def event(payload: Any, of: str, subject: str) -> CloudEvent:
        return new_event(payload, service="roster", tenant=of, subject=subject)

    events = [
        event(TenantRegisteredV1(tenant_id=province, name="Provinsi Fuzz", kind="provinsi", parent_id=None),
              province, province),
        event(TenantRegisteredV1(tenant_id=tenant, name="Kota Fuzz", kind="kota", parent_id=province),
              tenant, tenant),
    ]  # fmt: skip
    for code, (name, parent, path) in UNITS.items():
        unit = UnitRegisteredV1(code=code, name=name, kind="badan", parent_code=parent, path=path)
        events.append(event(unit, tenant, f"unit:{code}"))
    for code, (title, tier, eselon, unit) in POSITIONS.items():
        position = PositionRegisteredV1(
            code=code, title=title, tier=tier, functional_level=None, eselon=eselon, job_family=None,
            unit_code=unit, unit_path=UNITS[unit][2], requirements={c: 3 for c in STANDARD_COMPETENCIES},
            technical_requirements={"Manajemen ASN": 3}, holder_nip=None,
        )  # fmt: skip
        events.append(event(position, tenant, f"position:{code}"))
    for i, (nip, (name, unit, position, tier)) in enumerate(EMPLOYEES.items()):
        snapshot = dict(
            nip=nip, name=name, gender="female" if i % 2 else "male", birth_date=date(1960 + 6 * i, 3, 15),
            employment_type="PNS", golongan="III/c", unit_code=unit, unit_name=UNITS[unit][0],
            unit_path=UNITS[unit][2], position_code=position,
            position_title=POSITIONS[position][0] if position else "Pelaksana", tier=tier,
        )  # fmt: skip
        events.append(event(EmployeeRegisteredV1(**snapshot), tenant, nip))
        if position:
            filled = PositionFilledV1(code=position, tier=tier, unit_code=unit, holder_nip=nip)
            events.append(event(filled, tenant, f"position:{position}"))
    retiring = NIPS[-1]
    name, unit, _, tier = EMPLOYEES[retiring]
    retired = EmployeeRetiredV1(
        nip=retiring, name=name, gender="male", birth_date=date(1962, 3, 10), employment_type="PNS",
        unit_code=unit, unit_path=UNITS[unit][2], tier=tier, status="retired", version=2,
        retirement_date=date(2024, 3, 31),
    )  # fmt: skip
    events.append(event(retired, tenant, retiring))
    return events


async def deliver(
    runtime: ServiceRuntime, specs: Iterable[ConsumerSpec], events: Sequence[CloudEvent]
) -> None:
    """Hand `events` to the service's consumer handlers in one transaction, as its consumer does with
    a batch (events of types the service does not consume are skipped, as the consumer skips them)."""
    handlers = handlers_of(specs)
    use_tenant_scope({e.tenant for e in events})  # row-level security: the batch's tenants
    async with runtime.sessions() as session, session.begin():
        for event in events:
            handler = handlers.get(event.type)
            if handler is not None:
                await handler(session, event)
