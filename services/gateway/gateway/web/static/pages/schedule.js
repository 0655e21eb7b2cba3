// Assessment schedules: the solver's verdict and, when a request cannot be met, its reasons in the
// officer's terms; the calendar of assessment days by room with participants and assessors; the
// downloads (XLSX for the agency, iCalendar per assessor).

import { api, download, tenantPath } from "../api.js";
import { clear, errorBox, h } from "../dom.js";
import { formatDate, t } from "../i18n.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const REFRESH_MS = 1000;

export async function render(main, ctx) {
  const base = tenantPath(ctx.tenant, "");
  const schedules = await api(`${base}/schedules`, { query: { limit: 50 } });
  const asked = new URLSearchParams(location.hash.split("?")[1] || "").get("id");
  const chosen = asked && UUID.test(asked) ? asked : schedules[0]?.id; // an id from the URL goes into a path
  const detail = h("section", { class: "schedule", "data-testid": "schedule-detail" });
  clear(main,
    h("div", { class: "two-columns wide-right" },
      h("section", {},
        h("h2", {}, t("schedules")),
        schedules.length
          ? h("ul", { class: "schedules", "data-testid": "schedules" }, schedules.map((s) => h("li", { class: s.id === chosen ? "current" : "" },
            h("a", { href: `#/schedule?id=${s.id}`, "data-testid": `schedule-${s.id}` }, s.name),
            h("span", { class: `verdict ${s.status}` }, ` ${verdict(s)}`),
            h("span", { class: "muted" }, ` · ${t("participants_n", { count: s.participants })} · ${formatDate(s.created_at)}`))))
          : h("p", { class: "muted" }, t("none"))),
      detail));
  if (chosen) await showSchedule(base, chosen, detail, ctx);
}

function verdict(s) {
  if (s.status === "solving") return t("verdict_solving", { percent: Math.round((s.progress || 0) * 100) });
  return t(`verdict_${s.status}`);
}

async function showSchedule(base, id, target, ctx) {
  try {
    const [s, days] = await Promise.all([api(`${base}/schedules/${id}`), api(`${base}/schedules/${id}/days`)]);
    if (["queued", "solving"].includes(s.status)) {
      // Still being solved: look again shortly, while this page is still the one shown.
      setTimeout(() => { if (ctx.current()) showSchedule(base, id, target, ctx); }, REFRESH_MS);
    }
    const assessors = new Map();
    for (const day of days) for (const session of day.sessions) for (const a of session.assessors) assessors.set(a.id, a.name);
    const outcome = h("div", { "aria-live": "polite" });
    const fail = (error) => clear(outcome, errorBox(error, t));
    clear(target,
      h("h2", {}, s.name),
      h("p", { class: `verdict-line ${s.status}`, "data-testid": "verdict" }, verdict(s)),
      s.reasons.length ? h("ul", { class: "reasons", "data-testid": "schedule-reasons" }, s.reasons.map((r) => h("li", {}, r))) : null,
      s.days_used != null ? h("p", { "data-testid": "days-used" }, t("days_used", { days: s.days_used, bound: s.lower_bound_days, greedy: s.greedy_days ?? "—" })) : null,
      days.length
        ? h("div", { class: "downloads" },
          h("button", { "data-testid": "download-xlsx", onclick: () => download(`${base}/schedules/${id}/export.xlsx`, `jadwal-${id}.xlsx`).catch(fail) }, t("download_xlsx")),
          [...assessors].map(([aid, name]) => h("button", { class: "secondary", "data-testid": `download-ics-${aid}`,
            onclick: () => download(`${base}/schedules/${id}/assessors/${aid}/calendar.ics`, `asesor-${aid}.ics`).catch(fail) },
          `${t("download_ics")}: ${name}`)))
        : null,
      outcome,
      days.length ? h("div", { class: "calendar", "data-testid": "calendar" }, days.map(dayView)) : (s.days_used != null ? h("p", { class: "muted" }, t("no_days")) : null));
  } catch (error) {
    clear(target, errorBox(error, t));
  }
}

function dayView(day) {
  const rooms = new Map();
  for (const session of day.sessions) {
    const key = `${session.venue} · ${session.room}`;
    if (!rooms.has(key)) rooms.set(key, []);
    rooms.get(key).push(session);
  }
  return h("article", { class: "day", "data-testid": `day-${day.day}` },
    h("h3", {}, formatDate(day.day)),
    h("p", { class: "muted" }, `${t("participants_n", { count: day.participants })} · ${t("assessors_n", { count: day.assessors })}`),
    [...rooms].map(([room, sessions]) => h("section", { class: "room" },
      h("h4", {}, room),
      sessions.map((session, i) => h("div", { class: "group" },
        h("p", {}, h("strong", {}, `${t("assessors")}: `), session.assessors.map((a) => a.name).join(", ")),
        h("p", {}, h("strong", {}, `${t("participants")} (${session.participants.length}): `),
          session.participants.map((p) => p.name).join(", ")))))));
}
