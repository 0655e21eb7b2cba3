"""Assessment figure: the individual PDF report, ms per participant (goal < 200 ms).

    .venv/bin/python bench/assessment_report.py [--reports 200]

Renders N reports of realistic data (9 standard competencies, 3 technical, 8 potential aspects, 2
materials, recommendations) with report.render_report, against a baseline measured in the same run:
reportlab rendering a one-page PDF that holds one short paragraph (the fixed cost of any PDF).
"""

from __future__ import annotations

import argparse
import io
import time
from datetime import date

from assessment.domain import MATERIALS, POTENTIAL_ASPECTS
from assessment.report import RecommendationLine, ReportData, ScoreLine, render_report
from bakat_common.contracts.competencies import MANAGERIAL, STANDARD_COMPETENCIES
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.platypus import Paragraph, SimpleDocTemplate


def data(i: int) -> ReportData:
    scores = tuple(
        ScoreLine(c, "managerial" if c in MANAGERIAL else "socio_cultural", 2 + (i + n) % 4, 3)
        for n, c in enumerate(STANDARD_COMPETENCIES)
    )
    scores += tuple(ScoreLine(t, "technical", 2 + (i + n) % 4, 3) for n, t in enumerate(("Manajemen ASN", "Analisis Jabatan", "Perencanaan SDM")))
    scores += tuple(ScoreLine(a, "potential", 2 + (i + n) % 4, None) for n, (a, _) in enumerate(POTENTIAL_ASPECTS))
    scores += tuple(ScoreLine(m, "material", 3, None) for m, _ in MATERIALS[:2])
    gaps = {s.instrument: s.required - s.actual for s in scores if s.required and s.actual < s.required}
    return ReportData(
        tenant_name="Pemerintah Kota Mojokerto", participant_name=f"Dr. Siti Rahayu {i}, S.E., M.M.",
        nip=f"19850315201001{2000 + i % 1000:04d}", unit_name="Badan Kepegawaian dan Pengembangan SDM",
        position_title="Kepala Bidang Mutasi dan Promosi", position_code="KABID-MUTASI",
        campaign_name="Pemetaan Eselon IV 2026", method="assessment_center", completed_at=date(2026, 11, 2),
        valid_until=date(2028, 11, 2), version=1, scores=scores, jpm=88.9, jpm_category="Cukup Optimal",
        potential_score=81.5, gaps=gaps,
        recommendations=tuple(RecommendationLine(k, 3 - v, 3, "Pelatihan dan coaching terarah", "training") for k, v in gaps.items()),
    )  # fmt: skip


def baseline_pdf() -> bytes:
    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=A4).build([Paragraph("Laporan", getSampleStyleSheet()["BodyText"])])
    return out.getvalue()


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def main(n: int) -> None:
    render_report(data(0)), baseline_pdf()  # warm up: styles and fonts load once per process
    reports, baselines = [], []
    for i in range(n):
        started = time.perf_counter()
        render_report(data(i))
        reports.append(time.perf_counter() - started)
        started = time.perf_counter()
        baseline_pdf()
        baselines.append(time.perf_counter() - started)
    p50, p99 = pct(reports, 50) * 1000, pct(reports, 99) * 1000
    b50 = pct(baselines, 50) * 1000
    print(f"{n} reports: p50 {p50:.1f} ms, p99 {p99:.1f} ms per participant (goal < 200 ms: {'met' if p99 < 200 else 'NOT met'})")
    print(f"baseline one-paragraph reportlab PDF: p50 {b50:.1f} ms; ratio p50 {p50 / b50:.1f}x")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reports", type=int, default=200)
    main(parser.parse_args().reports)
