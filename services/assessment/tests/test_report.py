"""The individual report renders as a valid 1-2 page A4 PDF holding what the participant needs to read.

The pages are rendered uncompressed and their text read back from the page streams' show-text
operators (reportlab writes each line as one `(...) Tj`), so no PDF-parsing dependency is needed.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

import pytest
from assessment import domain
from assessment.report import RecommendationLine, ReportData, ScoreLine, render_report
from bakat_common.contracts.competencies import MANAGERIAL, STANDARD_COMPETENCIES

TECHNICAL = ("Manajemen ASN", "Analisis Jabatan", "Perencanaan Kebutuhan SDM Aparatur")
KINDS = (
    {c: "managerial" if c in MANAGERIAL else "socio_cultural" for c in STANDARD_COMPETENCIES}
    | {t: "technical" for t in TECHNICAL}
    | {a: "potential" for a, _ in domain.POTENTIAL_ASPECTS}
    | {m: "material" for m, _ in domain.MATERIALS[:2]}
)


def result(
    levels: dict[str, int], required: dict[str, int], kinds: dict[str, str] = KINDS, **changes
) -> ReportData:
    """A report built the way the service builds it, with the service's own rules."""
    jpm = domain.job_person_match(levels, required) if required else None
    data = ReportData(
        tenant_name="Pemerintah Kota Batu",
        participant_name="Ni Luh Putu Ayu Kusumawati, S.Psi., M.Psi.",
        nip="198503152010012003",
        unit_name="Bidang Mutasi & Promosi <BKPSDM>",
        position_title="Kepala Bidang Mutasi dan Promosi",
        position_code="KABID-MUTASI",
        campaign_name="Pemetaan Eselon III 2026",
        method="assessment_center",
        completed_at=date(2026, 11, 2),
        valid_until=date(2028, 11, 2),
        version=1,
        scores=tuple(ScoreLine(c, kinds[c], level, required.get(c)) for c, level in levels.items()),
        jpm=jpm,
        jpm_category=domain.mapping_category(jpm) if jpm is not None else None,
        potential_score=domain.potential_score(jpm, levels, {"jpm": 50, "aspects": 50}),
        gaps=domain.gaps(levels, required),
        recommendations=tuple(
            RecommendationLine(**r)  # type: ignore[arg-type]
            for r in domain.recommendations(levels, required, domain.DEFAULT_DEVELOPMENT_RULES)
        ),
    )
    return replace(data, **changes)


def full() -> ReportData:
    """9 standard competencies, 3 technical, 8 potential aspects, 2 materials; several short."""
    levels = {c: 3 for c in KINDS} | {"Komunikasi": 2, "Pengambilan Keputusan": 2, "Literasi Digital": 2,
                                      "Kecerdasan Emosional": 2, "Analisis Jabatan": 2, "Integritas": 4}  # fmt: skip
    required = {c: 3 for c in STANDARD_COMPETENCIES + TECHNICAL} | {"Integritas": 4}
    return result(levels, required)


# a shown string, or an operator that starts a new line (several Tj on one line are one run of text)
_SHOW = re.compile(rb"\(((?:\\.|[^\\)])*)\)\s*Tj|T\*|\bET\b|\bT[dDm]\b", re.DOTALL)
_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def _unescape(raw: bytes) -> str:
    out, i = bytearray(), 0
    while i < len(raw):
        if raw[i : i + 1] != b"\\":
            out += raw[i : i + 1]
            i += 1
            continue
        octal = re.match(rb"[0-7]{1,3}", raw[i + 1 : i + 4])
        if octal:
            out.append(int(octal.group(), 8))
            i += 1 + len(octal.group())
        else:
            out += _ESCAPES.get(raw[i + 1 : i + 2], raw[i + 1 : i + 2])
            i += 2
    return out.decode("cp1252", errors="replace")  # Helvetica's WinAnsi encoding


def page_text(pdf: bytes) -> str:
    """The text drawn on the pages, lines joined by single spaces (not the document's metadata)."""
    runs = "".join(_unescape(m.group(1)) if m.group(1) is not None else "\n" for m in _SHOW.finditer(pdf))
    return " ".join(runs.split())


def pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf))


def valid(pdf: bytes) -> None:
    assert pdf.startswith(b"%PDF-")
    assert pdf.rstrip().endswith(b"%%EOF")
    assert b"/MediaBox [ 0 0 595.2756 841.8898 ]" in pdf  # A4
    assert 1 <= pages(pdf) <= 2, pages(pdf)


def test_the_report_holds_the_participants_result():
    data = full()
    assert data.jpm == 91.89 and data.jpm_category == "Optimal" and len(data.recommendations) >= 4
    pdf = render_report(data, compress=False)
    valid(pdf)
    text = page_text(pdf)
    for expected in (
        "Laporan Individu Hasil Penilaian Kompetensi",
        "Pemerintah Kota Batu",
        "198503152010012003",
        "Ni Luh Putu Ayu Kusumawati, S.Psi., M.Psi.",
        "Bidang Mutasi & Promosi <BKPSDM>",  # escaped for the paragraph markup, shown as given
        "Kepala Bidang Mutasi dan Promosi (KABID-MUTASI)",
        "2 November 2028",
        "91,89%",  # Indonesian decimal comma
        "Optimal",
        f"{data.potential_score:.2f}".replace(".", ","),
        "Hasil terhadap standar jabatan",  # the chart's heading; its legend follows
        "Standar jabatan",
        "Kesenjangan kompetensi",
        "3 dari 12 kompetensi di bawah standar jabatan",
    ):
        assert expected in text, expected
    for rec in data.recommendations:  # each recommendation, even when its cell wraps
        assert rec.recommendation in text, rec.recommendation
    for line in data.scores:
        assert line.instrument in text, line.instrument


