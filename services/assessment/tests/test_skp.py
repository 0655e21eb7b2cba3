"""SKP (PermenPANRB 6/2022): the matrix, spellings, the single-rating body, and bulk files and batches."""

from __future__ import annotations

import importlib.util
import io
import zipfile
from pathlib import Path

import pytest
from assessment import skp_files
from assessment.domain import PREDIKAT_MATRIX, predikat_from
from assessment.performance_schemas import PerformanceBatchItem, PerformanceRatingIn
from assessment.skp_files import SkpFileError, SkpRow, check_file, check_items, read_file
from openpyxl import Workbook
from pydantic import ValidationError

BACKENDS = ["openpyxl"] + (["calamine"] if importlib.util.find_spec("python_calamine") else [])
NIP_A, NIP_B, NIP_C = "198503152010011003", "199012152015032001", "197501012000031002"
DOC = Path(__file__).resolve().parents[3] / "docs" / "SKP_IMPORT.md"


def refused(filename: str, data: bytes) -> SkpFileError:
    with pytest.raises(SkpFileError) as info:
        check_file(read_file(filename, data))
    return info.value


def csv_check(text: str):
    return check_file(read_file("skp.csv", text.encode()))


def xlsx(rows: list[list]) -> bytes:
    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# ---- the matrix ----------------------------------------------------------------------------------------


def test_matrix_covers_every_pair_of_ratings_with_an_official_predikat():
    assert set(PREDIKAT_MATRIX) == {(h, p) for h in skp_files.EXPECTATIONS for p in skp_files.EXPECTATIONS}
    assert set(PREDIKAT_MATRIX.values()) == set(skp_files.PREDIKATS)
    # PermenPANRB 6/2022 lampiran: the corners and the middle.
    assert predikat_from("di_atas", "di_atas") == "Sangat Baik"
    assert predikat_from("sesuai", "sesuai") == "Baik"
    assert predikat_from("di_bawah", "di_bawah") == "Sangat Kurang"
    assert predikat_from("di_atas", "di_bawah") == "Butuh Perbaikan"
    assert predikat_from("di_bawah", "di_atas") == "Kurang"


@pytest.mark.parametrize(("hasil", "perilaku"), list(PREDIKAT_MATRIX))
def test_the_body_derives_the_predikat_and_accepts_a_matching_one(hasil, perilaku):
    derived = PerformanceRatingIn(nip=NIP_A, year=2024, hasil_kerja=hasil, perilaku_kerja=perilaku)
    assert derived.predikat == PREDIKAT_MATRIX[(hasil, perilaku)]
    both = PerformanceRatingIn(
        nip=NIP_A, year=2024, predikat=derived.predikat.upper(), hasil_kerja=hasil, perilaku_kerja=perilaku
    )
    assert both.predikat == derived.predikat


def test_the_body_refuses_a_disagreeing_predikat_and_half_the_ratings():
    with pytest.raises(ValidationError) as info:
        PerformanceRatingIn(
            nip=NIP_A, year=2024, predikat="Baik", hasil_kerja="di_atas", perilaku_kerja="di_atas"
        )
    error = info.value.errors()[0]
    assert error["type"] == "predikat_mismatch"
    assert (
        "'Baik'" in error["msg"] and "'Sangat Baik'" in error["msg"] and "PermenPANRB 6/2022" in error["msg"]
    )
    for body, rule in (
        ({"hasil_kerja": "sesuai"}, "ratings_incomplete"),
        ({"predikat": "Baik", "perilaku_kerja": "sesuai"}, "ratings_incomplete"),
        ({}, "predikat_required"),
        ({"predikat": "Baik Sekali"}, "predikat"),
        ({"hasil_kerja": "tinggi", "perilaku_kerja": "sesuai"}, "expectation"),
        ({"predikat": "Baik", "catatan": "x"}, "extra_forbidden"),
    ):
        with pytest.raises(ValidationError) as info:
            PerformanceRatingIn(nip=NIP_A, year=2024, **body)
        assert info.value.errors()[0]["type"] == rule, body
    with pytest.raises(ValidationError):
        PerformanceRatingIn(nip=NIP_A, year=1999, predikat="Baik")


