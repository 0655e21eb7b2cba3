// Uploads: a roster file (an import job: its progress and per-row errors, watched live) and an SKP
// file (checked whole: every row recorded, or the rows' errors and nothing recorded).

import { api, tenantPath } from "../api.js";
import { clear, errorBox, h, table } from "../dom.js";
import { formatNumber, t } from "../i18n.js";

const POLL_MS = 500;

export async function render(main, ctx) {
  const base = tenantPath(ctx.tenant, "");
  if (!ctx.canWrite) {
    clear(main, h("p", { class: "muted" }, t("read_only")));
    return;
  }
  clear(main, h("h2", {}, t("imports")), rosterForm(base), skpForm(base));
}

function rosterForm(base) {
  const file = h("input", { type: "file", id: "roster-file", name: "file", accept: ".csv,.xlsx", "data-testid": "roster-file" });
  const mode = h("select", { id: "roster-mode", name: "mode" },
    h("option", { value: "all_or_nothing" }, t("mode_all")), h("option", { value: "valid_rows" }, t("mode_valid")));
  const job = h("div", { class: "job", "data-testid": "roster-job", "aria-live": "polite" });
  const form = h("form", { class: "upload" },
    h("h3", {}, t("roster_import")),
    h("label", { for: "roster-file" }, t("file")), file,
    h("label", { for: "roster-mode" }, t("mode")), mode,
    h("button", { type: "submit", "data-testid": "roster-upload" }, t("upload")), job);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (!file.files.length) return clear(job, h("p", { class: "error" }, t("choose_file")));
    const body = new FormData();
    body.append("file", file.files[0]);
    body.append("mode", mode.value);
    try {
      let state = await api(`${base}/imports`, { method: "POST", form: body });
      showJob(job, state);
      while (!["done", "rejected", "failed"].includes(state.status)) {
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
        state = await api(`${base}/imports/${state.id}`);
        showJob(job, state);
      }
    } catch (error) {
      clear(job, errorBox(error, t));
    }
  });
  return form;
}

function showJob(target, job) {
  const percent = job.total_rows ? Math.round((job.rows_done / job.total_rows) * 100) : 0;
  clear(target,
    h("p", { "data-testid": "job-status", "data-status": job.status }, t("job_status", { status: t(`status_${job.status}`) }), " · ",
      t("job_progress", { done: formatNumber(job.rows_done), total: formatNumber(job.total_rows) })),
    h("progress", { max: 100, value: job.status === "done" ? 100 : percent, "data-testid": "job-progress" }),
    h("p", { "data-testid": "job-counts" }, t("imported", { imported: formatNumber(job.imported), unchanged: formatNumber(job.unchanged), errors: formatNumber(job.error_count) })),
    job.errors.length
      ? table([t("row"), t("column"), t("problem")], job.errors.map((e) => h("tr", {}, h("td", {}, e.row), h("td", {}, e.column), h("td", {}, e.reason))),
        { "data-testid": "row-errors" })
      : null);
}

function skpForm(base) {
  const file = h("input", { type: "file", id: "skp-file", name: "file", accept: ".csv,.xlsx", "data-testid": "skp-file" });
  const outcome = h("div", { "data-testid": "skp-outcome", "aria-live": "polite" });
  const form = h("form", { class: "upload" },
    h("h3", {}, t("skp_import")),
    h("label", { for: "skp-file" }, t("file")), file,
    h("button", { type: "submit", "data-testid": "skp-upload" }, t("upload")), outcome);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (!file.files.length) return clear(outcome, h("p", { class: "error" }, t("choose_file")));
    const body = new FormData();
    body.append("file", file.files[0]);
    try {
      const done = await api(`${base}/performance-ratings/imports`, { method: "POST", form: body });
      clear(outcome, h("p", { class: "ok" }, t("skp_done", { recorded: done.recorded, unchanged: done.unchanged, rows: done.rows })));
    } catch (error) {
      clear(outcome, errorBox(error, t));
    }
  });
  return form;
}
