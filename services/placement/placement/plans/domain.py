"""Development plan rules with no I/O: the suggested plan of an employee (the box's treatment and the
assessment's development needs as typed items), box names, and which status changes and dates are sane.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from placement.domain import NINE_BOX, RECOMMENDATIONS

KINDS = ("training", "coaching", "counselling", "rotation", "promotion", "placement", "award", "other")
STATUSES = ("planned", "in_progress", "done", "cancelled")
OPEN_STATUSES = frozenset({"planned", "in_progress"})
CLOSED_STATUSES = frozenset({"done", "cancelled"})

# The per-box treatment of DESIGN.md (domain.RECOMMENDATIONS) as plan item kinds. Guidance is coaching
# (Kota Batu runs it as coaching sessions); "retention" is kept as a plan item of kind other so the
# officer sees it, though it is an HR decision more than an activity.
TREATMENT_KINDS: Mapping[str, str] = {
    "promotion and retention": "promotion",
    "national/agency succession": "promotion",
    "award": "award",
    "retention": "other",
    "succession": "promotion",
    "rotation": "rotation",
    "performance guidance": "coaching",
    "rotation/enrichment": "rotation",
    "competency development": "training",
    "study assignment": "training",
    "suitable placement": "placement",
    "performance guidance and counselling": "counselling",
    "guidance": "coaching",
    "counselling": "counselling",
    "handled per regulation": "other",
}
GENERIC_DEVELOPMENT = "competency development"  # covered by the specific items when a result names gaps

# Kinds assessment's development rules use that are not plan kinds: an assignment (penugasan) is job
# enrichment, which the box treatment calls rotation/enrichment.
KIND_ALIASES: Mapping[str, str] = {
    "assignment": "rotation",
    "counseling": "counselling",
    "mentoring": "coaching",
    "pelatihan": "training",
    "konseling": "counselling",
}

_PERFORMANCE_WORDS = {
    "above": "above expectation",
    "meets": "meets expectation",
    "below": "below expectation",
}
BOX_NAMES: Mapping[int, str] = {
    box: f"{box} — {potential} potential, {_PERFORMANCE_WORDS[performance]}"
    for (performance, potential), box in NINE_BOX.items()
}


def box_name(box: int) -> str:
    """'9 — high potential, above expectation'."""
    return BOX_NAMES[box]


def plan_kind(kind: str) -> str:
    k = kind.strip().lower()
    if k in KINDS:
        return k
    return KIND_ALIASES.get(k, "other")


def treatment_kind(text: str) -> str:
    return TREATMENT_KINDS.get(text, "other")  # a treatment added later still shows, as other


def suggestion_key(kind: str, title: str) -> str:
    """Stable across requests so a suggestion, once adopted, is recognised: kind and slug of the title."""
    slug = re.sub(r"[^0-9a-z]+", "-", title.lower()).strip("-")
    return f"{kind}:{slug}"[:200]


def cycle_of(assessment_id: str | None, skp_year: int | None) -> str:
    """The inputs a suggestion comes from: a suggestion is adopted at most once per cycle."""
    return f"assessment {assessment_id or '-'}, SKP {skp_year if skp_year is not None else '-'}"


@dataclass(frozen=True)
class Suggestion:
    key: str
    title: str
    kind: str
    source: str  # "box 3", "gap: Komunikasi 2 < 3" (several joined by "; ")


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def suggested_plan(
    box: int | None,
    development: Iterable[Mapping],
    gaps: Mapping[str, int] | None = None,
    scores: Mapping[str, int] | None = None,
) -> list[Suggestion]:
    """The box's treatment (None: not placed yet) merged with the assessment's development needs
    ({instrument, level, target, recommendation, kind}) and the gaps no need covers, de-duplicated
    by kind and title; the box's generic "competency development" gives way to specific items."""
    gaps, scores = gaps or {}, scores or {}
    specific: dict[str, Suggestion] = {}

    def add(kind: str, title: str, source: str) -> None:
        key = suggestion_key(kind, title)
        if key in specific:
            old = specific[key]
            if source not in old.source.split("; "):
                specific[key] = Suggestion(key, old.title, kind, f"{old.source}; {source}")
        else:
            specific[key] = Suggestion(key, title, kind, source)

    covered: set[str] = set()
    for need in development:
        instrument = str(need["instrument"])
        covered.add(instrument)
        add(
            plan_kind(str(need["kind"])),
            str(need["recommendation"]),
            f"gap: {instrument} {need['level']} < {need['target']}",
        )
    for instrument, gap in sorted(gaps.items()):
        if instrument in covered or gap <= 0:
            continue
        actual = scores.get(instrument)
        source = (
            f"gap: {instrument} {actual} < {actual + gap}"
            if actual is not None
            else f"gap: {instrument} {gap} below the standard"
        )
        add("training", f"Competency development: {instrument}", source)

    out: list[Suggestion] = []
    seen: set[str] = set()
    for text in RECOMMENDATIONS.get(box, ()) if box is not None else ():
        if text == GENERIC_DEVELOPMENT and specific:
            continue
        kind = treatment_kind(text)
        title = _capitalised(text)
        key = suggestion_key(kind, title)
        if key not in seen and key not in specific:
            seen.add(key)
            out.append(Suggestion(key, title, kind, f"box {box}"))
    return out + list(specific.values())


def pending(suggestions: Iterable[Suggestion], adopted_keys: Iterable[str]) -> list[Suggestion]:
    taken = set(adopted_keys)
    return [s for s in suggestions if s.key not in taken]


def check_dates(start: date | None, due: date | None) -> str | None:
    """Why the dates are not sane, or None."""
    if start is not None and due is not None and due < start:
        return f"due date {due.isoformat()} is before start date {start.isoformat()}"
    return None


def check_transition(current: str, new: str, reason: str | None) -> str | None:
    """Why the status change is refused, or None. Any known status may follow any other, but an item
    leaves done or cancelled (reopened) only with a reason, so the record says why."""
    if new not in STATUSES:
        return f"unknown status {new!r}; one of {', '.join(STATUSES)}"
    if current in CLOSED_STATUSES and new != current and not (reason and reason.strip()):
        return f"a {current} item goes back to {new} only with a reason"
    return None