# ---- spellings -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "official"),
    [
        ("Sangat Baik", "Sangat Baik"),
        ("sangat baik", "Sangat Baik"),
        ("SANGAT BAIK", "Sangat Baik"),
        ("  Sangat\u00a0 baik ", "Sangat Baik"),
        ("Butuh  Perbaikan", "Butuh Perbaikan"),
        ("butuh\tperbaikan", "Butuh Perbaikan"),
        ("baik", "Baik"),
        ("KURANG", "Kurang"),
        ("Sangat kurang", "Sangat Kurang"),
    ],
)
def test_predikat_case_and_spacing_variants_are_accepted(written, official):
    assert skp_files.canonical_predikat(written) == official
    assert PerformanceRatingIn(nip=NIP_A, year=2024, predikat=written).predikat == official


@pytest.mark.parametrize(
    "written", ["Baik Sekali", "Cukup", "SangatBaik", "Sangat-Baik", "Amat Baik", "B", "", "Sangat Baik!", 4]
)
def test_other_predikat_spellings_are_refused_with_the_accepted_list(written):
    assert skp_files.canonical_predikat(written) is None
    message = skp_files.predikat_problem(written)
    assert "Sangat Baik, Baik, Butuh Perbaikan, Kurang, Sangat Kurang" in message


@pytest.mark.parametrize(
    ("written", "key"),
    [
        ("di_atas", "di_atas"),
        ("Di Atas", "di_atas"),
        ("DI ATAS EKSPEKTASI", "di_atas"),
        ("di-bawah", "di_bawah"),
        ("Di Bawah Ekspektasi", "di_bawah"),
        ("sesuai", "sesuai"),
        ("Sesuai Ekspektasi", "sesuai"),
    ],
)
def test_expectation_spellings(written, key):
    assert skp_files.canonical_expectation(written) == key


@pytest.mark.parametrize("written", ["diatas", "tinggi", "ekspektasi", "baik", "di atas sekali", 3])
def test_other_expectations_are_refused(written):
    assert skp_files.canonical_expectation(written) is None


# ---- files: good ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("delimiter", [",", ";"])
def test_csv_rows_are_read_with_spreadsheet_row_numbers(delimiter):
    lines = [
        ["NIP", "TAHUN", "PREDIKAT", "HASIL_KERJA", "PERILAKU_KERJA"],
        [NIP_A, "2024", "sangat baik", "", ""],
        ["", "", "", "", ""],
        [NIP_B, "2024", "", "Di Atas Ekspektasi", "sesuai"],
        [NIP_C, "2023", "Baik", "sesuai", "sesuai"],
    ]
    text = "\r\n".join(delimiter.join(line) for line in lines) + "\r\n"
    parsed = read_file("skp.csv", text.encode())
    assert parsed.delimiter == delimiter
    result = check_file(parsed)
    assert result.errors == [] and result.rows_total == 3
    assert result.valid == [
        SkpRow(2, NIP_A, 2024, "Sangat Baik"),
        SkpRow(4, NIP_B, 2024, "Baik", "di_atas", "sesuai"),  # blank row 3 skipped, numbers kept
        SkpRow(5, NIP_C, 2023, "Baik", "sesuai", "sesuai"),
    ]


def test_bom_excel_hint_line_aliases_and_ignored_columns():
    text = f"\ufeffsep=;\r\nNIP BARU;nama;Tahun_SKP;Predikat Kinerja\r\n{NIP_A};Budi;2024;Kurang\r\n"
    result = check_file(read_file("skp.csv", text.encode()))
    assert result.errors == [] and result.valid == [SkpRow(2, NIP_A, 2024, "Kurang")]
    assert result.warnings == ["column 'nama' is not part of the SKP layout and was ignored"]


def test_predikat_column_may_be_left_out_when_both_ratings_are_there():
    result = csv_check(f"NIP,TAHUN,HASIL_KERJA,PERILAKU_KERJA\n{NIP_A},2024,di_bawah,di_bawah\n")
    assert result.errors == [] and result.valid == [
        SkpRow(2, NIP_A, 2024, "Sangat Kurang", "di_bawah", "di_bawah")
    ]


