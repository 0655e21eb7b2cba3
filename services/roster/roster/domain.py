"""Roster rules with no I/O: NIP structure (DESIGN.md section 2) and tenant hierarchy."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

Gender = Literal["male", "female"]
EmploymentType = Literal["PNS", "PPPK"]
NIP_LENGTH = 18
MIN_AGE_AT_TMT = 18
EARLIEST_BIRTH_YEAR = 1900
# NI PPPK carries this code where a NIP carries the TMT month.
PPPK_CODE = "21"


class NipError(ValueError):
    """A NIP broke one rule; `rule` names it for the client (length, digits, birth_date, ...)."""

    def __init__(self, rule: str, message: str) -> None:
        super().__init__(message)
        self.rule = rule
        self.message = message


@dataclass(frozen=True)
class Nip:
    value: str
    birth_date: date
    tmt: date  # start of appointment: first day of the TMT CPNS month (PNS) or of the TMT year (PPPK)
    gender: Gender
    sequence: int


def parse_nip(raw: str, employment_type: EmploymentType = "PNS", today: date | None = None) -> Nip:
    """Check and split an 18-digit NIP (PNS) or NI PPPK.

    PNS:  YYYYMMDD birth date + YYYYMM TMT CPNS + gender (1 male, 2 female) + 3-digit sequence.
    PPPK: YYYYMMDD birth date + YYYY TMT year + "21" + gender + 3-digit sequence.
    NIK's "day + 40 for women" rule does not apply: the day is the real day. With `today`, a TMT in
    the future is refused.
    """
    if not raw.isascii() or not raw.isdigit():
        raise NipError("digits", "NIP must contain digits only")
    if len(raw) != NIP_LENGTH:
        raise NipError("length", f"NIP must be {NIP_LENGTH} digits, got {len(raw)}")
    try:
        birth = date(int(raw[0:4]), int(raw[4:6]), int(raw[6:8]))
    except ValueError:
        raise NipError(
            "birth_date", f"digits 1-8 ({raw[0:8]}) are not a real birth date (YYYYMMDD)"
        ) from None
    if birth.year < EARLIEST_BIRTH_YEAR:
        raise NipError("birth_date", f"birth year {birth.year} in digits 1-4 is before {EARLIEST_BIRTH_YEAR}")
    tmt = _pppk_tmt(raw, birth) if employment_type == "PPPK" else _pns_tmt(raw, birth)
    if today is not None and tmt > today:
        raise NipError("tmt", f"TMT {tmt:%Y-%m} in digits 9-14 is in the future")
    gender_digit = raw[14]
    if gender_digit not in "12":
        raise NipError("gender", f"digit 15 must be 1 (male) or 2 (female), got {gender_digit}")
    return Nip(
        value=raw,
        birth_date=birth,
        tmt=tmt,
        gender="male" if gender_digit == "1" else "female",
        sequence=int(raw[15:18]),
    )


def _pns_tmt(raw: str, birth: date) -> date:
    tmt_year, tmt_month = int(raw[8:12]), int(raw[12:14])
    if not 1 <= tmt_month <= 12:
        raise NipError("tmt", f"digits 9-14 ({raw[8:14]}) are not a real TMT CPNS month (YYYYMM)")
    if (tmt_year, tmt_month) < (birth.year + MIN_AGE_AT_TMT, birth.month):
        raise NipError(
            "tmt", f"TMT CPNS {tmt_year}-{tmt_month:02d} is before the age of {MIN_AGE_AT_TMT} (born {birth})"
        )
    return date(tmt_year, tmt_month, 1)


def _pppk_tmt(raw: str, birth: date) -> date:
    tmt_year = int(raw[8:12])
    if raw[12:14] != PPPK_CODE:
        raise NipError("tmt", f"digits 13-14 of a NI PPPK must be {PPPK_CODE}, got {raw[12:14]}")
    if tmt_year < birth.year + MIN_AGE_AT_TMT:
        raise NipError("tmt", f"TMT PPPK {tmt_year} is before the age of {MIN_AGE_AT_TMT} (born {birth})")
    return date(tmt_year, 1, 1)


def check_nip_matches_record(nip: Nip, birth_date: date | None, gender: Gender | None) -> None:
    """The birth date and gender written in the NIP must agree with the record."""
    if birth_date is not None and birth_date != nip.birth_date:
        raise NipError(
            "birth_date_mismatch", f"birth date {birth_date} does not match the NIP ({nip.birth_date})"
        )
    if gender is not None and gender != nip.gender:
        raise NipError("gender_mismatch", f"gender {gender} does not match the NIP ({nip.gender})")


TenantKind = Literal["provinsi", "kabupaten", "kota"]


def check_tenant_parent(kind: TenantKind, parent_kind: TenantKind | None) -> str | None:
    """A province has no parent; a kabupaten/kota belongs to a province. Returns a reason when wrong."""
    if kind == "provinsi" and parent_kind is not None:
        return "a provinsi has no parent tenant"
    if kind != "provinsi" and parent_kind != "provinsi":
        return f"a {kind} must belong to a provinsi (parent_id)"
    return None
