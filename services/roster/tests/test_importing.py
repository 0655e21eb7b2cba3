"""Bulk import files: generator -> reader -> validator -> export round trips, and every kind of bad file."""

from __future__ import annotations

import importlib.util
import io
import sys
import zipfile
from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook
from roster.importing import (
    ImportFileError,
    employees_to_csv,
    employees_to_xlsx,
    read_rows,
    reader,
    validate_rows,
)
from roster.importing.columns import COLUMNS, REQUIRED_KEYS, key_for_header
from roster.importing.export import HEADERS

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "bench"))
from generate_roster import GeneratedRoster, generate_roster

TODAY = date(2026, 11, 25)
BACKENDS = ["openpyxl"] + (["calamine"] if importlib.util.find_spec("python_calamine") else [])
FIELDS = (
    "nip", "name", "front_title", "back_title", "employment_type", "birth_date", "gender", "golongan",
    "education_level", "education_major", "education_institution", "unit_code", "position_code",
    "position_title", "tier", "functional_level", "eselon", "tmt_position", "bup", "career_preference",
    "leadership_experience",
)  # fmt: skip


@pytest.fixture(scope="module")
def roster() -> GeneratedRoster:
    return generate_roster(400, seed=11, as_of=date(2026, 1, 1))


def codes(roster: GeneratedRoster) -> tuple[set[str], set[str]]:
    return {u["code"] for u in roster.units}, {p["code"] for p in roster.positions}


def check(filename: str, data: bytes, roster: GeneratedRoster, **kwargs):
    units, positions = codes(roster)
    return validate_rows(read_rows(filename, data, **kwargs), units, positions, TODAY)


def as_fields(employee) -> dict:
    return employee.model_dump(include=set(FIELDS))


def expected(roster: GeneratedRoster) -> list[dict]:
    return [{k: e.get(k) for k in FIELDS} for e in roster.employees]


# ---- good files --------------------------------------------------------------------------------------


def test_generator_is_deterministic_and_realistic(roster):
    again = generate_roster(400, seed=11, as_of=date(2026, 1, 1))
    assert again.employees == roster.employees and again.units == roster.units
    nips = [e["nip"] for e in roster.employees]
    assert len(set(nips)) == len(nips)
    assert {e["tier"] for e in roster.employees} >= {"Fungsional", "Pelaksana", "Pengawas", "Administrator"}
    assert {e["employment_type"] for e in roster.employees} == {"PNS", "PPPK"}
    codes_ = [u["code"] for u in roster.units]
    assert len(set(codes_)) == len(codes_)
    known: set[str] = set()
    for unit in roster.units:  # parents come first, so units can be created in order
        assert unit["parent_code"] is None or unit["parent_code"] in known
        known.add(unit["code"])
    assert {p["unit_code"] for p in roster.positions} <= known


@pytest.mark.parametrize("delimiter", [",", ";"])
def test_generated_csv_is_valid_and_round_trips(roster, delimiter):
    data = employees_to_csv(roster.employees, delimiter)
    parsed = read_rows("pegawai.csv", data)
    assert parsed.delimiter == delimiter and parsed.ignored_columns == []
    result = validate_rows(parsed, *codes(roster), TODAY)
    assert result.errors == []
    assert result.rows_total == len(result.valid) == 400
    assert [n for n, _ in result.valid] == list(range(2, 402))  # header is row 1
    assert [as_fields(e) for _, e in result.valid] == expected(roster)


@pytest.mark.parametrize("backend", BACKENDS)
def test_generated_xlsx_is_valid_and_export_reimports_unchanged(roster, backend):
    first = check("pegawai.xlsx", employees_to_xlsx(roster.employees), roster, xlsx_backend=backend)
    assert first.errors == [] and len(first.valid) == 400
    assert [as_fields(e) for _, e in first.valid] == expected(roster)
    # Export what was imported, import again: the same EmployeeIn data.
    exported = employees_to_xlsx(e.model_dump() for _, e in first.valid)
    second = check("export.xlsx", exported, roster, xlsx_backend=backend)
    assert second.errors == []
    assert [e for _, e in second.valid] == [e for _, e in first.valid]


