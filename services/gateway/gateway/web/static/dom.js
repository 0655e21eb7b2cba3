// Elements built with text nodes only (never innerHTML with data): names and reasons come from users.

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") el.addEventListener(name.slice(2), value);
    else if (name === "dataset") Object.assign(el.dataset, value);
    else if (value === true) el.setAttribute(name, "");
    else el.setAttribute(name, String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function clear(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

export function table(headers, rows, attrs = {}) {
  return h("table", attrs,
    h("thead", {}, h("tr", {}, headers.map((text) => h("th", { scope: "col" }, text)))),
    h("tbody", {}, rows));
}

export function errorBox(error, t) {
  const items = (error.errors || []).map((e) =>
    h("li", {}, [e.row ? `${t("row")} ${e.row}` : e.field, e.column ? ` (${e.column})` : "", ": ", e.message || e.reason]));
  return h("div", { class: "error", role: "alert", "data-testid": "error" },
    t("error", { detail: error.message }), items.length ? h("ul", {}, items.slice(0, 50)) : null);
}
