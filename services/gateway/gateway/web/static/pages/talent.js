// The talent pool, the ranked successors of a vacant position (readiness and reasons), bench
// strength per unit, and whether the tenant may fill posts from the pool without open bidding.

import { api, tenantPath } from "../api.js";
import { clear, errorBox, h, table } from "../dom.js";
import { boxShortName, explain, formatDate, formatNumber, t } from "../i18n.js";

// A candidate's readiness (CandidateOut.readiness) -> its label; the counts use one_to_two_years.
const READINESS = { ready_now: "ready_now", "1_2_years": "one_to_two_years", future: "future" };

export async function render(main, ctx) {
  const base = tenantPath(ctx.tenant, "");
  const [pool, vacancies, bench, settings] = await Promise.all([
    api(`${base}/talent-pool`, { query: { limit: 50 } }),
    api(`${base}/succession/vacancies`),
    api(`${base}/succession/bench-strength`),
    api(`${base}/succession/settings`),
  ]);
  const candidates = h("section", { class: "candidates", "data-testid": "candidates" }, h("p", { class: "muted" }, t("choose_vacancy")));
  const merit = settings.fill_without_open_bidding;
  clear(main,
    h("p", { class: merit ? "ok" : "note", "data-testid": "merit" }, merit ? t("merit_yes") : t("merit_no"),
      settings.merit_index != null ? ` (${settings.merit_index} / ${settings.merit_threshold})` : ""),
    h("div", { class: "two-columns" },
      h("section", {},
        h("h2", {}, t("vacancies"), ` (${vacancies.total})`),
        h("ul", { class: "vacancies", "data-testid": "vacancies" }, vacancies.items.map((v) => h("li", {},
          h("button", { class: "link", "data-testid": `vacancy-${v.position.code}`, onclick: () => showCandidates(base, v.position.code, candidates) },
            v.position.title),
          h("span", { class: "muted" }, ` · ${v.position.tier} · ${t("ready_now")}: ${v.candidates.ready_now}, ${t("one_to_two_years")}: ${v.candidates.one_to_two_years}, ${t("future")}: ${v.candidates.future}`))))),
      candidates),
    h("section", {},
      h("h2", {}, t("talent_pool"), ` (${formatNumber(pool.total)})`),
      table([t("name"), t("nip"), t("unit"), t("tier"), t("box"), t("potential_score"), t("predikat")],
        pool.items.map((p) => h("tr", {}, h("td", {}, p.name || ""), h("td", {}, p.nip), h("td", {}, p.unit_code || ""),
          h("td", {}, p.tier || ""), h("td", {}, `${p.box} ${boxShortName(p.box)}`), h("td", {}, p.potential.score),
          h("td", {}, p.performance.predikat))), { "data-testid": "pool" })),
    h("section", {},
      h("h2", {}, t("bench_strength")),
      table([t("unit"), t("key_positions"), t("without_ready_successor")],
        bench.units.map((u) => h("tr", { class: u.without_ready_successor ? "warn" : "" }, h("td", {}, u.unit_code),
          h("td", {}, u.key_positions), h("td", {}, u.without_ready_successor ? `${u.without_ready_successor}: ${u.positions_without_ready_successor.join(", ")}` : "0"))),
        { "data-testid": "bench" })));
}

async function showCandidates(base, code, target) {
  clear(target, h("p", { class: "muted" }, t("loading")));
  try {
    const view = await api(`${base}/succession/positions/${encodeURIComponent(code)}/candidates`, { query: { limit: 20 } });
    clear(target,
      h("h2", {}, t("candidates"), ": ", view.position.title),
      h("p", { class: "muted" }, `${view.position.code} · ${view.position.tier} · ${formatDate(view.position.vacant_since)}`),
      h("p", { class: view.fill_without_open_bidding ? "ok" : "note" }, explain(view.merit_reason)),
      table([t("rank"), t("name"), t("unit"), t("box"), "JPM", t("predikat"), t("readiness"), t("why")],
        view.candidates.map((c) => h("tr", { "data-testid": `candidate-${c.rank}` },
          h("td", {}, c.rank), h("td", {}, c.name), h("td", {}, c.unit_code || ""), h("td", {}, c.box),
          h("td", {}, c.jpm == null ? "—" : `${c.jpm} (${c.jpm_category})`), h("td", {}, c.predikat || ""),
          h("td", {}, t(READINESS[c.readiness] || c.readiness)), h("td", {}, explain(c.why))))));
  } catch (error) {
    clear(target, errorBox(error, t));
  }
}