@pytest.mark.parametrize("backend", BACKENDS)
def test_xlsx_title_rows_real_dates_aliases_and_extra_columns(backend):
    """A SIASN-style sheet: a title above the header, underscore headers, Excel dates, unknown columns."""
    wb = Workbook()
    ws = wb.active
    ws.append(["DAFTAR PEGAWAI PEMERINTAH KABUPATEN"])
    ws.append([])
    ws.append(
        [
            "NIP_BARU",
            "nama",
            "Tgl Lahir",
            "JENIS_KELAMIN",
            "GOL_AKHIR_NAMA",
            "KODE UNOR",
            "AGAMA_NAMA",
            "JENIS_JABATAN_NAMA",
            "ESELON",
            "JABATAN_NAMA",
            "TINGKAT_PENDIDIKAN_NAMA",
            "JENIS PEGAWAI",
        ]
    )
    ws.append(
        [
            "198503152010011003",
            "Budi Santoso",
            date(1985, 3, 15),
            "Laki-laki",
            "III/C",
            "BKPSDM",
            "Islam",
            "Jabatan Struktural",
            "III.b",
            "Kepala Bidang Mutasi",
            "S-2",
            "PNS Daerah Kab/Kota",
        ]
    )
    ws.append([None] * 12)
    ws.append(
        [
            "199012152015032001",
            "Siti Rahayu",
            "15-12-1990",
            "P",
            "III/b",
            "BKPSDM",
            None,
            "Fungsional Tertentu",
            "Non Eselon",
            "Analis SDM Aparatur Ahli Pertama",
            "S-1/Sarjana",
            "PNS",
        ]
    )
    ws.append(["199204102023212005", "Rina Wulan", "1992-04-10", "Perempuan", "IX", "BKPSDM", None,
               "Pelaksana", None, "Penata Layanan Operasional", "D-III", "PPPK"])  # fmt: skip
    buf = io.BytesIO()
    wb.save(buf)
    parsed = read_rows("siasn.xlsx", buf.getvalue(), xlsx_backend=backend)
    assert parsed.header_row == 3 and parsed.ignored_columns == ["AGAMA_NAMA"]
    assert parsed.warnings and "AGAMA_NAMA" in parsed.warnings[0]
    result = validate_rows(parsed, {"BKPSDM"}, set(), TODAY)
    assert result.errors == []
    assert [n for n, _ in result.valid] == [4, 6, 7]  # spreadsheet rows, blank row 5 skipped
    budi, siti, rina = (e for _, e in result.valid)
    assert (budi.tier, budi.eselon, budi.golongan, budi.gender, budi.education_level) == (
        "Administrator",
        "III.b",
        "III/c",
        "male",
        "S2",
    )
    assert (siti.tier, siti.functional_level, siti.eselon, siti.birth_date) == (
        "Fungsional",
        "Ahli Pertama",
        None,
        date(1990, 12, 15),
    )
    assert (rina.employment_type, rina.golongan, rina.tier, rina.education_level) == (
        "PPPK",
        "IX",
        "Pelaksana",
        "D3",
    )


# ---- bad files ---------------------------------------------------------------------------------------


def refused(filename: str, data: bytes) -> ImportFileError:
    with pytest.raises(ImportFileError) as err:
        parsed = read_rows(filename, data)
        list(parsed.rows)
    return err.value


def test_layout_requires_nip_name_and_unit_and_matches_headers_loosely():
    assert REQUIRED_KEYS == ("nip", "name", "unit_code")
    assert [
        key_for_header(h) for h in ("nip_baru", " Nip  Baru ", "GOL_AKHIR_NAMA", "tgl lahir", "AGAMA")
    ] == ["nip", "nip", "golongan", "birth_date", None]


def test_docs_list_every_column_and_error_code():
    doc = (Path(__file__).resolve().parents[3] / "docs" / "ROSTER_IMPORT.md").read_text()
    for column in COLUMNS:
        assert f"| {column.header} " in doc, column.header
    for code in ("too_large", "unsupported_type", "encoding", "delimiter", "not_xlsx", "zip_bomb", "malformed",
                 "empty", "missing_columns", "duplicate_columns", "too_many_rows"):  # fmt: skip
        assert f"`{code}`" in doc, code


def test_garbage_files_are_refused():
    noise = bytes(range(256)) * 8
    assert refused("pegawai.csv", noise).code == "encoding"
    assert refused("pegawai.xlsx", noise).code == "not_xlsx"
    assert refused("pegawai.xlsx", b"NIP BARU,NAMA,KODE UNOR\n").code == "not_xlsx"  # a CSV renamed .xlsx
    assert refused("pegawai.pdf", b"%PDF-1.7").code == "unsupported_type"
    assert refused("pegawai.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1").code == "unsupported_type"
    assert refused("pegawai.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512).code == "not_xlsx"
    assert refused("pegawai.csv", b"PK\x03\x04rest").code == "malformed"
    assert refused("pegawai.csv", b"NIP BARU,NAMA,KODE UNOR\n1\x002,x,y\n").code == "malformed"


def test_zip_that_is_not_a_workbook():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr("readme.txt", "hello")
    err = refused("pegawai.xlsx", buf.getvalue())
    assert err.code == "not_xlsx" and "xl/workbook.xml" in err.message


def test_broken_workbook_parts_are_malformed():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types")
        archive.writestr("xl/workbook.xml", "<workbook><sheets><oops")
    assert refused("pegawai.xlsx", buf.getvalue()).code == "malformed"


def test_zip_bomb_disguised_as_xlsx_is_refused_before_inflating():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (32 * 1024 * 1024))  # 32 MiB -> ~32 KiB
    data = buf.getvalue()
    assert len(data) < 100_000
    err = refused("pegawai.xlsx", data)
    assert err.code == "zip_bomb" and "sheet1.xml" in err.message


