"""The participant's individual report (Laporan Individu) as PDF: pure, no I/O.

In Indonesian: it is the users' document. reportlab with its built-in Helvetica (no font files).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date
from xml.sax.saxutils import escape

from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

KIND_LABELS = {
    "managerial": "Manajerial",
    "socio_cultural": "Sosial Kultural",
    "technical": "Teknis",
    "potential": "Potensi",
    "material": "Materi lain",
}
METHOD_LABELS = {
    "assessment_center": "Assessment Center",
    "cat": "Computer Assisted Test",
    "interview": "Wawancara kesesuaian jabatan",
}


@dataclass(frozen=True)
class ScoreLine:
    instrument: str
    kind: str
    actual: int
    required: int | None


@dataclass(frozen=True)
class RecommendationLine:
    instrument: str
    level: int
    target: int
    recommendation: str
    kind: str


@dataclass(frozen=True)
class ReportData:
    tenant_name: str
    participant_name: str
    nip: str
    unit_name: str | None
    position_title: str | None
    position_code: str | None
    campaign_name: str | None
    method: str | None
    completed_at: date
    valid_until: date
    version: int
    scores: tuple[ScoreLine, ...]
    jpm: float | None
    jpm_category: str | None
    potential_score: float
    gaps: dict[str, int] = field(default_factory=dict)
    recommendations: tuple[RecommendationLine, ...] = ()


_STYLES = getSampleStyleSheet()
_TITLE = ParagraphStyle("title", parent=_STYLES["Title"], fontSize=15, spaceAfter=2 * mm)
_H2 = ParagraphStyle("h2", parent=_STYLES["Heading2"], fontSize=11, spaceBefore=3 * mm, spaceAfter=1.5 * mm)
_BODY = ParagraphStyle("body", parent=_STYLES["BodyText"], fontSize=9, leading=11)
_GRID = TableStyle(
    [
        ("FONT", (0, 0), (-1, -1), "Helvetica", 8.5),
        ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 8.5),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#dde6f0")),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#9aa8b8")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
    ]
)


def _p(text: str, style: ParagraphStyle = _BODY) -> Paragraph:
    return Paragraph(escape(text), style)


def _date(value: date) -> str:
    months = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
              "Oktober", "November", "Desember")  # fmt: skip
    return f"{value.day} {months[value.month - 1]} {value.year}"


def _chart(lines: list[ScoreLine]) -> Drawing:
    """Actual against required level per competency of the post's standard."""
    height = 16 + 11 * len(lines)
    drawing = Drawing(170 * mm, height + 16)
    chart = HorizontalBarChart()
    chart.x, chart.y = 62 * mm, 12
    chart.width, chart.height = 100 * mm, height
    chart.data = [[line.required or 0 for line in lines], [line.actual for line in lines]]
    chart.categoryAxis.categoryNames = [line.instrument[:40] for line in lines]
    chart.categoryAxis.labels.fontSize = 6.5
    chart.categoryAxis.labels.dx = -2
    chart.categoryAxis.labels.textAnchor = "end"
    chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, 5, 1
    chart.valueAxis.labels.fontSize = 7
    chart.bars[0].fillColor = colors.HexColor("#b9c4d0")
    chart.bars[1].fillColor = colors.HexColor("#2f6fb0")
    chart.barSpacing, chart.groupSpacing = 0.5, 3
    drawing.add(chart)
    drawing.add(String(62 * mm, 2, "abu-abu: standar jabatan   biru: hasil", fontSize=7))
    return drawing


def render_report(data: ReportData, *, compress: bool = True) -> bytes:
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=16 * mm,
        rightMargin=16 * mm,
        topMargin=14 * mm,
        bottomMargin=14 * mm,
        title=f"Laporan Individu {data.nip}",
        author=data.tenant_name,
        pageCompression=1 if compress else 0,
    )
    story: list = [
        _p("Laporan Individu Hasil Penilaian Kompetensi", _TITLE),
        _p(f"{data.tenant_name}" + (f" - {data.campaign_name}" if data.campaign_name else "")),
        Spacer(0, 3 * mm),
    ]
    identity = [
        ("Nama", data.participant_name),
        ("NIP", data.nip),
        ("Unit kerja", data.unit_name or "-"),
        (
            "Jabatan",
            f"{data.position_title or '-'}" + (f" ({data.position_code})" if data.position_code else ""),
        ),
        ("Metode", METHOD_LABELS.get(data.method or "", data.method or "hasil dari luar (tanpa kampanye)")),
        ("Tanggal selesai", _date(data.completed_at)),
        ("Berlaku sampai", _date(data.valid_until)),
        ("Versi hasil", str(data.version)),
    ]
    table = Table([[_p(k), _p(v)] for k, v in identity], colWidths=[38 * mm, 140 * mm])
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#9aa8b8"))]))
    story += [table, _p("Ringkasan", _H2)]
    jpm = (
        f"{data.jpm:.2f}% ({data.jpm_category})"
        if data.jpm is not None
        else "- (tidak memegang jabatan berstandar)"
    )
    summary = Table(
        [["Job Person Match (JPM)", "Skor potensi"], [jpm, f"{data.potential_score:.2f}"]],
        colWidths=[89 * mm, 89 * mm],
    )
    summary.setStyle(_GRID)
    story.append(summary)

    story.append(_p("Hasil per kompetensi dan aspek", _H2))
    rows = [["Instrumen", "Kelompok", "Hasil", "Standar", "Kesenjangan"]]
    for line in data.scores:
        gap = data.gaps.get(line.instrument)
        rows.append(
            [
                _p(line.instrument),
                KIND_LABELS.get(line.kind, line.kind),
                str(line.actual),
                "-" if line.required is None else str(line.required),
                f"-{gap}" if gap else "",
            ]
        )
    scores = Table(rows, colWidths=[78 * mm, 30 * mm, 20 * mm, 22 * mm, 28 * mm], repeatRows=1)
    scores.setStyle(_GRID)
    story.append(scores)

    standard = [line for line in data.scores if line.required is not None]
    if standard:
        story += [_p("Hasil terhadap standar jabatan", _H2), _chart(standard)]

    story.append(_p("Rekomendasi pengembangan", _H2))
    if data.recommendations:
        recs = [["Instrumen", "Level / target", "Rekomendasi", "Jenis"]]
        for r in data.recommendations:
            recs.append([_p(r.instrument), f"{r.level} / {r.target}", _p(r.recommendation), r.kind])
        table = Table(recs, colWidths=[50 * mm, 24 * mm, 80 * mm, 24 * mm], repeatRows=1)
        table.setStyle(_GRID)
        story.append(table)
    else:
        story.append(_p("Tidak ada: semua instrumen memenuhi standar dan ambang pengembangan."))
    doc.build(story)
    return out.getvalue()
