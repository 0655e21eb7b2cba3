"""SIASN adapter: recorded SIASN-shaped samples map to roster bodies; malformed documents name the field."""

import copy
import json
from datetime import date
from pathlib import Path

import pytest
from roster.domain import check_nip_matches_record, parse_nip
from roster.schemas import EmployeeIn, TrackRecordIn
from roster.siasn import SiasnMappingError, employee_from_data_utama, track_records_from_rw_jabatan

SAMPLES = Path(__file__).parent / "siasn_samples"
SAMPLE_NAMES = (
    "pns-administrator",
    "pns-fungsional-iso-dates",
    "pppk-guru",
    "pns-pengawas-numeric-ids",
    "pns-pelaksana-mapdata",
)
UNIT_CODES = {
    "8ae4828a6f2b1c0d016f2b4e2a1d0431": "BKPSDM-MUTASI",
    "8AE4828B7C1D2E3F017C1D4A5B6C0921": "BKPSDM-BANGKOM",  # upper case on purpose: ids match either case
    "8ae4828c81a2b3c40181a2f1e3d40c5e": "SDN-2-CIRUAS",
    "8ae4828d8b9c0d1e018b9c5a6f7e0d33": "DISKOMINFO-UMPEG",
}


def load(name: str, endpoint: str) -> dict:
    return json.loads((SAMPLES / f"{name}.{endpoint}.json").read_text(encoding="utf-8"))


def payload(doc: dict) -> dict:
    return doc["mapData"] if "mapData" in doc else doc["data"]


# ---- data-utama -> EmployeeIn ----------------------------------------------------------------------

EXPECTED_EMPLOYEES = {
    "pns-administrator": EmployeeIn(
        nip="197508142000031002",
        name="BAMBANG HARIYANTO",
        front_title=None,
        back_title="S.Sos., M.Si.",
        employment_type="PNS",
        birth_date=date(1975, 8, 14),
        gender="male",
        golongan="IV/a",
        education_level="S2",
        education_major="ILMU ADMINISTRASI PUBLIK",
        unit_code="BKPSDM-MUTASI",
        position_title="KEPALA BIDANG MUTASI DAN PROMOSI",
        tier="Administrator",
        functional_level=None,
        eselon="III.b",
        tmt_position=date(2020, 1, 2),
    ),
    "pns-fungsional-iso-dates": EmployeeIn(
        nip="198811232011022001",
        name="SITI NURHALIZA",
        front_title=None,
        back_title="S.Psi., M.M.",
        employment_type="PNS",
        birth_date=date(1988, 11, 23),
        gender="female",
        golongan="III/c",
        education_level="S2",
        education_major="MANAJEMEN SUMBER DAYA MANUSIA",
        unit_code="BKPSDM-BANGKOM",
        position_title="ANALIS SUMBER DAYA MANUSIA APARATUR AHLI MUDA",
        tier="Fungsional",
        functional_level="Ahli Muda",
        eselon=None,
        tmt_position=date(2021, 4, 1),
    ),
    "pppk-guru": EmployeeIn(
        nip="199004172022212007",
        name="RINA MARLINA",
        front_title=None,
        back_title="S.Pd.",
        employment_type="PPPK",
        birth_date=date(1990, 4, 17),
        gender="female",
        golongan="IX",
        education_level="S1",
        education_major="PENDIDIKAN GURU SEKOLAH DASAR",
        unit_code="SDN-2-CIRUAS",
        position_title="GURU AHLI PERTAMA",
        tier="Fungsional",
        functional_level="Ahli Pertama",
        eselon=None,
        tmt_position=date(2022, 3, 1),
    ),
    "pns-pengawas-numeric-ids": EmployeeIn(
        nip="198306052009011004",
        name="AHMAD FAUZI",
        front_title="H.",
        back_title="A.Md.",
        employment_type="PNS",
        birth_date=date(1983, 6, 5),
        gender="male",
        golongan="III/b",  # from golRuangAkhirId 32, golRuangAkhir null
        education_level="D3",  # from tkPendidikanTerakhirId "30", tkPendidikanTerakhir null
        education_major="AKUNTANSI",
        unit_code=None,  # its unorId is not in UNIT_CODES
        position_title="KEPALA SUB BAGIAN UMUM DAN KEPEGAWAIAN",
        tier="Pengawas",  # jenisJabatanId 1 + eselonId 42
        functional_level=None,
        eselon="IV.b",
        tmt_position=None,  # tmtJabatan null
    ),
    "pns-pelaksana-mapdata": EmployeeIn(
        nip="199509302020031006",
        name="YUSUF MAULANA",
        front_title=None,  # "-"
        back_title=None,  # "-"
        employment_type="PNS",
        birth_date=date(1995, 9, 30),
        gender="male",
        golongan="II/b",
        education_level="SMA",
        education_major="TEKNIK KOMPUTER DAN JARINGAN",
        unit_code="DISKOMINFO-UMPEG",
        position_title="PENGADMINISTRASI PERKANTORAN",
        tier="Pelaksana",
        functional_level=None,
        eselon=None,  # eselonId "99" = non-eselon
        tmt_position=date(2023, 1, 2),
    ),
}


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_sample_maps_to_the_expected_employee(name):
    employee = employee_from_data_utama(load(name, "data-utama"), UNIT_CODES)
    assert employee.model_dump() == EXPECTED_EMPLOYEES[name].model_dump()


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_sample_nip_is_valid_for_its_employment_type_and_matches_the_record(name):
    employee = employee_from_data_utama(load(name, "data-utama"))
    nip = parse_nip(employee.nip, employee.employment_type, today=date(2025, 1, 1))
    check_nip_matches_record(nip, employee.birth_date, employee.gender)
    assert (nip.birth_date, nip.gender) == (employee.birth_date, employee.gender)