def test_declared_uncompressed_size_over_the_limit(monkeypatch):
    monkeypatch.setattr(reader, "MAX_UNCOMPRESSED_BYTES", 10_000)
    data = employees_to_xlsx([])
    assert refused("pegawai.xlsx", data).code == "too_large"


def test_oversized_shared_strings(monkeypatch):
    monkeypatch.setattr(reader, "MAX_SHARED_STRINGS_BYTES", 10)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/sharedStrings.xml", "<sst>" + "<si><t>a</t></si>" * 10 + "</sst>")
    assert refused("pegawai.xlsx", buf.getvalue()).code == "too_large"


def test_upload_over_the_size_limit(monkeypatch):
    monkeypatch.setattr(reader, "MAX_UPLOAD_BYTES", 100)
    assert refused("pegawai.csv", b"x" * 101).code == "too_large"
    assert reader.MAX_UPLOAD_BYTES == 100 and ImportFileError("too_large", "m").code == "too_large"


def test_wrong_encoding_names_the_byte_and_offset():
    text = "NIP BARU;NAMA;KODE UNOR\n198503152010011003;Siti Ma\u2019rifah;BKPSDM\n"
    err = refused("pegawai.csv", text.encode("cp1252"))
    assert err.code == "encoding"
    offset = text.encode("cp1252").index(b"\x92")
    assert f"offset {offset}" in err.message and "0x92" in err.message and "line 2" in err.message
    latin = "\ufeffNIP BARU,NAMA,KODE UNOR\n198503152010011003,José,BKPSDM\n".encode("utf-8")
    latin = latin.replace("José".encode(), "José".encode("latin-1"))  # a BOM, then one latin-1 byte
    err = refused("pegawai.csv", latin)
    offset = latin.index("José".encode("latin-1")) + 3
    assert err.code == "encoding" and f"offset {offset}" in err.message


def test_utf8_with_bom_and_semicolons_is_accepted():
    text = "\ufeffNIP BARU;NAMA;KODE UNOR\n198503152010011003;Siti Ma\u2019rifah;BKPSDM\n"
    result = validate_rows(read_rows("p.csv", text.encode()), {"BKPSDM"}, set(), TODAY)
    assert result.errors == [] and result.valid[0][1].name == "Siti Ma\u2019rifah"


def test_excel_delimiter_hint_line_and_compact_dates():
    text = "sep=;\r\nNIP BARU;NAMA;KODE UNOR;TANGGAL LAHIR;TMT JABATAN\r\n198503152010011003;Budi;BKPSDM;19850315;2024/01/02\r\n"
    parsed = read_rows("p.csv", text.encode())
    assert parsed.delimiter == ";" and parsed.header_row == 1
    result = validate_rows(parsed, {"BKPSDM"}, set(), TODAY)
    assert result.errors == [] and result.valid[0][0] == 2
    assert (result.valid[0][1].birth_date, result.valid[0][1].tmt_position) == (
        date(1985, 3, 15),
        date(2024, 1, 2),
    )


@pytest.mark.parametrize(("sep", "name"), [("\t", "tab"), ("|", "'|'")])
def test_other_delimiters_are_refused(sep, name):
    data = sep.join(["NIP BARU", "NAMA", "KODE UNOR"]) + "\n" + sep.join(["198503152010011003", "Budi", "X"])
    err = refused("pegawai.csv", data.encode())
    assert err.code == "delimiter" and name in err.message and "expected , or ;" in err.message


@pytest.mark.parametrize(
    ("filename", "data"),
    [("p.csv", b""), ("p.csv", b"\xef\xbb\xbf \r\n\r\n"), ("p.csv", b"NIP BARU,NAMA,KODE UNOR\r\n,,\r\n")],
)
def test_empty_files(filename, data):
    assert refused(filename, data).code == "empty"