@pytest.mark.parametrize("backend", BACKENDS)
def test_xlsx_with_a_title_numbers_as_years_and_rows_ending_early(backend):
    data = xlsx(
        [
            ["REKAP PREDIKAT KINERJA PEGAWAI TAHUN 2024"],
            [],
            ["No", "NIP", "Nama", "TAHUN", "PREDIKAT", "HASIL KERJA", "PERILAKU KERJA"],
            [1, NIP_A, "Budi", 2024, "Sangat Baik"],
            [2, NIP_B, "Siti", 2024.0, None, "di_atas", "di_atas"],
            [3, NIP_C, "Agus", "2024", "BUTUH PERBAIKAN"],
        ]
    )
    result = check_file(read_file("skp.xlsx", data, xlsx_backend=backend))
    assert result.errors == []
    assert result.valid == [
        SkpRow(4, NIP_A, 2024, "Sangat Baik"),
        SkpRow(5, NIP_B, 2024, "Sangat Baik", "di_atas", "di_atas"),
        SkpRow(6, NIP_C, 2024, "Butuh Perbaikan"),
    ]
    assert set(result.warnings) == {
        "column 'No' is not part of the SKP layout and was ignored",
        "column 'Nama' is not part of the SKP layout and was ignored",
    }


@pytest.mark.parametrize("backend", BACKENDS)
def test_xlsx_nip_stored_as_a_number_is_an_error_on_the_row(backend):
    data = xlsx([["NIP", "TAHUN", "PREDIKAT"], [198503152010011003, 2024, "Baik"]])
    result = check_file(read_file("skp.xlsx", data, xlsx_backend=backend))
    assert [(e["row"], e["column"], e["rule"]) for e in result.errors] == [(2, "NIP", "nip.number_format")]
    assert "format the column as text" in result.errors[0]["reason"]
    data = xlsx([["NIP", "TAHUN", "PREDIKAT"], [True, 2024, "Baik"]])  # a TRUE cell is no number
    result = check_file(read_file("skp.xlsx", data, xlsx_backend=backend))
    assert [(e["row"], e["rule"]) for e in result.errors] == [(2, "nip.format")]


# ---- files: each row's problems ------------------------------------------------------------------------


def test_every_problem_of_every_row_names_row_column_and_rule():
    text = "\n".join(
        [
            "NIP;TAHUN;PREDIKAT;HASIL_KERJA;PERILAKU_KERJA",
            f"{NIP_A};2024;Baik Sekali;;",  # 2
            f"{NIP_B};1999;Cukup;;",  # 3
            "12345;2024;Baik;;",  # 4
            "1,98503E+17;2024;Baik;;",  # 5
            ";;;;",  # 6 is blank: skipped
            f"{NIP_C};dua ribu;;;",  # 7
            f"{NIP_A};2024;Baik;di_atas;di_atas",  # 8: disagrees
            f"{NIP_A};2025;;di_atas;",  # 9: half the ratings
            f"{NIP_A};2026;Baik;tinggi;sesuai",  # 10
            f"{NIP_B};2101;Baik;;",  # 11
            f"{NIP_C};2024;Baik;;",  # 12
            f" {NIP_C} ;2024;baik;;",  # 13: same NIP and year as row 12
        ]
    )
    result = csv_check(text)
    got = [(e["row"], e["column"], e["rule"]) for e in result.errors]
    assert got == [
        (2, "PREDIKAT", "predikat"),
        (3, "TAHUN", "year"),
        (3, "PREDIKAT", "predikat"),
        (4, "NIP", "nip.format"),
        (5, "NIP", "nip.number_format"),
        (7, "TAHUN", "year"),
        (7, "PREDIKAT", "required"),
        (8, "PREDIKAT", "predikat_mismatch"),
        (9, "PERILAKU_KERJA", "required"),
        (10, "HASIL_KERJA", "expectation"),
        (11, "TAHUN", "year"),
        (13, "NIP", "duplicate"),
    ]
    reasons = {(e["row"], e["rule"]): e["reason"] for e in result.errors}
    assert "'Baik Sekali' is not an SKP predikat" in reasons[(2, "predikat")]
    assert "Sangat Baik, Baik, Butuh Perbaikan, Kurang, Sangat Kurang" in reasons[(3, "predikat")]
    assert "2000-2100" in reasons[(3, "year")] and "2000-2100" in reasons[(11, "year")]
    assert "'Sangat Baik'" in reasons[(8, "predikat_mismatch")]
    assert "row 12" in reasons[(13, "duplicate")]
    assert result.valid == [SkpRow(12, NIP_C, 2024, "Baik")]
    assert result.rows_total == 11  # rows 2-13 less the blank row 6


