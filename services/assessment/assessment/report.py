"""The participant's individual report (Laporan Individu Hasil Penilaian Kompetensi) as PDF: pure, no I/O.

`render_report(ReportData) -> bytes` lays out, in Indonesian (it is the users' document): the identity,
the summary (JPM with its mapping category, the potential score), every instrument's level against the
post's requirement, a bar chart of actual against required level per competency of the standard, the
gaps, and the development recommendations. One page for a typical result, two for a long one.
reportlab with its built-in Helvetica only (no font files); characters Helvetica lacks are drawn with
reportlab's substitute glyph, never an error.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from xml.sax.saxutils import escape

from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.shapes import Drawing, Rect, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    CondPageBreak,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from assessment.domain import mapping_category

KIND_LABELS = {
    "managerial": "Manajerial",
    "socio_cultural": "Sosial Kultural",
    "technical": "Teknis",
    "potential": "Potensi",
    "material": "Materi lain",
}
KIND_ORDER = {kind: n for n, kind in enumerate(KIND_LABELS)}
METHOD_LABELS = {
    "assessment_center": "Assessment Center",
    "cat": "Computer Assisted Test",
    "interview": "Wawancara kesesuaian jabatan",
}
# The development kinds of the tenant's rules (tenant data: an unknown kind is shown as given).
DEVELOPMENT_LABELS = {
    "training": "Pelatihan",
    "coaching": "Coaching",
    "counselling": "Konseling",
    "counseling": "Konseling",
    "mentoring": "Mentoring",
    "rotation": "Rotasi",
    "enrichment": "Pengayaan tugas",
    "study": "Tugas belajar",
}
MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
          "Oktober", "November", "Desember")  # fmt: skip


@dataclass(frozen=True)
class ScoreLine:
    instrument: str  # the instrument code, e.g. "Komunikasi"
    kind: str  # managerial | socio_cultural | technical | potential | material
    actual: int  # integrated level 1-5; 0 = not rated (a requirement added to the post afterwards)
    required: int | None  # the post's required level; None when the standard does not ask for it


@dataclass(frozen=True)
class RecommendationLine:
    instrument: str
    level: int
    target: int
    recommendation: str
    kind: str  # training | coaching | counselling | ... (the tenant's rules)


@dataclass(frozen=True)
class ReportData:
    tenant_name: str
    participant_name: str  # with titles, e.g. "Ni Luh Putu Ayu Kusumawati, S.Psi., M.Psi."
    nip: str
    unit_name: str | None
    position_title: str | None
    position_code: str | None
    campaign_name: str | None  # None: a result recorded without a campaign
    method: str | None  # assessment_center | cat | interview (or a tenant's own)
    completed_at: date
    valid_until: date
    version: int  # the result version (a correction after completion makes a new one)
    scores: tuple[ScoreLine, ...]  # also accepted: (instrument, kind, actual, required) tuples
    jpm: float | None  # None: the participant holds no post with a standard
    jpm_category: str | None  # Optimal / Cukup Optimal / Kurang Optimal; derived from jpm when None
    potential_score: float  # 0-100
    gaps: dict[str, int] = field(default_factory=dict)  # instrument -> shortfall in levels
    recommendations: tuple[RecommendationLine, ...] = ()  # also accepted: mappings with the same keys

    def __post_init__(self) -> None:
        # Accept the plain shapes the result is stored in (tuples, the recommendation dicts).
        scores = tuple(s if isinstance(s, ScoreLine) else ScoreLine(*s) for s in self.scores)
        recs = tuple(
            r if isinstance(r, RecommendationLine) else RecommendationLine(**r)  # type: ignore[arg-type]
            for r in self.recommendations
        )
        object.__setattr__(self, "scores", scores)
        object.__setattr__(self, "recommendations", recs)
        object.__setattr__(self, "gaps", dict(self.gaps))
        if self.jpm is not None and self.jpm_category is None:
            object.__setattr__(self, "jpm_category", mapping_category(self.jpm))


# ---- looks (built once per process) -------------------------------------------------------------

_INK = colors.HexColor("#1f2a36")
_RULE = colors.HexColor("#9aa8b8")
_HEAD_BG = colors.HexColor("#dde6f0")
_LABEL_BG = colors.HexColor("#f1f4f8")
_STANDARD = colors.HexColor("#b9c4d0")
_ACTUAL = colors.HexColor("#2f6fb0")
_SHORT = colors.HexColor("#b03a2e")
_WIDTH = A4[0] - 32 * mm - 12  # the frame: 16 mm margins, 6 pt padding each side


@dataclass(frozen=True)
class _Look:
    """Type sizes and spacing. The normal look first; a long result that would run past two pages is
    laid out again with the compact one (smaller type, tighter rows, thinner bars)."""

    size: float  # body type, pt
    body: ParagraphStyle
    small: ParagraphStyle
    agency: ParagraphStyle
    title: ParagraphStyle
    subtitle: ParagraphStyle
    h2: ParagraphStyle
    big: ParagraphStyle
    pad: tuple
    grid: tuple
    bar: float  # chart height per competency, pt


def _look(name: str, size: float, pad: float, space: float, bar: float) -> _Look:
    body = ParagraphStyle(f"{name}-body", fontName="Helvetica", fontSize=size, leading=size * 1.24,
                          textColor=_INK)  # fmt: skip
    pads = (
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), pad),
        ("BOTTOMPADDING", (0, 0), (-1, -1), pad),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    )
    return _Look(
        size=size,
        body=body,
        small=ParagraphStyle(
            f"{name}-small",
            parent=body,
            fontSize=size - 1,
            leading=(size - 1) * 1.2,
            textColor=colors.HexColor("#4a5866"),
        ),
        agency=ParagraphStyle(
            f"{name}-agency",
            parent=body,
            fontName="Helvetica-Bold",
            fontSize=10,
            leading=12,
            alignment=TA_CENTER,
        ),
        title=ParagraphStyle(
            f"{name}-title",
            parent=body,
            fontName="Helvetica-Bold",
            fontSize=14,
            leading=17,
            alignment=TA_CENTER,
            spaceBefore=1 * mm,
            spaceAfter=1 * mm,
        ),
        subtitle=ParagraphStyle(f"{name}-subtitle", parent=body, alignment=TA_CENTER, spaceAfter=space),
        h2=ParagraphStyle(
            f"{name}-h2",
            parent=body,
            fontName="Helvetica-Bold",
            fontSize=size + 2,
            leading=(size + 2) * 1.24,
            spaceBefore=space,
            spaceAfter=space * 0.43,
        ),
        big=ParagraphStyle(
            f"{name}-big",
            parent=body,
            fontName="Helvetica-Bold",
            fontSize=size + 4.5,
            leading=(size + 4.5) * 1.23,
        ),
        pad=pads,
        grid=(
            *pads,
            ("FONT", (0, 0), (-1, -1), "Helvetica", size),
            ("TEXTCOLOR", (0, 0), (-1, -1), _INK),
            ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", size),
            ("BACKGROUND", (0, 0), (-1, 0), _HEAD_BG),
            ("GRID", (0, 0), (-1, -1), 0.4, _RULE),
        ),
        bar=bar,
    )


_NORMAL = _look("normal", size=8.5, pad=1.6, space=3.5 * mm, bar=12.0)
_COMPACT = _look("compact", size=7.5, pad=0.7, space=2.2 * mm, bar=7.5)


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text), style)


def _date(value: date) -> str:
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def _num(value: float) -> str:
    """Indonesian decimals: 88,90."""
    return f"{value:.2f}".replace(".", ",")


def _short(text: str, limit: int = 42) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


def _level(value: int | None) -> str:
    return "-" if not value else str(value)


# ---- sections -----------------------------------------------------------------------------------


def _identity(data: ReportData, look: _Look) -> Table:
    position = data.position_title or "-"
    if data.position_code:
        position += f" ({data.position_code})"
    method = METHOD_LABELS.get(data.method or "", data.method or "-")
    w = _WIDTH
    rows = [
        ["Nama", _p(data.participant_name, look.body), "", ""],
        ["NIP", data.nip, "Versi hasil", str(data.version)],
        ["Jabatan", _p(position, look.body), "", ""],
        ["Unit kerja", _p(data.unit_name or "-", look.body), "", ""],
        [
            "Kegiatan",
            _p(data.campaign_name or "hasil tanpa kegiatan penilaian", look.body),
            "Metode",
            _p(method, look.body),
        ],
        ["Tanggal selesai", _date(data.completed_at), "Berlaku sampai", _date(data.valid_until)],
    ]
    table = Table(rows, colWidths=[0.17 * w, 0.43 * w, 0.16 * w, 0.24 * w])
    table.setStyle(
        TableStyle(
            [
                *look.pad,
                ("FONT", (0, 0), (-1, -1), "Helvetica", look.size),
                ("TEXTCOLOR", (0, 0), (-1, -1), _INK),
                ("GRID", (0, 0), (-1, -1), 0.4, _RULE),
                ("BACKGROUND", (0, 0), (0, -1), _LABEL_BG),
                ("BACKGROUND", (2, 1), (2, 1), _LABEL_BG),
                ("BACKGROUND", (2, 4), (2, 5), _LABEL_BG),
                ("SPAN", (1, 0), (3, 0)),
                ("SPAN", (1, 2), (3, 2)),
                ("SPAN", (1, 3), (3, 3)),
                ("FONT", (1, 0), (1, 1), "Helvetica-Bold", look.size),
            ]
        )
    )
    return table


def _summary(data: ReportData, look: _Look) -> list:
    if data.jpm is not None:
        jpm, category = f"{_num(data.jpm)}%", data.jpm_category or "-"
    else:
        jpm, category = "-", "tidak dihitung: peserta tidak memegang jabatan yang memiliki standar"
    w = _WIDTH
    table = Table(
        [
            ["Job Person Match (JPM)", "Kategori pemetaan", "Skor potensi (0-100)"],
            [
                _p(jpm, look.big),
                _p(category, look.big if data.jpm is not None else look.body),
                _p(_num(data.potential_score), look.big),
            ],
        ],
        colWidths=[0.3 * w, 0.4 * w, 0.3 * w],
    )
    table.setStyle(TableStyle(look.grid))
    note = _p(
        "JPM = jumlah min(hasil, standar) / jumlah standar x 100. Kategori pemetaan: Optimal >= 90, "
        "Cukup Optimal 78 - < 90, Kurang Optimal < 78.",
        look.small,
    )
    return [table, Spacer(0, 1 * mm), note]


def _scores(data: ReportData, lines: Sequence[ScoreLine], look: _Look) -> Table:
    rows: list[list] = [["No", "Instrumen", "Kelompok", "Hasil", "Standar", "Kesenjangan"]]
    short: list[int] = []
    for n, line in enumerate(lines, start=1):
        gap = data.gaps.get(line.instrument)
        if gap:
            short.append(n)
        rows.append(
            [
                str(n),
                _p(line.instrument, look.body),
                KIND_LABELS.get(line.kind, line.kind),
                _level(line.actual),
                _level(line.required),
                f"-{gap}" if gap else "",
            ]
        )
    w = _WIDTH
    table = Table(rows, colWidths=[0.06 * w, 0.44 * w, 0.17 * w, 0.1 * w, 0.11 * w, 0.12 * w], repeatRows=1)
    style = [*look.grid, ("ALIGN", (3, 0), (-1, -1), "CENTER"), ("ALIGN", (0, 0), (0, -1), "RIGHT")]
    for n in short:
        style += [("TEXTCOLOR", (3, n), (3, n), _SHORT), ("TEXTCOLOR", (5, n), (5, n), _SHORT),
                  ("FONT", (5, n), (5, n), "Helvetica-Bold", look.size)]  # fmt: skip
    table.setStyle(TableStyle(style))
    return table


def _chart(lines: Sequence[ScoreLine], look: _Look) -> Drawing:
    """Grouped horizontal bars, actual against required level, per competency of the standard (read
    from the top down, in the order of the table)."""
    bar_area = (look.bar if len(lines) <= 15 else min(look.bar, 10.0)) * len(lines)
    width = _WIDTH
    drawing = Drawing(width, bar_area + 42)
    chart = HorizontalBarChart()
    chart.x, chart.y = 66 * mm, 22
    chart.width, chart.height = width - 66 * mm - 6 * mm, bar_area
    chart.data = [[line.required or 0 for line in lines], [line.actual for line in lines]]
    chart.categoryAxis.categoryNames = [_short(line.instrument) for line in lines]
    chart.categoryAxis.reverseDirection = 1
    chart.categoryAxis.labels.fontName = "Helvetica"
    chart.categoryAxis.labels.fontSize = min(7.0, 0.85 * bar_area / len(lines))  # no overlap when compact
    chart.categoryAxis.labels.dx = -3
    chart.categoryAxis.labels.textAnchor = "end"
    chart.categoryAxis.strokeColor = _RULE
    chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, 5, 1
    chart.valueAxis.labels.fontName = "Helvetica"
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.strokeColor = _RULE
    chart.valueAxis.visibleGrid = 1
    chart.valueAxis.gridStrokeColor = colors.HexColor("#e3e8ee")
    chart.valueAxis.gridStrokeWidth = 0.4
    chart.bars.strokeColor = None
    chart.bars[0].fillColor = _STANDARD
    chart.bars[1].fillColor = _ACTUAL
    chart.barSpacing, chart.groupSpacing = 0.6, 3
    drawing.add(chart)
    # legend above the bars
    top = bar_area + 22 + 8
    for x, fill, label in ((66 * mm, _ACTUAL, "Hasil"), (66 * mm + 60, _STANDARD, "Standar jabatan")):
        drawing.add(Rect(x, top, 9, 6, fillColor=fill, strokeColor=None))
        drawing.add(String(x + 12, top + 0.5, label, fontName="Helvetica", fontSize=7.5, fillColor=_INK))
    drawing.add(String(chart.x + chart.width / 2, 0, "Level (1-5)", fontName="Helvetica", fontSize=7,
                       textAnchor="middle", fillColor=_INK))  # fmt: skip
    return drawing


def _gaps(data: ReportData, lines: Sequence[ScoreLine], look: _Look) -> list:
    """In words (the table above already marks each shortfall): the largest gaps first."""
    if not data.gaps:
        if data.jpm is None:
            return [_p("Tidak dihitung: peserta tidak memegang jabatan yang memiliki standar.", look.body)]
        return [_p("Tidak ada: semua kompetensi memenuhi standar jabatan.", look.body)]
    by_code = {line.instrument: line for line in lines}
    required = sum(1 for line in lines if line.required is not None)
    items = []
    for code, gap in sorted(data.gaps.items(), key=lambda item: (-item[1], item[0])):
        line = by_code.get(code)
        levels = f"hasil {_level(line.actual)}, standar {_level(line.required)}, " if line else ""
        items.append(f"<b>{escape(code)}</b> ({levels}kurang {gap} level)")
    head = (
        f"{len(data.gaps)} dari {required} kompetensi di bawah standar jabatan, "
        f"jumlah kekurangan {sum(data.gaps.values())} level: "
    )
    return [Paragraph(escape(head) + "; ".join(items) + ".", look.body)]


def _recommendations(data: ReportData, look: _Look) -> list:
    if not data.recommendations:
        return [_p("Tidak ada: semua instrumen memenuhi standar jabatan dan ambang pengembangan.", look.body)]
    rows: list[list] = [["No", "Instrumen", "Hasil / target", "Rekomendasi pengembangan", "Jenis"]]
    for n, r in enumerate(data.recommendations, start=1):
        rows.append(
            [
                str(n),
                _p(r.instrument, look.body),
                f"{r.level} / {r.target}",
                _p(r.recommendation, look.body),
                _p(DEVELOPMENT_LABELS.get(r.kind, r.kind), look.body),
            ]
        )
    w = _WIDTH
    table = Table(rows, colWidths=[0.06 * w, 0.25 * w, 0.11 * w, 0.46 * w, 0.12 * w], repeatRows=1)
    table.setStyle(
        TableStyle([*look.grid, ("ALIGN", (2, 0), (2, -1), "CENTER"), ("ALIGN", (0, 0), (0, -1), "RIGHT")])
    )
    return [table]


class _NumberedCanvas(Canvas):
    """Holds the pages back until the end so the footer can say "halaman N dari M". The document's
    creation date is the result's completion date (no clock: the same result gives the same bytes)."""

    def __init__(self, *args, footer: str = "", dated: date | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._footer = footer
        self._pages: list[dict] = []
        if dated is not None:
            self.setDateFormatter(lambda *_: f"D:{dated:%Y%m%d}")

    def showPage(self) -> None:  # reportlab's name
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for number, state in enumerate(self._pages, start=1):
            self.__dict__.update(state)
            self.setFont("Helvetica", 7)
            self.setFillColor(colors.HexColor("#6b7885"))
            self.drawString(16 * mm, 8 * mm, self._footer)
            self.drawRightString(A4[0] - 16 * mm, 8 * mm, f"Halaman {number} dari {total}")
            super().showPage()
        super().save()


def render_report(data: ReportData, *, compress: bool = True) -> bytes:
    """The PDF bytes of the participant's report (A4; `compress=False` leaves the page streams readable).

    One page for a typical result, two for a long one: a result that would run past two pages in the
    normal look is laid out again in the compact one (nothing is left out, so an extreme result, e.g.
    dozens of technical competencies, may still take a third page)."""
    pdf, pages = _build(data, _NORMAL, compress)
    if pages > 2:
        pdf, _ = _build(data, _COMPACT, compress)
    return pdf


def _build(data: ReportData, look: _Look, compress: bool) -> tuple[bytes, int]:
    lines = sorted(data.scores, key=lambda s: KIND_ORDER.get(s.kind, len(KIND_ORDER)))  # stable
    standard = [line for line in lines if line.required is not None]
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=16 * mm,
        rightMargin=16 * mm,
        topMargin=13 * mm,
        bottomMargin=14 * mm,
        title=f"Laporan Individu Hasil Penilaian Kompetensi - {data.nip}",
        author=data.tenant_name,
        creator="Bakat",
        pageCompression=1 if compress else 0,
        invariant=1,  # no clock or random file id (the dates say when the result was completed)
    )
    story: list = [
        _p(data.tenant_name, look.agency),
        _p("Laporan Individu Hasil Penilaian Kompetensi", look.title),
        _p("Rahasia: memuat data pribadi (UU 27/2022 tentang Pelindungan Data Pribadi)", look.subtitle),
        _identity(data, look),
        _p("Ringkasan", look.h2),
        *_summary(data, look),
        CondPageBreak(40 * mm),
        _p("Hasil per kompetensi dan aspek", look.h2),
        _scores(data, lines, look),
    ]
    if standard:
        chart = _chart(standard, look)
        story.append(KeepTogether([_p("Hasil terhadap standar jabatan", look.h2), chart]))
    story += [CondPageBreak(25 * mm), _p("Kesenjangan kompetensi", look.h2), *_gaps(data, lines, look)]
    story += [CondPageBreak(25 * mm), _p("Rekomendasi pengembangan", look.h2), *_recommendations(data, look)]
    footer = f"Laporan Individu - NIP {data.nip} - versi hasil {data.version}"

    def canvasmaker(*args, **kwargs) -> _NumberedCanvas:
        return _NumberedCanvas(*args, footer=footer, dated=data.completed_at, **kwargs)

    doc.build(story, canvasmaker=canvasmaker)
    return out.getvalue(), doc.page
