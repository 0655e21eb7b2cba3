// The nine-box of a unit and tier: counts and members per box (DESIGN.md numbering), a person's
// placement explained with history and development plan, and calibration moves for officers (drag a
// person onto another box or choose one, with a reason; a second officer approves the session).

import { api, tenantPath } from "../api.js";
import { clear, errorBox, h, table } from "../dom.js";
import { boxName, boxShortName, explain, formatDate, formatNumber, recommendation, t } from "../i18n.js";

// Rows top to bottom = performance above, meets, below; columns left to right = potential low, middle, high.
const GRID = [[4, 7, 9], [2, 5, 8], [1, 3, 6]];
const ROWS = ["perf_above", "perf_meets", "perf_below"];
const COLUMNS = ["pot_low", "pot_middle", "pot_high"];
const TIERS = ["JPT Utama", "JPT Madya", "JPT Pratama", "Administrator", "Pengawas", "Pelaksana", "Fungsional"];
const POOL = new Set([7, 8, 9]);
const PER_BOX = 12;

export async function render(main, ctx) {
  const params = new URLSearchParams(location.hash.split("?")[1] || "");
  const filters = { unit: params.get("unit") || "", tier: params.get("tier") || "", per_box: Number(params.get("per_box")) || PER_BOX };
  const base = tenantPath(ctx.tenant, "");
  const [units, view] = await Promise.all([
    api(`${base}/units`),
    api(`${base}/nine-box`, { query: filters }),
  ]);
  const panel = h("aside", { class: "panel", id: "person", "data-testid": "person-panel", hidden: true });
  const sessions = h("section", { class: "sessions", "data-testid": "sessions" });
  // The NIPs on the grid: a drop is acted on only for one of them (anything can be dragged in).
  const members = new Set(view.boxes.flatMap((b) => b.members.map((m) => m.nip)));
  const page = { ctx, base, panel, sessions, filters, members };

  const setFilter = (name, value) => {
    const next = new URLSearchParams({ ...filters, [name]: value });
    for (const [k, v] of [...next]) if (!v || (k === "per_box" && Number(v) === PER_BOX)) next.delete(k);
    location.hash = `#/nine-box${next.toString() ? `?${next}` : ""}`;
  };
  const unitSelect = h("select", { id: "unit", "data-testid": "unit-filter", onchange: (e) => setFilter("unit", e.target.value) },
    h("option", { value: "" }, t("all_units")),
    units.map((u) => h("option", { value: u.code, selected: u.code === filters.unit },
      `${"  ".repeat(u.path.split("/").length - 3)}${u.name} (${u.code})`)));
  const tierSelect = h("select", { id: "tier", "data-testid": "tier-filter", onchange: (e) => setFilter("tier", e.target.value) },
    h("option", { value: "" }, t("all_tiers")), TIERS.map((tier) => h("option", { value: tier, selected: tier === filters.tier }, tier)));

  const counts = Object.fromEntries(view.boxes.map((b) => [b.box, b]));
  const grid = h("div", { class: "grid", role: "grid", "aria-label": "nine-box" },
    h("div", { class: "axis-y" }, t("performance")),
    GRID.map((row, r) => [
      h("div", { class: "row-label" }, t(ROWS[r])),
      row.map((box) => boxCell(page, counts[box], view)),
    ]),
    h("div", { class: "corner" }),
    COLUMNS.map((c) => h("div", { class: "col-label" }, t(c))),
    h("div", { class: "axis-x" }, t("potential")));

  clear(main,
    h("div", { class: "toolbar" },
      h("label", { for: "unit" }, t("unit")), unitSelect,
      h("label", { for: "tier" }, t("tier")), tierSelect,
      h("strong", { class: "total", "data-testid": "total" }, t("employees_total", { count: formatNumber(view.total) }))),
    h("div", { class: "nine-box-layout" }, grid, panel),
    sessions);
  await renderSessions(page);
}

