"""Generate realistic SIASN-like employee files (CSV and XLSX) for import tests and benchmarks.

    .venv/bin/python bench/generate_roster.py 100000 --seed 7 --out /tmp/roster   # -> roster.csv, roster.xlsx,
                                                                                  #    roster.units.json, roster.positions.json
Importable: generate_roster(n, seed) returns the units (create them first, parents before children),
the structural positions the employees hold, and the employees (EmployeeIn-shaped dicts).

What is realistic here: Indonesian names of several ethnic groups with gender-appropriate first names,
academic titles consistent with education and job, valid NIPs (birth date, TMT CPNS at 19-35 years old,
gender digit, unique sequence) and NI PPPK, golongan from the education start grade plus regular
promotions, functional jenjang from golongan, OPD units of a kabupaten (SETDA and its bagian, dinas/badan
with their bidang, kecamatan, kelurahan, UPTD puskesmas and schools). The structural/functional/pelaksana
mix matches a kabupaten of about 10,000 ASN; larger N scales the kecamatan, puskesmas and schools, so
the structural share falls (each structural post has one holder).
"""

from __future__ import annotations

import argparse
import json
import random
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

AS_OF = date(2026, 1, 1)  # fixed, so a seed always gives the same file
STANDARD_COMPETENCIES = (
    "Integritas", "Kerjasama", "Komunikasi", "Orientasi pada Hasil", "Pelayanan Publik",
    "Pengembangan Diri dan Orang Lain", "Mengelola Perubahan", "Pengambilan Keputusan", "Perekat Bangsa",
)  # fmt: skip
GOLONGAN = (
    "I/a", "I/b", "I/c", "I/d", "II/a", "II/b", "II/c", "II/d",
    "III/a", "III/b", "III/c", "III/d", "IV/a", "IV/b", "IV/c", "IV/d", "IV/e",
)  # fmt: skip

# ---- names ---------------------------------------------------------------------------------------------
# (male first names, female first names, men's last names, women's last names, share of one-word names)
NAMES: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], tuple[str, ...], float]] = {
    "jawa": (
        ("Agus", "Budi", "Joko", "Slamet", "Sugeng", "Bambang", "Heru", "Wahyu", "Eko", "Dwi", "Teguh", "Hadi",
         "Sutrisno", "Sumarno", "Sukardi", "Purwanto", "Gunawan", "Bayu", "Aris", "Yudi", "Catur", "Rudi"),
        ("Sri", "Endang", "Tri", "Rina", "Wulan", "Dewi", "Puji", "Ratna", "Sulastri", "Suharti", "Yuli",
         "Indah", "Retno", "Sumiati", "Kartini", "Ayu", "Wiwik", "Ning", "Sekar", "Dwi"),
        ("Santoso", "Wibowo", "Susanto", "Prasetyo", "Hartono", "Setiawan", "Purnomo", "Widodo", "Kurniawan",
         "Nugroho", "Saputro", "Utomo", "Mulyono", "Sutrisno", "Hermawan", "Wicaksono"),
        ("Rahayu", "Lestari", "Wahyuni", "Handayani", "Suryani", "Hidayati", "Pratiwi", "Susilowati",
         "Rahmawati", "Kusumawati", "Purwaningsih", "Setyaningsih"),
        0.25,
    ),
    "sunda": (
        ("Asep", "Ujang", "Dadang", "Cecep", "Deden", "Yayan", "Iwan", "Dedi", "Ade", "Ruhiyat", "Engkus"),
        ("Euis", "Neneng", "Iis", "Yeni", "Enung", "Lilis", "Imas", "Cucu", "Nenden", "Rina", "Dedeh"),
        ("Sopandi", "Hidayat", "Permana", "Sutisna", "Suhendar", "Setiadi", "Saepudin", "Rukmana", "Sumpena"),
        ("Kurniasih", "Nurhayati", "Rosmiati", "Komalasari", "Rohaeti", "Suryati", "Maryani"),
        0.1,
    ),
    "batak": (
        ("Togar", "Parlindungan", "Marulam", "Binsar", "Hotman", "Poltak", "Bonar", "Sahat", "Tigor", "Maruli"),
        ("Rumondang", "Tiurma", "Rosdiana", "Lasma", "Nurmaida", "Romauli", "Dame", "Sondang", "Ruth", "Debora"),
        MARGA := ("Siregar", "Simanjuntak", "Nasution", "Harahap", "Hutapea", "Sitorus", "Simatupang", "Sinaga",
                  "Panjaitan", "Lubis", "Pardede", "Tambunan", "Situmorang", "Manurung", "Sihombing"),
        MARGA,
        0.0,
    ),
    "minang": (
        ("Afrizal", "Zulkifli", "Yusrizal", "Syafrizal", "Hendri", "Rahmat", "Fadli", "Erizal", "Jasman", "Syahrial"),
        ("Yusnidar", "Nurhasanah", "Rosmaniar", "Yulia", "Elfi", "Desmawati", "Nofrida", "Ernawati", "Zurnelis"),
        ("Chaniago", "Piliang", "Sikumbang", "Tanjung", "Koto", "Syamsuddin", "Jambak", "Malin Marajo"),
        ("Chaniago", "Piliang", "Sikumbang", "Tanjung", "Koto", "Jambak", "Yusuf"),
        0.35,
    ),
    "bugis": (
        ("Baso", "Syamsul", "Irwan", "Ridwan", "Amiruddin", "Muhammad Arif", "Hasanuddin", "Akbar", "Rusdi"),
        ("Hasnah", "Sitti", "Hasnawati", "Rahmawati", "Nurhaeda", "Marlina", "Haslinda", "St. Aminah", "Nurbaya"),
        ("Mappasessu", "Patongai", "Rahman", "Sultan", "Hamzah", "Latief", "Mallarangeng", "Pawelloi", "Tahir"),
        ("Rahman", "Hamzah", "Latief", "Tahir", "Patongai", "Arsyad"),
        0.1,
    ),
    "bali": (
        ("Sudarsana", "Artawan", "Suarjana", "Budiasa", "Mertayasa", "Sukadana", "Wirawan", "Darmawan"),
        ("Sriasih", "Suartini", "Ariani", "Sukarmini", "Wahyuni", "Puspawati", "Kusumawati", "Rusmini"),
        ("Putra", "Suyasa", "Adnyana", "Wijaya", "Santika"),
        ("Dewi", "Antari", "Sari", "Lestari"),
        0.3,
    ),
    "umum": (
        ("Muhammad Rizki", "Ahmad Fauzi", "Muhammad Iqbal", "Fajar", "Rizal", "Arif", "Hendra", "Andi", "Rizky"),
        ("Siti Nurhaliza", "Nur Aini", "Fitri", "Dian", "Rizka", "Nurul", "Anisa", "Mega", "Putri"),
        ("Hakim", "Ramadhan", "Firmansyah", "Syahputra", "Maulana", "Hidayatullah"),
        ("Anggraini", "Safitri", "Fitriani", "Amalia", "Rahmawati", "Maharani"),
        0.15,
    ),
}  # fmt: skip
ETHNICITY_WEIGHTS = {"jawa": 45, "sunda": 15, "batak": 8, "minang": 8, "bugis": 8, "bali": 4, "umum": 12}
BALI_PREFIX = ("Wayan", "Made", "Nyoman", "Ketut", "Putu", "Kadek", "Komang", "Gede")

