"""The individual report renders as a valid PDF holding what the participant needs to read."""

from __future__ import annotations

from datetime import date

from assessment.report import RecommendationLine, ReportData, ScoreLine, render_report
from bakat_common.contracts.competencies import STANDARD_COMPETENCIES


def sample(**changes) -> ReportData:
    scores = tuple(ScoreLine(c, "managerial", 3 if c != "Komunikasi" else 2, 3) for c in STANDARD_COMPETENCIES)
    scores += (ScoreLine("Manajemen ASN", "technical", 4, 3), ScoreLine("Kecerdasan Emosional", "potential", 4, None))
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
        scores=scores,
        jpm=96.67,
        jpm_category="Optimal",
        potential_score=93.33,
        gaps={"Komunikasi": 1},
        recommendations=(
            RecommendationLine("Komunikasi", 2, 3, "Pelatihan public speaking dan komunikasi efektif", "training"),
        ),
    )
    return ReportData(**{**data.__dict__, **changes})


def pages(pdf: bytes) -> int:
    return pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages")


def test_the_report_is_a_pdf_with_the_participants_result():
    pdf = render_report(sample(), compress=False)
    assert pdf.startswith(b"%PDF") and pdf.rstrip().endswith(b"%%EOF")
    assert 1 <= pages(pdf) <= 2
    for text in (b"198503152010012003", b"Ni Luh Putu Ayu Kusumawati", b"96.67", b"Optimal", b"public speaking"):
        assert text in pdf, text


def test_no_post_and_unusual_names_render():
    pdf = render_report(
        sample(participant_name="José & <Co>", position_title=None, position_code=None, jpm=None, jpm_category=None,
               campaign_name=None, method=None, gaps={}, recommendations=()),
        compress=False,
    )  # fmt: skip
    assert pdf.startswith(b"%PDF") and b"tanpa kampanye" in pdf