function boxCell(page, box, view) {
  const members = box.members.map((m) => h("li", {
    class: "member", draggable: page.ctx.canWrite ? "true" : null, tabindex: "0", "data-nip": m.nip,
    "data-testid": `member-${m.nip}`, title: `${m.name} · ${m.nip}`,
    onclick: () => openPerson(page, m.nip),
    onkeydown: (e) => { if (e.key === "Enter") openPerson(page, m.nip); },
    ondragstart: (e) => { e.dataTransfer.setData("text/plain", m.nip); e.dataTransfer.effectAllowed = "move"; },
  }, m.name));
  const hidden = box.count - box.members.length;
  const cell = h("section", {
    class: `box box-${box.box}${POOL.has(box.box) ? " pool" : ""}`, role: "gridcell", "data-box": box.box,
    "data-testid": `box-${box.box}`, "aria-label": `${t("box_n", { box: box.box })}: ${boxName(box.box)}`,
  },
  h("header", {}, h("span", { class: "number" }, box.box), h("span", { class: "name", title: boxName(box.box) }, boxShortName(box.box)),
    h("span", { class: "count", "data-testid": `count-${box.box}` }, formatNumber(box.count))),
  h("ul", { class: "members" }, members),
  hidden > 0 ? h("button", { class: "link", onclick: () => showMore(page) }, t("more_members", { count: formatNumber(hidden) })) : null);
  if (page.ctx.canWrite) {
    cell.addEventListener("dragover", (e) => { e.preventDefault(); cell.classList.add("drop"); });
    cell.addEventListener("dragleave", () => cell.classList.remove("drop"));
    cell.addEventListener("drop", (e) => {
      e.preventDefault();
      cell.classList.remove("drop");
      const nip = e.dataTransfer.getData("text/plain");
      if (page.members.has(nip)) openPerson(page, nip, box.box);
    });
  }
  return cell;
}

function showMore(page) {
  const next = new URLSearchParams({ ...page.filters, per_box: String(Math.min(500, page.filters.per_box * 5)) });
  for (const [k, v] of [...next]) if (!v) next.delete(k);
  location.hash = `#/nine-box?${next}`;
}

async function openPerson(page, nip, targetBox = null) {
  const { panel, base } = page;
  panel.hidden = false;
  clear(panel, h("p", { class: "muted" }, t("loading")));
  try {
    const [rapor, history] = await Promise.all([
      api(`${base}/employees/${encodeURIComponent(nip)}/rapor`),
      api(`${base}/employees/${encodeURIComponent(nip)}/placement/history`),
    ]);
    clear(panel, personView(page, rapor, history, targetBox));
  } catch (error) {
    clear(panel, errorBox(error, t));
  }
}

function personView(page, rapor, history, targetBox) {
  const p = rapor.placement;
  const e = rapor.employee;
  const close = h("button", { class: "close", "aria-label": t("close"), onclick: () => { page.panel.hidden = true; } }, "×");
  if (!p) { // left the service, or not placed any more since the grid was read
    return h("div", {}, close, h("h2", { "data-testid": "person-name" }, e?.name || rapor.nip),
      h("p", { class: "muted" }, `${t("nip")} ${rapor.nip}`), h("p", { "data-testid": "person-box" }, explain(rapor.placement_status)));
  }
  const reasons = h("ul", { class: "reasons", "data-testid": "reasons" }, p.reasons.map((r) => h("li", {}, explain(r))));
  const recs = h("ul", {}, p.recommendations.map((r) => h("li", {}, recommendation(r))));
  const trend = h("ol", { class: "trend", "data-testid": "trend" },
    rapor.trend.map((y) => h("li", {}, `${t("skp_year")} ${y.skp_year}: `, h("strong", {}, t("box_n", { box: y.box })))));
  const changes = table([t("date"), t("box"), t("predikat"), t("potential_score"), t("why_here")],
    history.changes.slice().reverse().map((c) => h("tr", {},
      h("td", {}, formatDate(c.computed_at)), h("td", {}, c.box), h("td", {}, c.predikat),
      h("td", {}, c.potential_score), h("td", {}, c.reasons.map(explain).join("; ")))), { "data-testid": "history" });
  const plan = rapor.plan;
  const planView = plan
    ? [
      plan.items?.length ? table([t("plan_items"), t("status"), t("owner"), t("due")],
        plan.items.map((i) => h("tr", {}, h("td", {}, i.title), h("td", {}, t(`status_${i.status}`)), h("td", {}, i.owner || ""), h("td", {}, formatDate(i.due_date))))) : null,
      h("h4", {}, t("suggestions")),
      h("ul", { "data-testid": "suggestions" }, (plan.suggestions || []).map((s) => h("li", {}, recommendation(s.title), h("span", { class: "muted" }, ` (${explain(s.source)})`)))),
    ]
    : h("p", { class: "muted" }, t("none"));
  return h("div", {},
    close,
    h("h2", { "data-testid": "person-name" }, e?.name || rapor.nip),
    h("p", { class: "muted" }, `${t("nip")} ${rapor.nip} · ${e?.unit_code || ""} · ${e?.position_title || e?.tier || ""}`),
    h("p", { class: `badge box-${p.box}`, "data-testid": "person-box" }, `${t("box_n", { box: p.box })} — ${boxName(p.box)}`,
      p.calibrated || p.box !== p.computed_box ? h("span", {}, ` (${t("calibrated_from", { box: p.computed_box })})`) : null,
      p.in_talent_pool ? h("span", { class: "pool-tag" }, ` · ${t("in_pool")}`) : null),
    h("h3", {}, t("why_here")), reasons,
    h("h3", {}, t("recommendations")), recs,
    h("h3", {}, t("trend")), trend,
    h("h3", {}, t("history")), changes,
    h("h3", {}, t("development_plan")), planView,
    calibrationForm(page, rapor, targetBox));
}