# ---- education ----------------------------------------------------------------------------------------
# degree title -> (majors, institutions)
UNIVERSITIES = (
    "Universitas Brawijaya", "Universitas Negeri Malang", "Universitas Airlangga", "Universitas Gadjah Mada",
    "Universitas Padjadjaran", "Universitas Sumatera Utara", "Universitas Andalas", "Universitas Hasanuddin",
    "Universitas Terbuka", "Universitas Muhammadiyah Malang", "Universitas Diponegoro", "Universitas Jember",
    "Universitas Sebelas Maret", "Universitas Udayana", "Universitas Negeri Surabaya", "Universitas Islam Malang",
)  # fmt: skip
S1: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "S.Pd.": (("Pendidikan Guru Sekolah Dasar", "Pendidikan Matematika", "Pendidikan Bahasa Indonesia",
               "Pendidikan Bahasa Inggris", "Pendidikan Biologi", "Pendidikan Jasmani, Kesehatan dan Rekreasi",
               "Pendidikan Pancasila dan Kewarganegaraan", "Pendidikan Fisika"),
              ("Universitas Negeri Malang", "Universitas Negeri Surabaya", "Universitas Negeri Yogyakarta",
               "Universitas PGRI Madiun", "Universitas Terbuka", "Universitas Pendidikan Indonesia")),
    "S.E.": (("Manajemen", "Akuntansi", "Ekonomi Pembangunan"), UNIVERSITIES),
    "S.Ak.": (("Akuntansi",), UNIVERSITIES),
    "S.H.": (("Ilmu Hukum",), UNIVERSITIES),
    "S.Sos.": (("Ilmu Administrasi Negara", "Sosiologi", "Ilmu Komunikasi", "Ilmu Kesejahteraan Sosial"), UNIVERSITIES),
    "S.IP.": (("Ilmu Pemerintahan", "Ilmu Politik"), UNIVERSITIES),
    "S.STP.": (("Manajemen Pemerintahan", "Kebijakan Pemerintahan"), ("Institut Pemerintahan Dalam Negeri",)),
    "S.T.": (("Teknik Sipil", "Teknik Lingkungan", "Perencanaan Wilayah dan Kota", "Teknik Elektro"), UNIVERSITIES),
    "S.Kom.": (("Teknik Informatika", "Sistem Informasi"), UNIVERSITIES),
    "S.Kep., Ners": (("Ilmu Keperawatan",), ("Universitas Airlangga", "Universitas Muhammadiyah Malang",
                                            "STIKes Maharani Malang", "Universitas Brawijaya")),
    "S.K.M.": (("Kesehatan Masyarakat",), ("Universitas Airlangga", "Universitas Jember", "Universitas Diponegoro")),
    "S.P.": (("Agroteknologi", "Agribisnis"), ("Universitas Brawijaya", "Universitas Jember", "Institut Pertanian Bogor")),
    "S.Pt.": (("Peternakan",), ("Universitas Brawijaya", "Universitas Gadjah Mada")),
    "S.Pi.": (("Budidaya Perairan", "Pemanfaatan Sumberdaya Perikanan"), ("Universitas Brawijaya", "Universitas Hasanuddin")),
    "S.Psi.": (("Psikologi",), UNIVERSITIES),
    "S.Farm., Apt.": (("Farmasi",), ("Universitas Airlangga", "Universitas Gadjah Mada", "Universitas Jember")),
    "S.Hum.": (("Ilmu Perpustakaan", "Sastra Indonesia"), UNIVERSITIES),
    "S.Stat.": (("Statistika",), ("Institut Teknologi Sepuluh Nopember", "Universitas Padjadjaran")),
}  # fmt: skip
S2_OF: dict[str, tuple[tuple[str, str], ...]] = {  # S1 title -> (S2 title, S2 major)
    "S.Pd.": (("M.Pd.", "Manajemen Pendidikan"), ("M.Pd.", "Pendidikan Dasar")),
    "S.E.": (("M.M.", "Magister Manajemen"), ("M.Si.", "Ilmu Ekonomi")),
    "S.Ak.": (("M.Ak.", "Magister Akuntansi"),),
    "S.H.": (("M.H.", "Magister Ilmu Hukum"),),
    "S.Sos.": (("M.AP.", "Magister Administrasi Publik"), ("M.Si.", "Ilmu Administrasi")),
    "S.IP.": (("M.Si.", "Ilmu Pemerintahan"), ("M.AP.", "Magister Administrasi Publik")),
    "S.STP.": (("M.Si.", "Ilmu Pemerintahan"), ("M.AP.", "Magister Administrasi Publik")),
    "S.T.": (("M.T.", "Teknik Sipil"), ("M.T.", "Perencanaan Wilayah dan Kota")),
    "S.Kom.": (("M.Kom.", "Magister Ilmu Komputer"),),
    "S.Kep., Ners": (("M.Kep.", "Magister Keperawatan"),),
    "S.K.M.": (("M.Kes.", "Magister Kesehatan Masyarakat"),),
    "S.P.": (("M.P.", "Magister Agribisnis"),),
    "S.Pt.": (("M.P.", "Ilmu Peternakan"),),
    "S.Pi.": (("M.P.", "Magister Perikanan"),),
    "S.Psi.": (("M.Psi.", "Magister Psikologi"),),
    "S.Farm., Apt.": (("M.Farm.", "Magister Farmasi"),),
    "S.Hum.": (("M.Hum.", "Ilmu Perpustakaan"),),
    "S.Stat.": (("M.Si.", "Statistika"),),
}  # fmt: skip
D3: dict[str, tuple[str, tuple[str, ...]]] = {  # D3 title -> (major, institutions)
    "A.Md.Kep.": ("Keperawatan", ("Poltekkes Kemenkes Malang", "Poltekkes Kemenkes Surabaya", "Akper Kosgoro")),
    "A.Md.Keb.": ("Kebidanan", ("Poltekkes Kemenkes Malang", "Poltekkes Kemenkes Semarang", "Akbid Wijaya Husada")),
    "A.Md.Kom.": ("Manajemen Informatika", ("Politeknik Negeri Malang", "AMIK Jakarta Teknologi Cipta")),
    "A.Md.AK.": ("Analis Kesehatan", ("Poltekkes Kemenkes Surabaya",)),
    "A.Md.KL.": ("Kesehatan Lingkungan", ("Poltekkes Kemenkes Surabaya",)),
    "A.Md.": ("Administrasi Bisnis", ("Politeknik Negeri Malang", "Politeknik Negeri Jakarta", "Universitas Terbuka")),
}  # fmt: skip
SMA_MAJORS = ("IPA", "IPS", "Administrasi Perkantoran", "Akuntansi", "Teknik Komputer dan Jaringan")