def test_a_batch_is_checked_like_a_file_with_rows_counted_from_one():
    items = [
        PerformanceBatchItem(nip=NIP_A, year=2024, predikat="SANGAT BAIK").model_dump(),
        PerformanceBatchItem(nip=NIP_B, year=2024, predikat="Baik Sekali").model_dump(),
        PerformanceBatchItem(
            nip=NIP_A, year=2024, hasil_kerja="sesuai", perilaku_kerja="sesuai"
        ).model_dump(),
        PerformanceBatchItem(nip=NIP_C, year=3000, predikat="Baik").model_dump(),
    ]
    result = check_items(items)
    assert result.valid == [SkpRow(1, NIP_A, 2024, "Sangat Baik")]
    assert [(e["row"], e["column"], e["rule"]) for e in result.errors] == [
        (2, "predikat", "predikat"),
        (3, "nip", "duplicate"),
        (4, "year", "year"),
    ]


def test_nip_digits_must_be_ascii_and_nul_characters_never_pass():
    result = check_items(
        [
            {"nip": "\u0661" * 18, "year": 2024, "predikat": "Baik"},  # Arabic-Indic digits
            {"nip": NIP_A, "year": 2024, "predikat": "Baik\x00"},
        ]
    )
    assert result.valid == []
    assert [(e["row"], e["rule"]) for e in result.errors] == [(1, "nip.format"), (2, "predikat")]


def test_a_batch_over_the_row_limit(monkeypatch):
    monkeypatch.setattr(skp_files, "MAX_ROWS", 2)
    with pytest.raises(SkpFileError) as info:
        check_items([{"nip": NIP_A, "year": 2024, "predikat": "Baik"}] * 3)
    assert info.value.code == "too_many_rows" and info.value.status == 413


# ---- files: refused whole ------------------------------------------------------------------------------


def test_garbage_files_are_refused():
    noise = bytes(range(256)) * 8
    assert refused("skp.csv", noise).code == "encoding"
    assert refused("skp.xlsx", noise).code == "not_xlsx"
    assert refused("skp.xlsx", b"NIP,TAHUN,PREDIKAT\n").code == "not_xlsx"  # a CSV renamed .xlsx
    assert refused("skp.pdf", b"%PDF-1.7").code == "unsupported_type"
    assert refused("skp", b"NIP,TAHUN,PREDIKAT\n").code == "unsupported_type"
    assert refused("skp.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1").code == "unsupported_type"
    assert refused("skp.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512).code == "not_xlsx"
    assert refused("skp.csv", b"PK\x03\x04rest").code == "malformed"
    assert refused("skp.csv", "NIP,TAHUN,PREDIKAT\n".encode("utf-16")).code == "encoding"
    assert refused("skp.csv", b"NIP,TAHUN,PREDIKAT\n1\x002,2024,Baik\n").code == "malformed"


def test_wrong_encoding_names_the_byte_offset_and_line():
    text = f"NIP;TAHUN;PREDIKAT;NAMA\n{NIP_A};2024;Baik;Siti Ma\u2019rifah\n"
    data = text.encode("cp1252")
    err = refused("skp.csv", data)
    offset = data.index(b"\x92")
    assert err.code == "encoding" and f"offset {offset}" in err.message and "0x92" in err.message
    assert "line 2" in err.message and err.status == 422


@pytest.mark.parametrize(("sep", "name"), [("\t", "tab"), ("|", "'|'")])
def test_other_delimiters_are_refused(sep, name):
    data = sep.join(["NIP", "TAHUN", "PREDIKAT"]) + "\n" + sep.join([NIP_A, "2024", "Baik"])
    err = refused("skp.csv", data.encode())
    assert err.code == "delimiter" and name in err.message and "expected , or ;" in err.message


def test_zip_bomb_disguised_as_xlsx_is_refused_before_inflating():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (32 * 1024 * 1024))  # 32 MiB -> ~32 KiB
    data = buf.getvalue()
    assert len(data) < 100_000
    err = refused("skp.xlsx", data)
    assert err.code == "zip_bomb" and "sheet1.xml" in err.message


def test_zip_with_too_many_parts_or_too_large_expanded(monkeypatch):
    monkeypatch.setattr(skp_files, "MAX_ZIP_MEMBERS", 3)
    assert refused("skp.xlsx", xlsx([["NIP", "TAHUN", "PREDIKAT"]])).code == "zip_bomb"
    monkeypatch.setattr(skp_files, "MAX_ZIP_MEMBERS", 10_000)
    monkeypatch.setattr(skp_files, "MAX_UNCOMPRESSED_BYTES", 1000)
    err = refused("skp.xlsx", xlsx([["NIP", "TAHUN", "PREDIKAT"]]))
    assert err.code == "too_large" and err.status == 413