function calibrationForm(page, rapor, targetBox) {
  if (!page.ctx.canWrite) return h("p", { class: "muted" }, t("read_only"));
  const current = rapor.placement.box;
  const options = [1, 2, 3, 4, 5, 6, 7, 8, 9].filter((b) => b !== current);
  const chosen = targetBox && targetBox !== current ? targetBox : null;
  const select = h("select", { id: "to-box", name: "to_box", "data-testid": "to-box", required: true },
    h("option", { value: "" }, "—"),
    options.map((b) => h("option", { value: b, selected: b === chosen }, `${b} — ${boxShortName(b)}`)));
  const reason = h("textarea", { id: "reason", name: "reason", "data-testid": "reason", rows: 3, maxlength: 2000, required: true, placeholder: t("reason_hint") });
  const outcome = h("div", { "data-testid": "move-outcome", "aria-live": "polite" });
  const form = h("form", { class: "calibrate", "data-testid": "calibrate-form" },
    h("h3", {}, t("calibrate")),
    h("label", { for: "to-box" }, t("move_to_box")), select,
    h("label", { for: "reason" }, t("reason")), reason,
    h("button", { type: "submit", "data-testid": "propose" }, t("propose_move")), outcome);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    try {
      const session = await draftSession(page);
      await api(`${page.base}/calibrations/${session.id}/moves/${encodeURIComponent(rapor.nip)}`, {
        method: "PUT", json: { to_box: Number(select.value), reason: reason.value },
      });
      clear(outcome, h("p", { class: "ok" }, t("move_proposed", { box: select.value, session: session.title })));
      await renderSessions(page);
    } catch (error) {
      clear(outcome, errorBox(error, t));
    }
  });
  if (chosen) setTimeout(() => reason.focus(), 0);
  return form;
}

// The officer's own open session, or a new one: moves are grouped and approved together.
async function draftSession(page) {
  const drafts = await api(`${page.base}/calibrations`, { query: { status: "draft", limit: 50 } });
  const mine = drafts.find((s) => s.created_by === page.ctx.user.subject);
  if (mine) return mine;
  const title = t("calibration_session_title", { date: formatDate(new Date().toISOString()) });
  return api(`${page.base}/calibrations`, { method: "POST", json: { title } });
}

async function renderSessions(page) {
  const { sessions, base } = page;
  const drafts = await api(`${base}/calibrations`, { query: { status: "draft", limit: 20 } });
  const details = await Promise.all(drafts.filter((s) => s.moves > 0).map((s) => api(`${base}/calibrations/${s.id}`)));
  clear(sessions, h("h2", {}, t("calibration_sessions")), h("p", { class: "muted" }, t("four_eyes")),
    details.length ? details.map((s) => sessionView(page, s)) : h("p", { class: "muted" }, t("none")));
}

function sessionView(page, session) {
  const outcome = h("div", { "aria-live": "polite" });
  const approve = page.ctx.canWrite
    ? h("button", { "data-testid": `approve-${session.id}`, onclick: async () => {
      try {
        await api(`${page.base}/calibrations/${session.id}/approve`, { method: "POST" });
        await page.ctx.rerender(); // the approval applied the moves: the grid shows them now
        page.ctx.notify(t("approved"));
      } catch (error) {
        clear(outcome, errorBox(error, t));
      }
    } }, t("approve"))
    : null;
  return h("article", { class: "session", "data-testid": `session-${session.id}` },
    h("h3", {}, session.title, h("span", { class: "muted" }, ` · ${t("by")} ${session.created_by}`)),
    table([t("nip"), t("box"), t("reason"), t("by")], session.moves.map((m) => h("tr", {},
      h("td", {}, m.nip), h("td", {}, `${m.from_box} → ${m.to_box}`), h("td", {}, m.reason), h("td", {}, m.proposed_by)))),
    h("h4", {}, t("audit_trail")),
    h("ol", { class: "audit", "data-testid": "audit" }, session.audit.map((a) => h("li", { "data-action": a.action },
      `${formatDate(a.at)} ${new Date(a.at).toLocaleTimeString()} — ${t(`audit_${a.action}`)}${a.nip ? ` ${a.nip}` : ""} ${t("by")} ${a.actor}`))),
    approve, outcome);
}