# ---- jobs ---------------------------------------------------------------------------------------------
# Functional job: (title base, S1 titles for the Ahli path or (), D3 title for the Keterampilan path or None,
#                  has Pemula, share of women)
Job = tuple[str, tuple[str, ...], str | None, bool, float]
TEACHERS: tuple[Job, ...] = (("Guru", ("S.Pd.",), None, False, 0.65),)
HEALTH: tuple[tuple[Job, int], ...] = (
    (("Perawat", ("S.Kep., Ners",), "A.Md.Kep.", False, 0.7), 40),
    (("Bidan", (), "A.Md.Keb.", False, 1.0), 22),
    (("Dokter", ("dr.",), None, False, 0.55), 8),
    (("Dokter Gigi", ("drg.",), None, False, 0.7), 2),
    (("Apoteker", ("S.Farm., Apt.",), None, False, 0.75), 3),
    (("Pranata Laboratorium Kesehatan", (), "A.Md.AK.", False, 0.7), 5),
    (("Tenaga Sanitasi Lingkungan", ("S.K.M.",), "A.Md.KL.", False, 0.5), 4),
    (("Nutrisionis", ("S.K.M.",), "A.Md.", False, 0.8), 4),
    (("Penyuluh Kesehatan Masyarakat", ("S.K.M.",), None, False, 0.6), 3),
    (("Administrator Kesehatan", ("S.K.M.",), None, False, 0.5), 2),
)  # fmt: skip
GENERAL_FUNCTIONAL: tuple[Job, ...] = (
    ("Analis Kebijakan", ("S.Sos.", "S.IP.", "S.H.", "S.E."), None, False, 0.45),
    ("Perencana", ("S.E.", "S.T.", "S.Sos."), None, False, 0.45),
    ("Pranata Komputer", ("S.Kom.",), "A.Md.Kom.", False, 0.35),
    ("Arsiparis", ("S.Sos.", "S.Hum."), "A.Md.", False, 0.6),
    ("Pengelola Pengadaan Barang/Jasa", ("S.E.", "S.T."), None, False, 0.35),
    ("Pranata Hubungan Masyarakat", ("S.Sos.",), "A.Md.", False, 0.5),
    ("Analis Keuangan Pusat dan Daerah", ("S.E.", "S.Ak."), None, False, 0.55),
    ("Statistisi", ("S.Stat.", "S.E."), "A.Md.", False, 0.5),
)  # fmt: skip
UNIT_FUNCTIONAL: dict[str, tuple[Job, ...]] = {  # jobs that belong to one OPD
    "INSPEKTORAT": (("Auditor", ("S.E.", "S.Ak.", "S.H."), None, False, 0.45),
                    ("Pengawas Penyelenggaraan Urusan Pemerintahan di Daerah", ("S.IP.", "S.Sos."), None, False, 0.4)),
    "BKPSDM": (("Analis Sumber Daya Manusia Aparatur", ("S.Psi.", "S.Sos.", "S.E.", "S.H."), None, False, 0.55),),
    "DISPERTAN": (("Penyuluh Pertanian", ("S.P.",), "A.Md.", False, 0.3),
                  ("Medik Veteriner", ("S.Pt.",), None, False, 0.4)),
    "DKP": (("Penyuluh Perikanan", ("S.Pi.",), "A.Md.", False, 0.3),),
    "DPUPR": (("Teknik Jalan dan Jembatan", ("S.T.",), "A.Md.", False, 0.2),
              ("Penata Ruang", ("S.T.",), None, False, 0.35)),
    "DLH": (("Pengendali Dampak Lingkungan", ("S.T.",), None, False, 0.4),),
    "DINSOS": (("Pekerja Sosial", ("S.Sos.",), "A.Md.", False, 0.55),),
    "DISNAKER": (("Mediator Hubungan Industrial", ("S.H.",), None, False, 0.4),),
    "DISDUKCAPIL": (("Administrator Database Kependudukan", ("S.Kom.",), "A.Md.Kom.", False, 0.45),),
    "DISHUB": (("Penguji Kendaraan Bermotor", ("S.T.",), "A.Md.", True, 0.1),),
    "DP3AP2KB": (("Penyuluh Keluarga Berencana", ("S.Sos.", "S.K.M."), None, False, 0.7),),
    "DISARPUS": (("Pustakawan", ("S.Hum.",), "A.Md.", False, 0.6),),
    "SATPOLPP": (("Polisi Pamong Praja", ("S.H.", "S.Sos."), "A.Md.", True, 0.15),),
    "DAMKAR": (("Analis Kebakaran", ("S.T.",), None, False, 0.05),
               ("Pemadam Kebakaran", (), "A.Md.", True, 0.03)),
    "BPBD": (("Analis Bencana", ("S.T.", "S.Sos."), None, False, 0.3),),
    "BAPENDA": (("Analis Keuangan Pusat dan Daerah", ("S.E.", "S.Ak."), None, False, 0.5),),
    "BPKAD": (("Analis Keuangan Pusat dan Daerah", ("S.E.", "S.Ak."), None, False, 0.55),),
}  # fmt: skip
PELAKSANA_TITLES = (
    "Pengadministrasi Perkantoran", "Penata Layanan Operasional", "Pengolah Data dan Informasi",
    "Operator Layanan Operasional", "Pengelola Layanan Operasional", "Penelaah Teknis Kebijakan",
    "Pengelola Umum Operasional", "Operator Layanan Kesehatan", "Pengadministrasi Keuangan",
)  # fmt: skip

