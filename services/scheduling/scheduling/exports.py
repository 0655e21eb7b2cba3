"""A schedule as the officer and the assessors take it away: an XLSX workbook (one row per
participant, and each assessor's days) and an iCalendar file per assessor. Pure builders over the
schedule's view; the routes load the view."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from typing import NamedTuple

from icalendar import Calendar, Event
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font


class Person(NamedTuple):
    id: str  # NIP of a participant, assessor id of an assessor
    name: str
    unit: str | None = None


class SessionView(NamedTuple):
    session_id: str
    day: object  # datetime.date
    venue: str
    room: str
    room_type: str
    participants: Sequence[Person]
    assessors: Sequence[Person]  # the lead assessor first


def _clean(row: Sequence[object]) -> list[object]:
    """Cells as a worksheet can hold them: control characters (a pasted name may carry one) dropped."""
    return [ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in row]


def schedule_workbook(title: str, sessions: Sequence[SessionView]) -> bytes:
    """Sheet "Jadwal": a row per participant (day, venue, room, group, NIP, name, unit, assessors);
    sheet "Asesor": a row per assessor and day."""
    book = Workbook(write_only=True)
    bold = Font(bold=True)

    def header(sheet, names: Sequence[str]) -> None:
        cells = []
        for name in names:
            cell = WriteOnlyCell(sheet, value=name)
            cell.font = bold
            cells.append(cell)
        sheet.append(cells)

    sheet = book.create_sheet("Jadwal")
    sheet.append(_clean([title]))
    header(sheet, ["Tanggal", "Tempat", "Ruang", "Kelompok", "NIP", "Nama", "Unit", "Asesor"])
    group_number: dict[object, int] = {}
    for s in sessions:
        group_number[s.day] = group_number.get(s.day, 0) + 1
        assessors = ", ".join(a.name for a in s.assessors)
        for p in s.participants:
            sheet.append(
                _clean([s.day, s.venue, s.room, group_number[s.day], p.id, p.name, p.unit or "", assessors])
            )
    per_assessor = book.create_sheet("Asesor")
    header(per_assessor, ["Asesor", "Tanggal", "Tempat", "Ruang", "Peserta", "Ketua"])
    rows = sorted(
        (
            (a.name, s.day, s.venue, s.room, len(s.participants), "ya" if i == 0 else "")
            for s in sessions
            for i, a in enumerate(s.assessors)
        ),
        key=lambda r: (r[0], r[1], r[3]),
    )
    for row in rows:
        per_assessor.append(_clean(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def assessor_calendar(
    schedule_name: str, assessor: Person, sessions: Sequence[SessionView], *, stamp: datetime | None = None
) -> bytes:
    """An all-day event per session the assessor sits in (the schedule plans days, not hours), with
    the room and the participants, for the assessor's own calendar program."""
    cal = Calendar()
    cal.add("prodid", "-//Bakat//Jadwal Asesmen//ID")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"{schedule_name} — {assessor.name}")
    stamp = stamp or datetime.now(timezone.utc)
    for s in sessions:
        if all(a.id != assessor.id for a in s.assessors):
            continue
        lead = s.assessors[0].id == assessor.id
        event = Event()
        event.add("uid", f"{s.session_id}-{assessor.id}@bakat")
        event.add("dtstamp", stamp)
        event.add("dtstart", s.day)
        event.add("dtend", s.day + timedelta(days=1))
        event.add("summary", f"{schedule_name}: {s.room}" + (" (ketua)" if lead else ""))
        event.add("location", f"{s.venue}, {s.room}")
        people = "\n".join(f"{p.id} {p.name}" for p in s.participants)
        others = ", ".join(a.name for a in s.assessors if a.id != assessor.id)
        event.add("description", f"Peserta ({len(s.participants)}):\n{people}\nAsesor lain: {others or '-'}")
        cal.add_component(event)
    return cal.to_ical()