def test_compressed_by_default_and_the_same_result_gives_the_same_bytes():
    data = full()
    pdf = render_report(data)
    valid(pdf)
    assert len(pdf) < len(render_report(data, compress=False))
    assert render_report(data) == pdf  # no timestamps or random ids


def test_without_a_post_standard_there_is_no_jpm_and_no_chart():
    levels = {c: 3 for c in KINDS} | {"Motivasi dan Komitmen": 2}
    data = result(levels, {}, position_title=None, position_code=None, campaign_name=None, method=None)
    assert data.jpm is None and data.gaps == {} and len(data.recommendations) == 1
    pdf = render_report(data, compress=False)
    valid(pdf)
    text = page_text(pdf)
    assert "tidak dihitung" in text and "Hasil terhadap standar jabatan" not in text
    assert "hasil tanpa kegiatan penilaian" in text
    assert "Konseling motivasi kerja" in text and "198503152010012003" in text


@pytest.mark.parametrize(
    "name",
    [
        "Ni Luh Putu Ayu Kusumawati, S.Psi., M.Psi.",
        "José Ramírez Pattiasina, S.H. & <Rekan>",
        "José & <Co>",
        "Dr. (H.C.) Andi \\ Daeng Mangkasara, M.Si.",
    ],
)
def test_names_with_accents_and_markup_characters_are_shown_as_given(name):
    pdf = render_report(replace(full(), participant_name=name), compress=False)
    valid(pdf)
    assert name in page_text(pdf)


def test_characters_helvetica_lacks_do_not_fail_the_report():
    pdf = render_report(replace(full(), participant_name="Łukasz Nguyễn Văn Thành 王"), compress=False)
    valid(pdf)
    assert "198503152010012003" in page_text(pdf)


def test_plain_shapes_are_accepted_and_the_category_follows_the_jpm():
    data = replace(
        full(),
        scores=(("Komunikasi", "managerial", 2, 3), ("Kesadaran Diri", "potential", 4, None)),
        jpm=66.67,
        jpm_category=None,
        gaps={"Komunikasi": 1},
        recommendations=[
            {
                "instrument": "Komunikasi",
                "level": 2,
                "target": 3,
                "recommendation": "Pelatihan public speaking dan komunikasi efektif",
                "kind": "training",
            },
        ],
    )
    assert data.scores[0] == ScoreLine("Komunikasi", "managerial", 2, 3)
    assert isinstance(data.recommendations, tuple) and data.recommendations[0].kind == "training"
    assert data.jpm_category == "Kurang Optimal"
    text = page_text(render_report(data, compress=False))
    assert "66,67%" in text and "Kurang Optimal" in text and "Pelatihan public speaking" in text
    assert "Pelatihan" in text.split("Pelatihan public speaking dan komunikasi efektif", 1)[1]  # kind label


def test_a_requirement_not_rated_shows_as_a_dash_not_level_zero():
    data = replace(full(), scores=full().scores + (ScoreLine("Kearsipan", "technical", 0, 3),),
                   gaps=full().gaps | {"Kearsipan": 3})  # fmt: skip
    text = page_text(render_report(data, compress=False))
    assert "Kearsipan Teknis - 3 -3" in text
    assert "Kearsipan (hasil -, standar 3, kurang 3 level)" in text


def test_a_long_result_still_fits_two_pages():
    technical = tuple(f"Teknis Pengelolaan Kearsipan {n}" for n in range(1, 7))
    kinds = KINDS | dict.fromkeys(technical, "technical") | {m: "material" for m, _ in domain.MATERIALS}
    levels = dict.fromkeys(kinds, 2)
    required = dict.fromkeys((*STANDARD_COMPETENCIES, *TECHNICAL, *technical), 3)
    data = result(levels, required, kinds)
    assert len(data.scores) == 9 + 9 + 8 + len(domain.MATERIALS) and len(data.recommendations) >= 10
    pdf = render_report(data, compress=False)
    valid(pdf)
    text = page_text(pdf)
    assert all(r.recommendation in text for r in data.recommendations)


def test_a_result_too_long_for_two_pages_in_the_normal_look_is_laid_out_compact():
    data = full()
    scores = data.scores + tuple(ScoreLine(f"Teknis Tambahan Nomor {n}", "technical", 2, 3) for n in range(5))
    recs = tuple(
        RecommendationLine(
            f"Instrumen {n}", 2, 3, f"Pelatihan lanjutan pemecahan masalah dan keputusan {n}", "training"
        )
        for n in range(15)
    )
    gaps = {line.instrument: 1 for line in scores if line.required}
    pdf = render_report(replace(data, scores=scores, recommendations=recs, gaps=gaps), compress=False)
    valid(pdf)
    text = page_text(pdf)
    assert "Halaman 2 dari 2" in text and "Teknis Tambahan Nomor 4" in text
    assert all(r.recommendation in text for r in recs)
    assert render_report(full(), compress=False).count(b"/F1 8.5 Tf") > 0  # a typical result: normal type