# ---- units ---------------------------------------------------------------------------------------------
# (code, name, kind, bidang/bagian names)
OPD: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("BAPPEDA", "Badan Perencanaan Pembangunan Daerah", "badan", (
        "Perencanaan, Pengendalian dan Evaluasi Pembangunan Daerah", "Perekonomian dan Sumber Daya Alam",
        "Pemerintahan dan Pembangunan Manusia", "Infrastruktur dan Kewilayahan", "Penelitian dan Pengembangan")),
    ("BKPSDM", "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia", "badan", (
        "Pengadaan, Pemberhentian dan Informasi", "Mutasi dan Promosi", "Pengembangan Kompetensi Aparatur",
        "Penilaian Kinerja Aparatur dan Penghargaan")),
    ("BPKAD", "Badan Pengelolaan Keuangan dan Aset Daerah", "badan", ("Anggaran", "Perbendaharaan", "Akuntansi", "Aset")),
    ("BAPENDA", "Badan Pendapatan Daerah", "badan", ("Pendaftaran dan Penetapan", "Penagihan", "Pengembangan dan Pengendalian")),
    ("BPBD", "Badan Penanggulangan Bencana Daerah", "badan", (
        "Pencegahan dan Kesiapsiagaan", "Kedaruratan dan Logistik", "Rehabilitasi dan Rekonstruksi")),
    ("BAKESBANGPOL", "Badan Kesatuan Bangsa dan Politik", "badan", (
        "Ideologi dan Wawasan Kebangsaan", "Politik Dalam Negeri", "Ketahanan Ekonomi, Sosial, Budaya dan Agama")),
    ("DISDIK", "Dinas Pendidikan", "dinas", ("Pembinaan PAUD dan Pendidikan Nonformal", "Pembinaan Sekolah Dasar",
                                            "Pembinaan Sekolah Menengah Pertama", "Ketenagaan")),
    ("DINKES", "Dinas Kesehatan", "dinas", ("Kesehatan Masyarakat", "Pencegahan dan Pengendalian Penyakit",
                                           "Pelayanan Kesehatan", "Sumber Daya Kesehatan")),
    ("DPUPR", "Dinas Pekerjaan Umum dan Penataan Ruang", "dinas", ("Bina Marga", "Sumber Daya Air", "Cipta Karya", "Penataan Ruang")),
    ("DISPERKIM", "Dinas Perumahan dan Kawasan Permukiman", "dinas", ("Perumahan", "Kawasan Permukiman", "Pertanahan")),
    ("DINSOS", "Dinas Sosial", "dinas", ("Rehabilitasi Sosial", "Perlindungan dan Jaminan Sosial", "Pemberdayaan Sosial")),
    ("DISNAKER", "Dinas Tenaga Kerja", "dinas", ("Penempatan Tenaga Kerja", "Hubungan Industrial", "Pelatihan dan Produktivitas")),
    ("DP3AP2KB", "Dinas Pemberdayaan Perempuan, Perlindungan Anak, Pengendalian Penduduk dan Keluarga Berencana", "dinas", (
        "Pemberdayaan Perempuan", "Perlindungan Anak", "Pengendalian Penduduk dan Keluarga Berencana")),
    ("DLH", "Dinas Lingkungan Hidup", "dinas", ("Tata Lingkungan", "Pengelolaan Sampah dan Limbah B3", "Pengendalian Pencemaran")),
    ("DISDUKCAPIL", "Dinas Kependudukan dan Pencatatan Sipil", "dinas", (
        "Pelayanan Pendaftaran Penduduk", "Pelayanan Pencatatan Sipil", "Pengelolaan Informasi Administrasi Kependudukan")),
    ("DPMD", "Dinas Pemberdayaan Masyarakat dan Desa", "dinas", (
        "Pemerintahan Desa", "Pemberdayaan Masyarakat Desa", "Ekonomi dan Sarana Prasarana Desa")),
    ("DISHUB", "Dinas Perhubungan", "dinas", ("Lalu Lintas", "Angkutan", "Sarana dan Prasarana")),
    ("DISKOMINFO", "Dinas Komunikasi dan Informatika", "dinas", (
        "Informasi dan Komunikasi Publik", "Aplikasi Informatika", "Persandian dan Statistik")),
    ("DISKOPUM", "Dinas Koperasi dan Usaha Mikro", "dinas", ("Koperasi", "Usaha Mikro")),
    ("DPMPTSP", "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu", "dinas", (
        "Penanaman Modal", "Pelayanan Perizinan", "Pengaduan dan Informasi")),
    ("DISPORAPAR", "Dinas Kepemudaan, Olahraga dan Pariwisata", "dinas", ("Kepemudaan", "Olahraga", "Pariwisata")),
    ("DISPERINDAG", "Dinas Perindustrian dan Perdagangan", "dinas", ("Perindustrian", "Perdagangan", "Pasar")),
    ("DISPERTAN", "Dinas Pertanian dan Ketahanan Pangan", "dinas", (
        "Tanaman Pangan dan Hortikultura", "Peternakan dan Kesehatan Hewan", "Ketahanan Pangan", "Penyuluhan")),
    ("DKP", "Dinas Perikanan", "dinas", ("Perikanan Budidaya", "Perikanan Tangkap")),
    ("DISARPUS", "Dinas Perpustakaan dan Kearsipan", "dinas", ("Perpustakaan", "Kearsipan")),
    ("DAMKAR", "Dinas Pemadam Kebakaran dan Penyelamatan", "dinas", ("Pemadaman", "Penyelamatan")),
)  # fmt: skip
SETDA_BAGIAN = (
    ("PEM", "Pemerintahan"), ("HUKUM", "Hukum"), ("KESRA", "Kesejahteraan Rakyat"),
    ("PEREK", "Perekonomian dan Sumber Daya Alam"), ("ADPEM", "Administrasi Pembangunan"),
    ("PBJ", "Pengadaan Barang dan Jasa"), ("ORG", "Organisasi"), ("UMUM", "Umum"),
    ("PROKOPIM", "Protokol dan Komunikasi Pimpinan"), ("RENKEU", "Perencanaan dan Keuangan"),
)  # fmt: skip
SETWAN_BAGIAN = (("UMUM", "Umum dan Keuangan"), ("PERSID", "Persidangan dan Perundang-undangan"),
                 ("FASIL", "Fasilitasi Penganggaran dan Pengawasan"))  # fmt: skip
PLACES = (
    "Kepanjen", "Sumberpucung", "Wonosari", "Karangploso", "Singosari", "Lawang", "Pakis", "Tumpang", "Dau",
    "Pujon", "Ngantang", "Kasembon", "Bululawang", "Gondanglegi", "Turen", "Dampit", "Ampelgading", "Tirtoyudo",
    "Sumbermanjing", "Gedangan", "Bantur", "Pagak", "Donomulyo", "Kalipare", "Kromengan", "Wagir", "Jabung",
    "Poncokusumo", "Wajak", "Pagelaran", "Ngajum", "Tajinan", "Sukamaju", "Sumberrejo", "Karangrejo", "Sidomulyo",
    "Mulyoagung", "Tegalweru", "Purwodadi", "Kedungrejo", "Banjarsari", "Tanjungsari", "Cibeureum", "Sukasari",
    "Cimahi Tengah", "Pasirjambu", "Ciwidey", "Rancabali", "Margahayu", "Cileunyi", "Padangsidimpuan", "Sipirok",
    "Batang Toru", "Lubuk Basung", "Pariaman", "Maros Baru", "Bantimurung", "Tanete", "Gianyar", "Ubud",
)  # fmt: skip

# Structural posts: (position code suffix, title, eselon)
DINAS_POSTS = (("KEPALA", "Kepala {name}", "II.b"), ("SEKR", "Sekretaris {name}", "III.a"),
               ("KASUBBAG-UMPEG", "Kepala Subbagian Umum dan Kepegawaian", "IV.a"),
               ("KASUBBAG-KEU", "Kepala Subbagian Keuangan", "IV.a"))  # fmt: skip