def test_without_unit_codes_the_unit_is_left_empty():
    assert employee_from_data_utama(load("pns-administrator", "data-utama")).unit_code is None


def test_the_bare_record_maps_like_the_enveloped_one():
    doc = load("pns-administrator", "data-utama")
    assert employee_from_data_utama(payload(doc), UNIT_CODES) == employee_from_data_utama(doc, UNIT_CODES)


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"jenisKelamin": "Wanita", "nipBaru": "197508142000032002"}, {"gender": "female"}),
        ({"jenisKelamin": "Pria"}, {"gender": "male"}),
        ({"jenisKelamin": None}, {"gender": None}),
        ({"tglLahir": "1975-08-14"}, {"birth_date": date(1975, 8, 14)}),
        ({"tglLahir": "1975-08-14T00:00:00"}, {"birth_date": date(1975, 8, 14)}),
        ({"tglLahir": "01-01-0001"}, {"birth_date": None}),
        ({"golRuangAkhir": "IV/A"}, {"golongan": "IV/a"}),
        ({"golRuangAkhir": None, "golRuangAkhirId": "45"}, {"golongan": "IV/e"}),
        ({"eselon": None, "eselonId": "21"}, {"eselon": "II.a", "tier": "JPT Pratama"}),
        ({"eselon": "I.B"}, {"eselon": "I.b", "tier": "JPT Madya"}),
        ({"eselon": "IV.a"}, {"eselon": "IV.a", "tier": "Pengawas"}),
        ({"tkPendidikanTerakhir": "Diploma III/Sarjana Muda"}, {"education_level": "D3"}),
        ({"tkPendidikanTerakhir": "Diploma IV"}, {"education_level": "D4"}),
        ({"tkPendidikanTerakhir": "S-3/Doktor"}, {"education_level": "S3"}),
        ({"tkPendidikanTerakhir": "SLTP"}, {"education_level": "SMP"}),
        ({"tkPendidikanTerakhir": "SD"}, {"education_level": "SD"}),
        (
            {"tkPendidikanTerakhir": None, "tkPendidikanTerakhirId": None},
            {"education_level": "S2"},
        ),  # from the program
        ({"tkPendidikanTerakhir": "Kursus", "tkPendidikanTerakhirId": None}, {"education_level": "S2"}),
        (
            {"gelarDepan": "Dr.", "nama": "DR. BAMBANG HARIYANTO"},
            {"front_title": "Dr.", "name": "BAMBANG HARIYANTO"},
        ),
        (
            {"nama": "Drs. BAMBANG HARIYANTO, M.Si.", "gelarBelakang": None},
            {"front_title": "Drs.", "back_title": "M.Si."},
        ),
        ({"nama": "BAMBANG, HARIYANTO"}, {"name": "BAMBANG, HARIYANTO"}),  # a comma without titles stays
    ],
)
def test_variants_of_the_fields(changes, expected):
    doc = load("pns-administrator", "data-utama")
    payload(doc).update(changes)
    employee = employee_from_data_utama(doc)
    assert {key: getattr(employee, key) for key in expected} == expected


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        # jenis jabatan missing: the "... Ahli Muda" name makes it functional
        (
            {
                "jenisJabatanId": None,
                "jenisJabatan": None,
                "jabatanNama": "PRANATA KOMPUTER AHLI MUDA",
                "eselon": None,
                "eselonId": None,
            },
            ("Fungsional", "Ahli Muda", None),
        ),
        (
            {"jenisJabatanId": None, "jenisJabatan": None},
            ("Administrator", None, "III.b"),
        ),  # an eselon: structural
        ({"jenisJabatanId": "2", "jabatanNama": "PERAWAT PENYELIA"}, ("Fungsional", "Penyelia", None)),
        (
            {"jenisJabatanId": "2", "jabatanNama": "PRANATA KOMPUTER TERAMPIL"},
            ("Fungsional", "Terampil", None),
        ),
        (
            {"jenisJabatanId": "2", "jabatanNama": "GURU MADYA"},
            ("Fungsional", "Ahli Madya", None),
        ),  # older naming
        (
            {"jenisJabatanId": "2", "jabatanNama": "GURU", "jenjang": "Ahli Utama"},
            ("Fungsional", "Ahli Utama", None),
        ),
        ({"jenisJabatanId": "2", "jabatanNama": "GURU", "jenjang": None}, ("Fungsional", None, None)),
        ({"jenisJabatanId": None, "jenisJabatan": "Jabatan Pelaksana"}, ("Pelaksana", None, None)),
        ({"jenisJabatanId": 4}, ("Pelaksana", None, None)),
        (
            {"eselon": None, "eselonId": None},
            (None, None, None),
        ),  # structural without an eselon: tier unknown
    ],
)
def test_tier_functional_level_and_eselon(changes, expected):
    doc = load("pns-administrator", "data-utama")
    payload(doc).update(changes)
    employee = employee_from_data_utama(doc)
    assert (employee.tier, employee.functional_level, employee.eselon) == expected