def test_empty_workbooks():
    assert refused("p.xlsx", employees_to_xlsx([])).code == "empty"  # header only
    buf = io.BytesIO()
    Workbook().save(buf)
    assert refused("p.xlsx", buf.getvalue()).code == "empty"  # no header either


def test_missing_and_duplicate_columns():
    err = refused("p.csv", b"NAMA,GELAR DEPAN\nBudi,Dr.\n")
    assert err.code == "missing_columns" and "NIP BARU" in err.message and "KODE UNOR" in err.message
    assert "NAMA" not in err.message.split("(")[0]
    err = refused("p.csv", b"NIP,NIP BARU,NAMA,KODE UNOR\n1,2,x,y\n")
    assert err.code == "duplicate_columns"


def test_row_limit(monkeypatch):
    monkeypatch.setattr(reader, "MAX_ROWS", 2)
    data = b"NIP BARU,NAMA,KODE UNOR\n1,a,b\n2,a,b\n3,a,b\n"
    assert refused("p.csv", data).code == "too_many_rows"


def test_quoting_error_is_malformed():
    import csv

    old = csv.field_size_limit(50)
    try:
        err = refused("p.csv", b'NIP BARU,NAMA,KODE UNOR\n1,"' + b"x" * 100 + b'",b\n')
    finally:
        csv.field_size_limit(old)
    assert err.code == "malformed" and "line 2" in err.message


# ---- bad rows ----------------------------------------------------------------------------------------

HEADER = "NIP BARU;NAMA;TANGGAL LAHIR;JENIS KELAMIN;JENIS PEGAWAI;GOL AKHIR;KODE UNOR;KODE JABATAN;JENIS JABATAN;ESELON;JABATAN NAMA"
GOOD = "198503152010011003;Budi Santoso;15-03-1985;L;PNS;III/c;BKPSDM;;Fungsional Tertentu;;Analis Kebijakan Ahli Muda"


def errors_of(*lines: str, units=frozenset({"BKPSDM"}), positions=frozenset({"BKPSDM-KABID"})):
    data = "\n".join((HEADER, *lines)).encode()
    result = validate_rows(read_rows("p.csv", data), units, positions, TODAY)
    return result, [(e["row"], e["column"], e["rule"]) for e in result.errors]


def test_a_good_row_passes():
    result, errors = errors_of(GOOD)
    assert errors == [] and result.valid[0][1].functional_level == "Ahli Muda"


def test_duplicate_nips_name_the_first_row():
    other = GOOD.replace("Budi Santoso", "Budi S.")
    result, errors = errors_of(GOOD, GOOD.replace("198503152010011003", "198503152010011004"), other, other)
    assert errors == [(4, "NIP BARU", "duplicate_nip"), (5, "NIP BARU", "duplicate_nip")]
    assert all("row 2" in e["reason"] for e in result.errors)
    assert [n for n, _ in result.valid] == [2, 3] and result.invalid_rows == 2


def test_unknown_unit_and_position():
    line = GOOD.replace(";BKPSDM;;", ";DINKES;NOPE;")
    _, errors = errors_of(line)
    assert errors == [(2, "KODE UNOR", "unknown_unit"), (2, "KODE JABATAN", "unknown_position")]


