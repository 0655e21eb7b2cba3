// The shell: sign-in, the header (pages, tenant, language), and a hash router over the pages.

import { api } from "./api.js";
import { completeSignIn, currentUser, signIn, signOut } from "./auth.js";
import { clear, errorBox, h } from "./dom.js";
import { lang, setLang, t } from "./i18n.js";
import * as imports from "./pages/imports.js";
import * as nineBox from "./pages/nine-box.js";
import * as schedule from "./pages/schedule.js";
import * as talent from "./pages/talent.js";

const PAGES = {
  "nine-box": { module: nineBox, label: "nav_nine_box" },
  talent: { module: talent, label: "nav_talent" },
  schedule: { module: schedule, label: "nav_schedule" },
  imports: { module: imports, label: "nav_imports" },
};
const TENANT = "bakat.tenant";
const WRITERS = ["admin", "officer"];

const main = document.getElementById("main");
const notice = document.getElementById("notice");
let children = null; // tenants a province or platform token may choose from
let rendering = 0; // the newest render: an older one still loading must not overwrite it

function pageName() {
  const name = location.hash.replace(/^#\/?/, "").split("?")[0];
  return name in PAGES ? name : "nine-box";
}

function chosenTenant(user) {
  if (!children) return user.tenant;
  const kept = sessionStorage.getItem(TENANT);
  return children.some((c) => c.id === kept) ? kept : children[0]?.id ?? user.tenant;
}

async function loadTenants(user) {
  // A kabupaten/kota token works on its own tenant; a province's (or a platform operator's) may
  // look at each child.
  const own = user.tenant === "*" ? null : await api(`/tenants/${encodeURIComponent(user.tenant)}`).catch(() => null);
  if (user.tenant === "*" || own?.kind === "provinsi") {
    const listed = await api("/tenants");
    children = (Array.isArray(listed) ? listed : listed.items || []).filter((x) => x.kind !== "provinsi");
  }
}

function header(user) {
  const nav = document.getElementById("nav");
  clear(nav, Object.entries(PAGES).map(([name, page]) =>
    h("a", { href: `#/${name}`, "aria-current": name === pageName() ? "page" : null, "data-testid": `nav-${name}` }, t(page.label))));
  const who = document.getElementById("who");
  const tenant = chosenTenant(user);
  const picker = children
    ? h("select", { "aria-label": t("tenant"), "data-testid": "tenant-select", onchange: (e) => {
      sessionStorage.setItem(TENANT, e.target.value);
      route();
    } }, children.map((c) => h("option", { value: c.id, selected: c.id === tenant }, c.name)))
    : h("span", { class: "tenant", "data-testid": "tenant" }, tenant);
  clear(who, h("span", { class: "user", "data-testid": "user" }, `${user.subject} (${user.roles.join(", ")})`), " · ", picker);
  document.getElementById("lang").textContent = lang() === "id" ? "English" : "Bahasa Indonesia";
  document.getElementById("sign-out").textContent = t("sign_out");
  document.title = t("app_title");
}

async function route() {
  const user = currentUser();
  if (!user) {
    clear(main, h("p", {}, t("signing_in")));
    await signIn();
    return;
  }
  header(user);
  clear(notice);
  const name = pageName();
  const mine = ++rendering;
  const ctx = {
    user,
    tenant: chosenTenant(user),
    canWrite: user.roles.some((r) => WRITERS.includes(r)),
    rerender: route,
    notify: (text) => clear(notice, h("p", { class: "ok" }, text)),
    current: () => mine === rendering,
  };
  // Each page draws into its own element, shown only if no newer render has started meanwhile.
  const target = h("div", {});
  clear(main, h("p", { class: "muted" }, t("loading")));
  try {
    await PAGES[name].module.render(target, ctx);
  } catch (error) {
    if (error.status === 401 && !error.shown) return; // on its way to the sign-in
    clear(target, errorBox(error, t));
  }
  if (mine === rendering) clear(main, target);
}

async function start() {
  document.documentElement.lang = lang();
  document.getElementById("lang").addEventListener("click", () => {
    setLang(lang() === "id" ? "en" : "id");
    route();
  });
  document.getElementById("sign-out").addEventListener("click", async () => {
    sessionStorage.removeItem(TENANT);
    await signOut(); // ends the issuer's session too where it has one (Keycloak), else reloads
  });
  try {
    await completeSignIn();
  } catch (error) {
    clear(main, h("p", { class: "error", role: "alert" }, t("sign_in_failed", { detail: error.message })),
      h("button", { onclick: () => signIn() }, t("sign_in_again")));
    return;
  }
  const user = currentUser();
  if (user) await loadTenants(user).catch(() => { children = null; });
  window.addEventListener("hashchange", route);
  await route();
}

start();
