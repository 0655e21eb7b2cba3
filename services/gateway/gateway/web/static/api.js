// The public API through this gateway, with the signed-in user's token. Errors are problem+json:
// ApiError keeps the title, the detail and the per-field errors for the page to show.

import { currentUser, signIn, signInAgain } from "./auth.js";

export class ApiError extends Error {
  constructor(status, problem, shown = false) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
    this.shown = shown; // an error the page must show even though it is a 401
  }

  get errors() {
    return this.problem.errors || [];
  }
}

async function request(path, { method = "GET", json, form, query } = {}) {
  const user = currentUser();
  if (!user) {
    await signIn();
    throw new ApiError(401, { detail: "signing in" });
  }
  const headers = { authorization: `Bearer ${user.token}` };
  let body;
  if (json !== undefined) {
    headers["content-type"] = "application/json";
    body = JSON.stringify(json);
  } else if (form !== undefined) {
    body = form; // multipart: the browser sets the boundary
  }
  const url = query ? `${path}?${new URLSearchParams(Object.entries(query).filter(([, v]) => v !== undefined && v !== null && v !== ""))}` : path;
  const response = await fetch(url, { method, headers, body });
  if (response.status === 401) {
    const problem = await problemOf(response);
    // Expired or revoked: sign in again, then come back here; refused though fresh: say so.
    if (await signInAgain()) throw new ApiError(401, { detail: "signing in" });
    throw new ApiError(401, { ...problem, detail: `the API refused a fresh token: ${problem.detail || problem.title}` }, true);
  }
  return response;
}

async function problemOf(response) {
  try {
    return await response.json();
  } catch {
    return { title: response.statusText, status: response.status };
  }
}

export async function api(path, options = {}) {
  const response = await request(path, options);
  if (!response.ok) throw new ApiError(response.status, await problemOf(response));
  if (response.status === 204) return null;
  return response.json();
}

// A file the API serves (XLSX, iCalendar) saved through the browser, with the token sent along.
export async function download(path, filename) {
  const response = await request(path);
  if (!response.ok) throw new ApiError(response.status, await problemOf(response));
  const url = URL.createObjectURL(await response.blob());
  const link = Object.assign(document.createElement("a"), { href: url, download: filename });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function tenantPath(tenant, rest) {
  return `/tenants/${encodeURIComponent(tenant)}${rest}`;
}