def test_employment_type_falls_back_on_the_nip_when_siasn_is_silent():
    doc = load("pppk-guru", "data-utama")
    payload(doc).update(jenisPegawaiNama=None, statusPegawai=None)
    assert employee_from_data_utama(doc).employment_type == "PPPK"
    doc = load("pns-administrator", "data-utama")
    payload(doc).update(jenisPegawaiNama=None, statusPegawai="CPNS")
    assert employee_from_data_utama(doc).employment_type == "PNS"


# ---- malformed data-utama ------------------------------------------------------------------------


def _without(field):
    def change(data):
        del data[field]

    return change


def _set(**values):
    def change(data):
        data.update(values)

    return change


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (_without("nipBaru"), "nipBaru"),
        (_set(nipBaru=None), "nipBaru"),
        (_set(nipBaru="  "), "nipBaru"),
        (_set(nipBaru=1.9750814200003101e17), "nipBaru"),  # a JSON number has lost digits
        (_set(nama=None), "nama"),
        (_set(tglLahir="31-02-1975"), "tglLahir"),
        (_set(tglLahir="14 Agustus 1975"), "tglLahir"),
        (_set(tglLahir="14/08/1975"), "tglLahir"),
        (_set(tmtJabatan="2020-13-02"), "tmtJabatan"),
        (_set(jenisKelamin="X"), "jenisKelamin"),
        (_set(golRuangAkhir="III/z"), "golRuangAkhir"),
        (_set(golRuangAkhir=None, golRuangAkhirId="99"), "golRuangAkhirId"),
        (_set(eselon="VI.c"), "eselon"),
        (_set(eselon=None, eselonId="77"), "eselonId"),
        (_set(jenisJabatanId="3"), "jenisJabatanId"),
        (
            _set(
                tkPendidikanTerakhir="Kursus Menjahit",
                tkPendidikanTerakhirId=None,
                pendidikanTerakhirNama=None,
            ),
            "tkPendidikanTerakhir",
        ),
        (_set(nama={"depan": "BAMBANG"}), "nama"),
        (_set(jabatanNama="X" * 201), "jabatanNama"),  # longer than the roster keeps
    ],
)
def test_malformed_data_utama_names_the_field(change, field):
    doc = load("pns-administrator", "data-utama")
    change(payload(doc))
    with pytest.raises(SiasnMappingError) as err:
        employee_from_data_utama(doc)
    assert err.value.field == field
    assert str(err.value).startswith(f"{field}: ")