def test_zip_that_is_not_a_workbook_and_broken_workbooks():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr("readme.txt", "hello")
    err = refused("skp.xlsx", buf.getvalue())
    assert err.code == "not_xlsx" and "xl/workbook.xml" in err.message
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types")
        archive.writestr("xl/workbook.xml", "<workbook><sheets><oops")
    assert refused("skp.xlsx", buf.getvalue()).code == "malformed"


def test_zip_needing_a_newer_zip_version_is_not_a_workbook():
    data = bytearray(xlsx([["NIP", "TAHUN", "PREDIKAT"], [NIP_A, "2024", "Baik"]]))
    entry = data.find(b"PK\x01\x02")  # first central directory entry: "version needed" at +6
    data[entry + 6 : entry + 8] = (99).to_bytes(2, "little")  # 9.9; zipfile raises NotImplementedError
    err = refused("skp.xlsx", bytes(data))
    assert err.code == "not_xlsx" and "zip file version" in err.message


def test_upload_over_the_size_limit(monkeypatch):
    monkeypatch.setattr(skp_files, "MAX_UPLOAD_BYTES", 100)
    err = refused("skp.csv", b"x" * 101)
    assert err.code == "too_large" and err.status == 413


def test_row_limit(monkeypatch):
    monkeypatch.setattr(skp_files, "MAX_ROWS", 2)
    data = f"NIP,TAHUN,PREDIKAT\n{NIP_A},2024,Baik\n{NIP_B},2024,Baik\n{NIP_C},2024,Baik\n".encode()
    err = refused("skp.csv", data)
    assert err.code == "too_many_rows" and err.status == 413 and "2" in err.message
    assert skp_files.MAX_ROWS == 2


def test_row_limit_is_twenty_thousand():
    assert skp_files.MAX_ROWS == 20_000
    rows = "".join(f"{NIP_A},{2000 + i % 100},Baik\n" for i in range(20_001))
    assert refused("skp.csv", f"NIP,TAHUN,PREDIKAT\n{rows}".encode()).code == "too_many_rows"


@pytest.mark.parametrize(
    "data", [b"", b"\xef\xbb\xbf \r\n\r\n", b"NIP,TAHUN,PREDIKAT\r\n,,\r\n", b"sep=;\r\n"]
)
def test_empty_files(data):
    assert refused("skp.csv", data).code == "empty"


def test_empty_workbooks():
    assert refused("skp.xlsx", xlsx([["NIP", "TAHUN", "PREDIKAT"]])).code == "empty"  # header only
    buf = io.BytesIO()
    Workbook().save(buf)
    assert refused("skp.xlsx", buf.getvalue()).code == "empty"


def test_missing_and_duplicate_columns():
    err = refused("skp.csv", f"NIP,PREDIKAT\n{NIP_A},Baik\n".encode())
    assert err.code == "missing_columns" and "TAHUN" in err.message and "'NIP'" in err.message
    err = refused("skp.csv", f"NIP,TAHUN,HASIL_KERJA\n{NIP_A},2024,sesuai\n".encode())
    assert (
        err.code == "missing_columns" and "PREDIKAT (or both HASIL_KERJA and PERILAKU_KERJA)" in err.message
    )
    err = refused("skp.csv", f"NIP,NIP BARU,TAHUN,PREDIKAT\n{NIP_A},{NIP_A},2024,Baik\n".encode())
    assert err.code == "duplicate_columns"


def test_quoting_error_is_malformed():
    import csv

    old = csv.field_size_limit(50)
    try:
        err = refused("skp.csv", b'NIP,TAHUN,PREDIKAT\n1,"' + b"x" * 100 + b'",b\n')
    finally:
        csv.field_size_limit(old)
    assert err.code == "malformed" and "line" in err.message


def test_docs_list_every_file_error_and_row_rule():
    doc = DOC.read_text()
    for code in ("too_large", "unsupported_type", "encoding", "delimiter", "not_xlsx", "zip_bomb", "malformed",
                 "empty", "missing_columns", "duplicate_columns", "too_many_rows"):  # fmt: skip
        assert f"`{code}`" in doc, code
    for rule in ("required", "nip.format", "nip.number_format", "unknown_nip", "year", "predikat", "expectation",
                 "predikat_mismatch", "duplicate"):  # fmt: skip
        assert f"`{rule}`" in doc, rule
    for header in skp_files.HEADERS:
        assert header in doc, header