TIER_OF_ESELON = {"I": "JPT Madya", "II": "JPT Pratama", "III": "Administrator", "IV": "Pengawas"}
REQUIRED_LEVEL = {"JPT Pratama": 4, "Administrator": 3, "Pengawas": 3}
JOB_FAMILY = {
    "BKPSDM": "Manajemen SDM Aparatur", "DINKES": "Kesehatan", "RSUD": "Kesehatan", "DISDIK": "Pendidikan",
    "BAPPEDA": "Perencanaan", "BPKAD": "Keuangan", "BAPENDA": "Keuangan", "INSPEKTORAT": "Pengawasan",
    "DPUPR": "Pekerjaan Umum", "DISPERKIM": "Pekerjaan Umum",
}  # fmt: skip


@dataclass
class Post:
    code: str
    title: str
    eselon: str
    unit_code: str
    family: str


@dataclass
class GeneratedRoster:
    units: list[dict[str, Any]]  # UnitIn-shaped, parents before children
    positions: list[dict[str, Any]]  # PositionIn-shaped: the structural posts held by an employee
    employees: list[dict[str, Any]]  # EmployeeIn-shaped (dates as date objects)
    as_of: date = AS_OF
    stats: dict[str, int] = field(default_factory=dict)


def _abbr(name: str) -> str:
    words = [w for w in name.replace(",", " ").replace("/", " ").split() if w.lower() not in ("dan", "di")]
    return "".join(w[0] for w in words).upper()