def test_pppk_golongan_must_be_a_pppk_golongan():
    doc = load("pppk-guru", "data-utama")
    payload(doc)["golRuangAkhir"] = "III/a"
    with pytest.raises(SiasnMappingError) as err:
        employee_from_data_utama(doc)
    assert err.value.field == "golRuangAkhir"


@pytest.mark.parametrize(
    ("doc", "field"),
    [
        ({"code": 0, "data": "Data tidak ditemukan"}, "code"),
        ({"code": "0", "message": "NIP tidak valid", "data": None}, "code"),
        ({"success": False, "message": "Unauthorized"}, "success"),
        ({"success": False, "mapData": None}, "success"),
        ({"code": 1}, "data"),
        ({"code": 1, "data": [{"nipBaru": "197508142000031002"}]}, "data"),
        ({"success": True, "mapData": "197508142000031002"}, "data"),
    ],
)
def test_an_envelope_without_a_record_names_the_field(doc, field):
    with pytest.raises(SiasnMappingError) as err:
        employee_from_data_utama(doc)
    assert err.value.field == field


# ---- rw-jabatan -> list[TrackRecordIn] -----------------------------------------------------------


def position(title, organisation, start, end):
    return TrackRecordIn(
        kind="position", title=title, organisation=organisation, start_date=start, end_date=end
    )


EXPECTED_HISTORIES = {
    "pns-administrator": [
        position("PENGADMINISTRASI UMUM", "SEKRETARIAT", date(2000, 3, 1), date(2012, 9, 3)),
        position(
            "KEPALA SUB BIDANG PENGEMBANGAN KARIER",
            "SUB BIDANG PENGEMBANGAN KARIER",
            date(2012, 9, 3),
            date(2020, 1, 2),
        ),
        position("KEPALA BIDANG MUTASI DAN PROMOSI", "BIDANG MUTASI DAN PROMOSI", date(2020, 1, 2), None),
    ],
    "pns-fungsional-iso-dates": [  # mixed date formats; the 2016 entry is recorded twice and kept once
        position(
            "ANALIS KEPEGAWAIAN", "SUB BIDANG DIKLAT TEKNIS FUNGSIONAL", date(2011, 2, 1), date(2016, 7, 1)
        ),
        position(
            "ANALIS SUMBER DAYA MANUSIA APARATUR AHLI PERTAMA",
            "BIDANG PENGEMBANGAN KOMPETENSI APARATUR",
            date(2016, 7, 1),
            date(2021, 4, 1),
        ),
        position(
            "ANALIS SUMBER DAYA MANUSIA APARATUR AHLI MUDA",
            "BIDANG PENGEMBANGAN KOMPETENSI APARATUR",
            date(2021, 4, 1),
            None,
        ),
    ],
    "pppk-guru": [position("GURU AHLI PERTAMA", "SD NEGERI 2 CIRUAS", date(2022, 3, 1), None)],
    "pns-pengawas-numeric-ids": [  # the blank entry is skipped; the unit of 2009 is only in namaUnor
        position("PENGELOLA KEUANGAN", "SEKRETARIAT KECAMATAN JUNREJO", date(2009, 1, 1), date(2018, 1, 8)),
        position(
            "KEPALA SUB BAGIAN UMUM DAN KEPEGAWAIAN",
            "SUB BAGIAN UMUM DAN KEPEGAWAIAN KECAMATAN JUNREJO",
            date(2018, 1, 8),
            None,
        ),
    ],
    "pns-pelaksana-mapdata": [
        position(
            "PENGADMINISTRASI UMUM", "SUB BAGIAN UMUM DAN KEPEGAWAIAN", date(2020, 3, 1), date(2023, 1, 2)
        ),
        position("PENGADMINISTRASI PERKANTORAN", "SUB BAGIAN UMUM DAN KEPEGAWAIAN", date(2023, 1, 2), None),
    ],
}


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_history_is_ordered_oldest_first_and_each_ends_when_the_next_starts(name):
    nip = payload(load(name, "data-utama"))["nipBaru"]
    records = track_records_from_rw_jabatan(load(name, "rw-jabatan"), nip=nip)
    assert records == EXPECTED_HISTORIES[name]
    assert all(r.kind == "position" for r in records)
    starts = [r.start_date for r in records]
    assert starts == sorted(starts)
    assert [r.end_date for r in records] == [*starts[1:], None]


