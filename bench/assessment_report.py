"""Assessment figure: the individual PDF report, ms per participant (goal < 200 ms).

    .venv/bin/python bench/assessment_report.py [--reports 200]

Renders N reports of realistic, varied results (9 standard competencies, 3 technical, 8 potential
aspects, 2 materials; JPM, category, gaps, potential score and recommendations computed with the
service's own rules in assessment.domain) with report.render_report, as the API does (compressed).
Baseline, measured in the same run and interleaved with the reports: reportlab rendering a one-page
PDF holding one short paragraph, i.e. the fixed cost of any reportlab PDF; the ratio says what the
report's content costs on top of it.
"""

from __future__ import annotations

import argparse
import io
import time
from datetime import date

from assessment import domain
from assessment.report import ReportData, ScoreLine, render_report
from bakat_common.contracts.competencies import MANAGERIAL, STANDARD_COMPETENCIES
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.platypus import Paragraph, SimpleDocTemplate

TECHNICAL = ("Manajemen ASN", "Analisis Jabatan", "Perencanaan Kebutuhan SDM Aparatur")
NAMES = ("Dr. Siti Rahayu, S.E., M.M.", "Ni Luh Putu Ayu Kusumawati, S.Psi., M.Psi.",
         "Ir. Bambang Hadi Prasetyo, M.T.", "Andi Muhammad Fadli, S.STP., M.Si.", "René Pattiasina, S.H.")  # fmt: skip


def data(i: int) -> ReportData:
    required = {c: 3 for c in STANDARD_COMPETENCIES} | {t: 3 for t in TECHNICAL}
    required["Integritas"] = 4
    kinds = {c: "managerial" if c in MANAGERIAL else "socio_cultural" for c in STANDARD_COMPETENCIES}
    kinds |= {t: "technical" for t in TECHNICAL}
    kinds |= {a: "potential" for a, _ in domain.POTENTIAL_ASPECTS}
    kinds |= {m: "material" for m, _ in domain.MATERIALS[:2]}
    levels = {code: 2 + (i * 7 + n * 3) % 4 for n, code in enumerate(kinds)}  # 2..5, varies per report
    jpm = domain.job_person_match(levels, required)
    return ReportData(
        tenant_name="Pemerintah Kota Mojokerto",
        participant_name=NAMES[i % len(NAMES)],
        nip=f"19850315201001{1000 + i % 9000:04d}",
        unit_name="Badan Kepegawaian dan Pengembangan Sumber Daya Manusia",
        position_title="Kepala Sub Bidang Mutasi dan Promosi",
        position_code="KASUBBID-MUTASI",
        campaign_name="Pemetaan Eselon IV 2026",
        method="assessment_center",
        completed_at=date(2026, 11, 2),
        valid_until=date(2028, 11, 2),
        version=1 + i % 2,
        scores=tuple(ScoreLine(code, kind, levels[code], required.get(code)) for code, kind in kinds.items()),
        jpm=jpm,
        jpm_category=domain.mapping_category(jpm),
        potential_score=domain.potential_score(jpm, levels, {"jpm": 50, "aspects": 50}),
        gaps=domain.gaps(levels, required),
        recommendations=tuple(domain.recommendations(levels, required, domain.DEFAULT_DEVELOPMENT_RULES)),
    )


def baseline_pdf() -> bytes:
    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=A4).build([Paragraph("Laporan", getSampleStyleSheet()["BodyText"])])
    return out.getvalue()


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def main(n: int) -> None:
    inputs = [data(i) for i in range(n)]
    render_report(inputs[0]), baseline_pdf()  # warm up: styles and font metrics load once per process
    reports, baselines, sizes = [], [], []
    for item in inputs:
        started = time.perf_counter()
        pdf = render_report(item)
        reports.append(time.perf_counter() - started)
        sizes.append(len(pdf))
        started = time.perf_counter()
        baseline_pdf()
        baselines.append(time.perf_counter() - started)
    p50, p99 = pct(reports, 50) * 1000, pct(reports, 99) * 1000
    b50, b99 = pct(baselines, 50) * 1000, pct(baselines, 99) * 1000
    verdict = "met" if p99 < 200 else "NOT met"
    recs = sum(len(item.recommendations) for item in inputs) / n
    print(f"{n} reports ({len(inputs[0].scores)} instruments, {recs:.1f} recommendations on average, "
          f"{sum(sizes) / n / 1024:.1f} KiB each)")  # fmt: skip
    print(f"report: p50 {p50:.1f} ms, p99 {p99:.1f} ms per participant (goal < 200 ms: {verdict})")
    print(
        f"baseline, reportlab one-page PDF with one short paragraph, same run: p50 {b50:.2f} ms, p99 {b99:.2f} ms"
    )
    print(f"ratio report / baseline: p50 {p50 / b50:.1f}x, p99 {p99 / b99:.1f}x")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--reports", type=int, default=200)
    main(parser.parse_args().reports)