@pytest.mark.parametrize(
    ("line", "column", "rule"),
    [
        (GOOD.replace("198503152010011003", "19850315201001100"), "NIP BARU", "nip.length"),
        (GOOD.replace("198503152010011003", "1985031520100110X3"), "NIP BARU", "nip.digits"),
        (GOOD.replace("198503152010011003", "198513152010011003"), "NIP BARU", "nip.birth_date"),
        (GOOD.replace("198503152010011003", "198503152030011003"), "NIP BARU", "nip.tmt"),  # future TMT
        (GOOD.replace("198503152010011003", "198503152000011003"), "NIP BARU", "nip.tmt"),  # 14 years old
        (GOOD.replace("198503152010011003", "1.98503E+17"), "NIP BARU", "nip.number_format"),
        (GOOD.replace("198503152010011003", ""), "NIP BARU", "required"),
        (GOOD.replace("15-03-1985", "31-02-1985"), "TANGGAL LAHIR", "date"),
        (GOOD.replace("15-03-1985", "kemarin"), "TANGGAL LAHIR", "date"),
        (GOOD.replace("15-03-1985", "16-03-1985"), "TANGGAL LAHIR", "nip.birth_date_mismatch"),
        (GOOD.replace(";L;", ";X;"), "JENIS KELAMIN", "gender"),
        (GOOD.replace(";L;", ";P;"), "JENIS KELAMIN", "nip.gender_mismatch"),
        (GOOD.replace("III/c", "III/f"), "GOL AKHIR", "golongan"),
        (GOOD.replace("III/c", "XI"), "GOL AKHIR", "golongan"),  # a PPPK golongan on a PNS
        (GOOD.replace(";PNS;", ";Honorer;"), "JENIS PEGAWAI", "employment_type"),
        (GOOD.replace(";PNS;", ";PPPK;"), "NIP BARU", "nip.tmt"),  # a PNS number is not a NI PPPK
        (GOOD.replace("Budi Santoso", ""), "NAMA", "required"),
        (GOOD.replace("Budi Santoso", "B" * 201), "NAMA", "string_too_long"),
        (GOOD.replace(";BKPSDM;", ";;"), "KODE UNOR", "required"),
        (GOOD.replace("Fungsional Tertentu", "Honorer"), "JENIS JABATAN", "jenis_jabatan"),
        (GOOD.replace("Ahli Muda", "Senior"), "JABATAN NAMA", "functional_level"),
        (GOOD.replace("Fungsional Tertentu;", "Struktural;"), "ESELON", "eselon"),
        (GOOD.replace("Fungsional Tertentu;", "Struktural;VI.c"), "ESELON", "eselon"),
        (GOOD.replace("Fungsional Tertentu;", "Administrator;IV.a"), "ESELON", "eselon"),
    ],
)
def test_bad_cells_name_row_column_and_rule(line, column, rule):
    result, errors = errors_of(
        GOOD.replace("198503152010011003", "199001012015031001").replace("15-03-1985", "01-01-1990"), line
    )
    assert (3, column, rule) in errors, result.errors
    assert all(row == 3 for row, _, _ in errors)
    assert [n for n, _ in result.valid] == [2]


def test_every_error_of_a_row_is_reported():
    line = "198503152010011003;;31-02-1985;X;PNS;V/z;NOWHERE;;;;"
    _, errors = errors_of(line)
    assert {(c, r) for _, c, r in errors} >= {
        ("NAMA", "required"), ("TANGGAL LAHIR", "date"), ("JENIS KELAMIN", "gender"), ("GOL AKHIR", "golongan"),
        ("KODE UNOR", "unknown_unit"),
    }  # fmt: skip


def test_structural_rows_get_their_tier_from_the_eselon():
    base = GOOD.replace(
        ";;Fungsional Tertentu;;Analis Kebijakan Ahli Muda", ";BKPSDM-KABID;Struktural;{};Kepala Bidang"
    )
    for eselon, tier in (
        ("II.b", "JPT Pratama"),
        ("III/a", "Administrator"),
        ("IVb", "Pengawas"),
        ("I.b", "JPT Madya"),
    ):
        result, errors = errors_of(base.format(eselon))
        assert errors == [] and result.valid[0][1].tier == tier
    result, errors = errors_of(
        GOOD.replace("Fungsional Tertentu", "Fungsional Umum").replace(" Ahli Muda", "")
    )
    assert errors == [] and (result.valid[0][1].tier, result.valid[0][1].functional_level) == (
        "Pelaksana",
        None,
    )


def test_progress_is_reported():
    seen = []
    data = f"{HEADER}\n{GOOD}\n{GOOD}".encode()
    validate_rows(
        read_rows("p.csv", data),
        {"BKPSDM"},
        set(),
        TODAY,
        progress=lambda d, e: seen.append((d, e)),
        progress_every=1,
    )
    assert seen == [(1, 0), (2, 1), (2, 1)]


def test_export_keeps_formula_like_text_inert():
    row = {
        "nip": "198503152010011003",
        "name": '=HYPERLINK("http://x")',
        "unit_code": "BKPSDM",
        "birth_date": None,
    }
    xlsx = employees_to_xlsx([row])
    with zipfile.ZipFile(io.BytesIO(xlsx)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet and "HYPERLINK" in sheet
    assert b"'=HYPERLINK" in employees_to_csv([row])
    assert HEADERS[:3] == ["NIP BARU", "NAMA", "GELAR DEPAN"]


def test_zip_needing_a_newer_zip_version_is_not_a_workbook(roster):
    data = bytearray(employees_to_xlsx(roster.employees[:2]))
    entry = data.find(b"PK\x01\x02")  # first central directory entry: "version needed" at +6
    data[entry + 6 : entry + 8] = (99).to_bytes(2, "little")  # 9.9: zipfile raises NotImplementedError
    err = refused("pegawai.xlsx", bytes(data))
    assert err.code == "not_xlsx" and "zip file version" in err.message