def build_units(n: int, rnd: random.Random) -> tuple[list[dict[str, Any]], list[Post], dict[str, list[str]]]:
    """Units of one kabupaten, the structural posts in them, and unit codes by kind of workplace."""
    units: list[dict[str, Any]] = []
    posts: list[Post] = []
    places: dict[str, list[str]] = {"office": [], "school": [], "health": []}

    def unit(code: str, name: str, kind: str, parent: str | None, where: str = "office") -> str:
        units.append({"code": code, "name": name, "kind": kind, "parent_code": parent})
        places[where].append(code)
        return code

    def post(unit_code: str, suffix: str, title: str, eselon: str, family: str) -> None:
        posts.append(Post(f"{unit_code}-{suffix}", title, eselon, unit_code, family))

    general = "Administrasi Pemerintahan"
    unit("SETDA", "Sekretariat Daerah", "sekretariat", None)
    post("SETDA", "SEKDA", "Sekretaris Daerah", "II.a", general)
    for suffix, title in (("ASS1", "Asisten Pemerintahan dan Kesejahteraan Rakyat"),
                          ("ASS2", "Asisten Perekonomian dan Pembangunan"), ("ASS3", "Asisten Administrasi Umum"),
                          ("SAHLI1", "Staf Ahli Bupati Bidang Hukum, Politik dan Pemerintahan"),
                          ("SAHLI2", "Staf Ahli Bupati Bidang Ekonomi, Keuangan dan Pembangunan"),
                          ("SAHLI3", "Staf Ahli Bupati Bidang Kemasyarakatan dan Sumber Daya Manusia")):  # fmt: skip
        post("SETDA", suffix, title, "II.b", general)
    for short, name in SETDA_BAGIAN:
        code = unit(f"BAG-{short}", f"Bagian {name}", "bagian", "SETDA")
        post(code, "KABAG", f"Kepala Bagian {name}", "III.a", general)
    unit("SETWAN", "Sekretariat Dewan Perwakilan Rakyat Daerah", "sekretariat", None)
    post("SETWAN", "SEKWAN", "Sekretaris DPRD", "II.b", general)
    for short, name in SETWAN_BAGIAN:
        code = unit(f"SETWAN-{short}", f"Bagian {name}", "bagian", "SETWAN")
        post(code, "KABAG", f"Kepala Bagian {name}", "III.a", general)
    unit("INSPEKTORAT", "Inspektorat Daerah", "inspektorat", None)
    post("INSPEKTORAT", "INSPEKTUR", "Inspektur", "II.b", "Pengawasan")
    post("INSPEKTORAT", "SEKR", "Sekretaris Inspektorat", "III.a", "Pengawasan")
    for i, roman in enumerate(("I", "II", "III", "IV"), start=1):
        post("INSPEKTORAT", f"IRBAN{i}", f"Inspektur Pembantu Wilayah {roman}", "III.a", "Pengawasan")
    unit("SATPOLPP", "Satuan Polisi Pamong Praja", "lainnya", None)
    post("SATPOLPP", "KASAT", "Kepala Satuan Polisi Pamong Praja", "II.b", "Ketenteraman dan Ketertiban")
    for short, name in (("GAKDA", "Penegakan Perundang-undangan Daerah"), ("TIBUM", "Ketertiban Umum dan Ketenteraman Masyarakat"),
                        ("LINMAS", "Perlindungan Masyarakat")):  # fmt: skip
        code = unit(f"SATPOLPP-{short}", f"Bidang {name}", "bidang", "SATPOLPP")
        post(code, "KABID", f"Kepala Bidang {name}", "III.b", "Ketenteraman dan Ketertiban")
    for code, name, kind, bidang in OPD:
        family = JOB_FAMILY.get(code, general)
        unit(code, name, kind, None)
        for suffix, title, eselon in DINAS_POSTS:
            post(code, suffix, title.format(name=name), eselon, family)
        seen: set[str] = set()
        for bname in bidang:
            short = _abbr(bname)
            while short in seen:
                short += "X"
            seen.add(short)
            bcode = unit(f"{code}-{short}", f"Bidang {bname}", "bidang", code)
            post(bcode, "KABID", f"Kepala Bidang {bname}", "III.b", family)
    rsud = unit("RSUD", "Rumah Sakit Umum Daerah", "rsud", None, "health")
    post(rsud, "DIREKTUR", "Direktur Rumah Sakit Umum Daerah", "II.b", "Kesehatan")
    post(rsud, "WADIR-YAN", "Wakil Direktur Pelayanan", "III.a", "Kesehatan")
    post(rsud, "WADIR-UMKEU", "Wakil Direktur Umum dan Keuangan", "III.a", "Kesehatan")

    # Field units scale with N so that large files still spread over realistic workplaces.
    n_kec = max(5, min(len(PLACES), n // 500))  # a kabupaten of ~10,000 ASN has about 20
    kecamatan = rnd.sample(PLACES, n_kec)
    for place in kecamatan:
        code = unit(f"KEC-{place.upper().replace(' ', '-')}", f"Kecamatan {place}", "kecamatan", None)
        post(code, "CAMAT", f"Camat {place}", "III.a", general)
        post(code, "SEKCAM", f"Sekretaris Kecamatan {place}", "III.b", general)
        post(code, "KASUBBAG", "Kepala Subbagian Umum dan Kepegawaian", "IV.b", general)
        for suffix, title in (("KASI-PEM", "Pemerintahan"), ("KASI-TRANTIB", "Ketenteraman dan Ketertiban Umum"),
                              ("KASI-KESOS", "Kesejahteraan Sosial"), ("KASI-PMD", "Pemberdayaan Masyarakat")):  # fmt: skip
            post(code, suffix, f"Kepala Seksi {title}", "IV.a", general)
        for k in range(rnd.randint(0, 3) if n >= 2000 else 0):
            kel_name = place if k == 0 else f"{rnd.choice(PLACES)} {('Lor', 'Kidul', 'Wetan', 'Kulon')[k]}"
            kel = unit(f"{code}-KEL{k + 1}", f"Kelurahan {kel_name}", "kelurahan", code)
            post(kel, "LURAH", f"Lurah {kel_name}", "IV.a", general)
            post(kel, "SEKLUR", f"Sekretaris Kelurahan {kel_name}", "IV.b", general)
    for i in range(max(3, n // 400)):
        place = kecamatan[i % len(kecamatan)]
        code = unit(
            f"PKM-{i + 1:03d}",
            f"UPTD Puskesmas {place}{'' if i < len(kecamatan) else f' {i // len(kecamatan) + 1}'}",
            "uptd",
            "DINKES",
            "health",
        )
        post(code, "KASUBBAG-TU", "Kepala Subbagian Tata Usaha", "IV.b", "Kesehatan")
    for i in range(max(4, n // 70)):
        place = kecamatan[i % len(kecamatan)]
        if i % 3 == 2:
            code = unit(
                f"SMPN-{i + 1:04d}", f"UPTD SMP Negeri {i // 3 + 1} {place}", "uptd", "DISDIK", "school"
            )
            post(code, "KASUBBAG-TU", "Kepala Subbagian Tata Usaha", "IV.b", "Pendidikan")
        else:
            unit(f"SDN-{i + 1:04d}", f"UPTD SD Negeri {i + 1} {place}", "uptd", "DISDIK", "school")
    return units, posts, places


class _People:
    """Draws one person at a time; every choice goes through one seeded Random."""

    def __init__(self, rnd: random.Random, as_of: date) -> None:
        self.rnd, self.as_of = rnd, as_of
        self.sequence: dict[str, int] = {}
        self.ethnic = list(ETHNICITY_WEIGHTS)
        self.ethnic_weights = list(ETHNICITY_WEIGHTS.values())

    def name(self, female: bool) -> str:
        rnd = self.rnd
        group = rnd.choices(self.ethnic, self.ethnic_weights)[0]
        males, females, male_lasts, female_lasts, single = NAMES[group]
        first, lasts = (rnd.choice(females), female_lasts) if female else (rnd.choice(males), male_lasts)
        if group == "bali":
            prefix = ("Ni " if female else "I ") + rnd.choice(BALI_PREFIX)
            return f"{prefix} {first}" if rnd.random() < single else f"{prefix} {first} {rnd.choice(lasts)}"
        if rnd.random() < single:
            return first
        name = f"{first} {rnd.choice(lasts)}"
        if group == "bugis" and rnd.random() < 0.15:
            name = "Andi " + name
        return name

    def degree(self, level: str, s1_options: tuple[str, ...], d3: str | None, born: int) -> dict[str, Any]:
        """Education level, major, institution and titles that go together."""
        rnd = self.rnd
        if level in ("SMA", "SMP", "SD"):
            school = {"SMA": "SMA Negeri", "SMP": "SMP Negeri", "SD": "SD Negeri"}[level]
            return {"education_level": level, "education_major": rnd.choice(SMA_MAJORS) if level == "SMA" else None,
                    "education_institution": f"{school} {rnd.randint(1, 5)} {rnd.choice(PLACES)}",
                    "front_title": None, "back_title": None}  # fmt: skip
        if level in ("D3", "D4") and d3:
            major, schools = D3[d3]
            title = (
                d3 if level == "D3" else {"A.Md.Keb.": "S.Tr.Keb.", "A.Md.Kep.": "S.Tr.Kep."}.get(d3, "S.ST.")
            )
            return {"education_level": level, "education_major": major, "education_institution": rnd.choice(schools),
                    "front_title": None, "back_title": title}  # fmt: skip
        s1 = rnd.choice(s1_options or ("S.E.", "S.Sos.", "S.IP.", "S.H.", "S.STP."))
        front = None
        if s1 in ("dr.", "drg."):
            major = "Pendidikan Dokter" if s1 == "dr." else "Pendidikan Dokter Gigi"
            institution = rnd.choice(("Universitas Brawijaya", "Universitas Airlangga", "Universitas Gadjah Mada",
                                      "Universitas Hasanuddin", "Universitas Padjadjaran"))  # fmt: skip
            back = None
            front = s1
            if level in ("S2", "S3"):
                back = rnd.choice(("Sp.PD", "Sp.A", "Sp.OG", "Sp.B", "M.Kes."))
            return {"education_level": level, "education_major": major, "education_institution": institution,
                    "front_title": front, "back_title": back}  # fmt: skip
        majors, schools = S1[s1]
        major, institution, back = rnd.choice(majors), rnd.choice(schools), s1
        if s1 == "S.T." and born < 1975 and rnd.random() < 0.4:
            front, back = "Ir.", None  # engineers of that generation carry the old title
        if level in ("S2", "S3"):
            s2, major = rnd.choice(S2_OF[s1])
            back = f"{back}, {s2}" if back else s2
            institution = rnd.choice(UNIVERSITIES)
        if level == "S3":
            front, major = "Dr.", rnd.choice(("Ilmu Administrasi Publik", "Ilmu Manajemen", "Ilmu Hukum"))
        return {"education_level": "S1" if level == "D4" else level, "education_major": major,
                "education_institution": institution, "front_title": front, "back_title": back}  # fmt: skip

    def nip(self, birth: date, tmt: date, female: bool, pppk: bool) -> tuple[str, date]:
        """A unique NIP (or NI PPPK) and the birth date it carries (moved a day if that one is full)."""
        middle = f"{tmt.year:04d}21" if pppk else f"{tmt.year:04d}{tmt.month:02d}"
        while True:
            key = f"{birth:%Y%m%d}{middle}{2 if female else 1}"
            seq = self.sequence.get(key, 0) + 1
            if seq <= 999:
                self.sequence[key] = seq
                return f"{key}{seq:03d}", birth
            birth -= timedelta(days=1)

    def career(self, age_min: int, age_max: int, start_age: tuple[int, int], pppk: bool) -> tuple[date, date]:
        """Birth date and TMT (CPNS month, or PPPK year) with age now in [age_min, age_max]."""
        rnd = self.rnd
        while True:
            age = rnd.randint(age_min, age_max)
            birth = self.as_of - timedelta(days=age * 365 + rnd.randint(0, 364))
            if pppk:
                year = rnd.randint(2019, self.as_of.year - 1)
                if year - birth.year < 20:
                    continue
                return birth, date(year, 1, 1)
            at = rnd.randint(*start_age)
            year = birth.year + at
            month = rnd.choice((1, 2, 3, 4, 12)) if rnd.random() < 0.8 else rnd.randint(1, 12)
            tmt = date(year, month, 1)
            if tmt <= self.as_of and (year, month) >= (birth.year + 19, birth.month):
                return birth, tmt


def _pns_golongan(level: str, years: int, step: int, cap: int, floor: int = 0) -> str:
    start = {"SD": 0, "SMP": 2, "SMA": 4, "D1": 4, "D2": 5, "D3": 6, "D4": 8, "S1": 8, "S2": 9, "S3": 10}[
        level
    ]
    return GOLONGAN[max(floor, min(start + years // step, max(cap, start)))]


def _functional_level(golongan: str, ahli: bool, has_pemula: bool) -> str:
    index = GOLONGAN.index(golongan)
    if ahli:
        return (
            "Ahli Pertama"
            if index <= 9
            else "Ahli Muda"
            if index <= 11
            else "Ahli Madya"
            if index <= 14
            else "Ahli Utama"
        )
    if index <= 4:
        return "Pemula" if has_pemula else "Terampil"
    return "Terampil" if index <= 7 else "Mahir" if index <= 9 else "Penyelia"


_PPPK_GOLONGAN = {
    "Ahli Pertama": "IX", "Ahli Muda": "XI", "Ahli Madya": "XIII", "Ahli Utama": "XV",
    "Pemula": "V", "Terampil": "VII", "Mahir": "VIII", "Penyelia": "IX",
}  # fmt: skip


def generate_roster(
    n: int, seed: int = 1, as_of: date = AS_OF, with_positions: bool = True
) -> GeneratedRoster:
    """N employees of one kabupaten; the same seed and as_of always give the same roster."""
    rnd = random.Random(seed)
    units, posts, places = build_units(n, rnd)
    people = _People(rnd, as_of)
    employees: list[dict[str, Any]] = []
    positions: list[dict[str, Any]] = []

    # Structural posts first, in the shares of a kabupaten of ~10,000 ASN.
    by_tier: dict[str, list[Post]] = {}
    for p in posts:
        by_tier.setdefault(TIER_OF_ESELON[p.eselon.split(".")[0]], []).append(p)
    share = {"JPT Pratama": 0.004, "Administrator": 0.025, "Pengawas": 0.06}
    for tier, tier_posts in by_tier.items():
        count = min(len(tier_posts), max(1 if n >= 30 else 0, round(share[tier] * n)))
        for p in sorted(rnd.sample(tier_posts, count), key=lambda p: p.code):
            if len(employees) >= n:
                break
            employees.append(_structural(people, p, tier, with_positions))
            if with_positions:
                level = REQUIRED_LEVEL[tier]
                positions.append({
                    "code": p.code, "title": p.title, "tier": tier, "functional_level": None, "eselon": p.eselon,
                    "job_family": p.family, "unit_code": p.unit_code,
                    "requirements": {c: level for c in STANDARD_COMPETENCIES}, "technical_requirements": {},
                })  # fmt: skip

    health_jobs = [job for job, _ in HEALTH]
    health_weights = [w for _, w in HEALTH]
    offices = places["office"]
    while len(employees) < n:
        draw = rnd.random()
        if draw < 0.42:
            employees.append(_functional(people, rnd.choice(places["school"]), TEACHERS[0], pppk_share=0.35))
        elif draw < 0.60:
            unit = "RSUD" if rnd.random() < 0.3 else rnd.choice(places["health"])
            job = rnd.choices(health_jobs, health_weights)[0]
            employees.append(_functional(people, unit, job, pppk_share=0.3))
        elif draw < 0.74:
            unit = rnd.choice(offices)
            jobs = UNIT_FUNCTIONAL.get(unit.split("-")[0], ()) + GENERAL_FUNCTIONAL
            employees.append(_functional(people, unit, rnd.choice(jobs), pppk_share=0.1))
        else:
            where = rnd.random()
            unit = rnd.choice(
                offices if where < 0.7 else places["health"] if where < 0.85 else places["school"]
            )
            employees.append(_pelaksana(people, unit))
    tiers: dict[str, int] = {}
    for e in employees:
        tiers[e["tier"]] = tiers.get(e["tier"], 0) + 1
    return GeneratedRoster(units=units, positions=positions, employees=employees, as_of=as_of, stats=tiers)


def _person(people: _People, female: bool, birth: date, tmt: date, pppk: bool) -> dict[str, Any]:
    nip, birth = people.nip(birth, tmt, female, pppk)
    return {
        "nip": nip, "name": people.name(female), "employment_type": "PPPK" if pppk else "PNS",
        "birth_date": birth, "gender": "female" if female else "male",
    }  # fmt: skip


def _tmt_position(people: _People, tmt: date, years_back: int = 8) -> date:
    earliest = max(tmt, date(people.as_of.year - years_back, 1, 1))
    return earliest + timedelta(days=people.rnd.randint(0, max(0, (people.as_of - earliest).days)))


def _structural(people: _People, post: Post, tier: str, with_positions: bool) -> dict[str, Any]:
    rnd = people.rnd
    female = rnd.random() < 0.3
    age_min, level_weights, floor, cap = {
        "JPT Pratama": (44, {"S2": 80, "S3": 12, "S1": 8}, 12, 14),
        "Administrator": (36, {"S1": 45, "S2": 55}, 10, 13),
        "Pengawas": (30, {"S1": 80, "S2": 15, "D4": 5}, 8, 11),
    }[tier]  # fmt: skip
    level = rnd.choices(list(level_weights), list(level_weights.values()))[0]
    birth, tmt = people.career(age_min, 57, (22, 30), pppk=False)
    floor = {"II.a": 14, "III.a": 11, "IV.a": 9}.get(post.eselon, floor)
    golongan = _pns_golongan(level, people.as_of.year - tmt.year, 4, cap, floor)
    record = _person(people, female, birth, tmt, False)
    record.update(people.degree(level, (), None, birth.year))
    record.update({
        "golongan": golongan, "unit_code": post.unit_code, "position_code": post.code if with_positions else None,
        "position_title": post.title, "tier": tier, "functional_level": None, "eselon": post.eselon,
        "tmt_position": _tmt_position(people, tmt, 5), "bup": None, "career_preference": None,
        "leadership_experience": rnd.choice((None, None, "Ketua Tim Reformasi Birokrasi", "Ketua Satgas Percepatan Investasi",
                                             "Pelatihan Kepemimpinan " + ("Nasional Tingkat II" if tier == "JPT Pratama" else "Administrator"))),
    })  # fmt: skip
    return record


def _functional(people: _People, unit: str, job: Job, pppk_share: float) -> dict[str, Any]:
    rnd = people.rnd
    base, s1_options, d3, has_pemula, female_share = job
    female = rnd.random() < female_share
    pppk = rnd.random() < pppk_share
    ahli = bool(s1_options) and (d3 is None or rnd.random() < 0.45)
    if ahli:
        level = rnd.choices(("S1", "S2", "D4"), (82, 15, 3 if d3 else 0))[0]
        birth, tmt = people.career(23 if not pppk else 24, 57, (22, 35), pppk)
    else:
        level = "D3" if d3 else "SMA"
        if has_pemula and rnd.random() < 0.3:
            level = "SMA"
        birth, tmt = people.career(21, 57, (20, 32), pppk)
    years = people.as_of.year - tmt.year
    if pppk:
        gol_level = _functional_level(
            _pns_golongan(level, years, 3, 11 if not ahli else 14), ahli, has_pemula
        )
        golongan = "X" if gol_level == "Ahli Pertama" and level == "S2" else _PPPK_GOLONGAN[gol_level]
    else:
        golongan = _pns_golongan(level, years, 3, 14 if ahli else 11)
        gol_level = _functional_level(golongan, ahli, has_pemula)
    record = _person(people, female, birth, tmt, pppk)
    record.update(people.degree(level, s1_options, d3, birth.year))
    record.update({
        "golongan": golongan, "unit_code": unit, "position_code": None, "position_title": f"{base} {gol_level}",
        "tier": "Fungsional", "functional_level": gol_level, "eselon": None,
        "tmt_position": _tmt_position(people, tmt), "bup": None, "career_preference": None, "leadership_experience": None,
    })  # fmt: skip
    return record


def _pelaksana(people: _People, unit: str) -> dict[str, Any]:
    rnd = people.rnd
    female = rnd.random() < 0.5
    pppk = rnd.random() < 0.12
    level = rnd.choices(("SMA", "D3", "S1", "SMP"), (42, 18, 37, 3))[0]
    birth, tmt = people.career(20, 57, (19, 30) if level in ("SMA", "SMP") else (22, 35), pppk)
    if pppk:
        golongan = {"SMP": "III", "SMA": "V", "D3": "VII", "S1": "IX"}[level]
    else:
        golongan = _pns_golongan(
            level, people.as_of.year - tmt.year, 4, {"SMP": 7, "SMA": 9, "D3": 10, "S1": 11}[level]
        )
    record = _person(people, female, birth, tmt, pppk)
    record.update(people.degree(level, (), "A.Md." if level == "D3" else None, birth.year))
    record.update({
        "golongan": golongan, "unit_code": unit, "position_code": None, "position_title": rnd.choice(PELAKSANA_TITLES),
        "tier": "Pelaksana", "functional_level": None, "eselon": None, "tmt_position": _tmt_position(people, tmt),
        "bup": None, "career_preference": rnd.choice((None,) * 9 + ("Bersedia ditempatkan di seluruh perangkat daerah",)),
        "leadership_experience": None,
    })  # fmt: skip
    return record


def write_files(
    roster: GeneratedRoster, out: Path, formats: tuple[str, ...] = ("csv", "xlsx"), delimiter: str = ","
) -> list[Path]:
    """Write <out>.csv / <out>.xlsx plus <out>.units.json and <out>.positions.json; returns the paths."""
    from roster.importing import employees_to_csv, employees_to_xlsx

    out.parent.mkdir(parents=True, exist_ok=True)
    written = []
    for fmt in formats:
        path = out.with_suffix(f".{fmt}")
        data = (
            employees_to_csv(roster.employees, delimiter)
            if fmt == "csv"
            else employees_to_xlsx(roster.employees)
        )
        path.write_bytes(data)
        written.append(path)
    for name, items in (("units", roster.units), ("positions", roster.positions)):
        path = out.with_suffix(f".{name}.json")
        path.write_text(json.dumps(items, ensure_ascii=False, indent=1))
        written.append(path)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("n", type=int, help="number of employees")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=Path("roster"), help="path prefix of the files written")
    parser.add_argument("--format", choices=("csv", "xlsx", "both"), default="both")
    parser.add_argument("--delimiter", choices=(",", ";"), default=",", help="CSV delimiter")
    parser.add_argument("--as-of", type=date.fromisoformat, default=AS_OF, help="date the roster describes")
    parser.add_argument("--no-position-codes", action="store_true", help="leave KODE JABATAN empty")
    parser.add_argument(
        "--verify", action="store_true", help="read back and validate each file written, timed"
    )
    args = parser.parse_args()
    started = time.perf_counter()
    roster = generate_roster(args.n, args.seed, args.as_of, with_positions=not args.no_position_codes)
    generated = time.perf_counter()
    formats = ("csv", "xlsx") if args.format == "both" else (args.format,)
    paths = write_files(roster, args.out, formats, args.delimiter)
    done = time.perf_counter()
    print(f"generated {args.n:,} employees, {len(roster.units):,} units, {len(roster.positions):,} positions "
          f"in {generated - started:.2f} s ({args.n / max(generated - started, 1e-9):,.0f} rows/s); "
          f"files written in {done - generated:.2f} s")  # fmt: skip
    print("tiers:", ", ".join(f"{k} {v:,}" for k, v in sorted(roster.stats.items())))
    for path in paths:
        print(f"  {path} ({path.stat().st_size:,} bytes)")
    if args.verify:
        verify(roster, [p for p in paths if p.suffix in (".csv", ".xlsx")])


def verify(roster: GeneratedRoster, paths: list[Path]) -> None:
    """Read each file back and validate it, timing both steps (the figures in docs/ROSTER_IMPORT.md)."""
    from roster.importing import read_rows, validate_rows
    from roster.importing.reader import default_xlsx_backend

    units = {u["code"] for u in roster.units}
    positions = {p["code"] for p in roster.positions}
    n = len(roster.employees)
    for path in paths:
        data = path.read_bytes()
        started = time.perf_counter()
        parsed = read_rows(path.name, data)
        rows = list(parsed.rows)
        read = time.perf_counter()
        parsed.rows = iter(rows)
        result = validate_rows(parsed, units, positions, max(roster.as_of, date.today()))
        done = time.perf_counter()
        backend = f" ({default_xlsx_backend()})" if path.suffix == ".xlsx" else ""
        print(f"{path.name}{backend}: read {read - started:.2f} s ({n / (read - started):,.0f} rows/s), "
              f"validated {done - read:.2f} s ({n / (done - read):,.0f} rows/s): "
              f"{len(result.valid):,} valid, {len(result.errors):,} errors")  # fmt: skip
        if result.errors:
            raise SystemExit(f"generated rows failed validation: {result.errors[:5]}")


if __name__ == "__main__":
    main()