def test_history_accepts_a_bare_list_and_the_mapdata_envelope_and_an_empty_history():
    entries = payload(load("pns-administrator", "rw-jabatan"))
    expected = EXPECTED_HISTORIES["pns-administrator"]
    assert track_records_from_rw_jabatan(entries) == expected
    assert track_records_from_rw_jabatan({"success": True, "mapData": entries}) == expected
    assert track_records_from_rw_jabatan({"code": 1, "data": []}) == []
    assert track_records_from_rw_jabatan({"code": 1, "data": None}) == []


def test_entries_on_the_same_day_keep_sk_date_then_response_order():
    entries = payload(load("pns-administrator", "rw-jabatan"))
    later_sk = copy.deepcopy(entries[0]) | {"namaJabatan": "PLT. KEPALA BADAN", "tanggalSk": "31-12-2019"}
    records = track_records_from_rw_jabatan([later_sk, *entries])
    assert [r.title for r in records][-2:] == ["KEPALA BIDANG MUTASI DAN PROMOSI", "PLT. KEPALA BADAN"]
    assert records[-2].end_date == records[-2].start_date == date(2020, 1, 2)


@pytest.mark.parametrize(
    ("change", "field", "index"),
    [
        (_set(tmtJabatan="32-01-2020"), "tmtJabatan", 0),
        (_set(tmtJabatan="2020/01/02"), "tmtJabatan", 0),
        (_set(tmtJabatan=""), "tmtJabatan", 0),
        (_set(tmtJabatan="01-01-0001"), "tmtJabatan", 0),
        (_set(namaJabatan=None, jabatanFungsionalNama="", jabatanFungsionalUmumNama=""), "namaJabatan", 0),
        (_set(namaJabatan="X" * 201), "namaJabatan", 0),
        (_set(nipBaru="198811232011022001"), "nipBaru", 0),
        (_set(unorNama=["BIDANG MUTASI"]), "unorNama", 0),
    ],
)
def test_malformed_rw_jabatan_entry_names_the_field_and_the_entry(change, field, index):
    doc = load("pns-administrator", "rw-jabatan")
    change(payload(doc)[index])
    with pytest.raises(SiasnMappingError) as err:
        track_records_from_rw_jabatan(doc, nip="197508142000031002")
    assert (err.value.field, err.value.index) == (field, index)
    assert str(err.value).startswith(f"data[{index}].{field}: ")


@pytest.mark.parametrize(
    ("doc", "field"),
    [
        ({"code": 0, "data": "Data tidak ditemukan"}, "code"),
        ({"code": 1, "data": {"nipBaru": "197508142000031002"}}, "data"),
        ({"code": 1, "data": ["not an entry"]}, "data"),
        ("not json", "data"),
    ],
)
def test_malformed_rw_jabatan_document_names_the_field(doc, field):
    with pytest.raises(SiasnMappingError) as err:
        track_records_from_rw_jabatan(doc)
    assert err.value.field == field
