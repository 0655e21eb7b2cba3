// Sign-in: OpenID Connect authorization code with PKCE (RFC 7636, S256) as a public client, against
// the issuer that /app/config.json names (the dev issuer locally, Keycloak in production). The access
// token is kept in sessionStorage: it dies with the tab and is never sent anywhere but the API.

const TOKEN = "bakat.token";
const PENDING = "bakat.sign-in";
const FRESH_S = 30;
let config = null;

async function loadConfig() {
  if (config === null) {
    const response = await fetch("config.json", { cache: "no-cache" });
    config = await response.json();
  }
  return config;
}

function base64url(bytes) {
  return btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function randomString(bytes = 32) {
  return base64url(crypto.getRandomValues(new Uint8Array(bytes)));
}

function redirectUri() {
  return `${location.origin}${location.pathname}`;
}

export async function signIn() {
  const cfg = await loadConfig();
  const verifier = randomString(48);
  const challenge = base64url(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier)));
  const state = randomString(16);
  sessionStorage.setItem(PENDING, JSON.stringify({ verifier, state, back: location.hash || "#/nine-box" }));
  const params = new URLSearchParams({
    response_type: "code", client_id: cfg.client_id, redirect_uri: redirectUri(), scope: "openid",
    state, code_challenge: challenge, code_challenge_method: "S256",
  });
  location.assign(`${cfg.authorization_endpoint}?${params}`);
}

// Back from the issuer with ?code=&state=: exchange the code, then go where the user was.
export async function completeSignIn() {
  const query = new URLSearchParams(location.search);
  if (!query.has("code") && !query.has("error")) return false;
  const pending = JSON.parse(sessionStorage.getItem(PENDING) || "null");
  sessionStorage.removeItem(PENDING);
  history.replaceState(null, "", location.pathname + (pending?.back || "#/nine-box"));
  if (query.has("error")) throw new Error(query.get("error_description") || query.get("error"));
  if (!pending || pending.state !== query.get("state")) throw new Error("state mismatch: sign in again");
  const cfg = await loadConfig();
  const response = await fetch(cfg.token_endpoint, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "authorization_code", code: query.get("code"), redirect_uri: redirectUri(),
      client_id: cfg.client_id, code_verifier: pending.verifier,
    }),
  });
  const answer = await response.json();
  if (!response.ok) throw new Error(answer.error_description || answer.error || response.statusText);
  sessionStorage.setItem(TOKEN, answer.access_token);
  return true;
}

function claimsOf(token) {
  const part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
  const json = decodeURIComponent(
    [...atob(part)].map((c) => `%${c.charCodeAt(0).toString(16).padStart(2, "0")}`).join(""),
  );
  return JSON.parse(json);
}

// The signed-in user, or null when there is no token or it has expired.
export function currentUser() {
  const token = sessionStorage.getItem(TOKEN);
  if (!token) return null;
  try {
    const claims = claimsOf(token);
    if (claims.exp * 1000 <= Date.now() + 5000) return null;
    return { token, subject: claims.sub, tenant: claims.tenant, roles: claims.roles || [], claims };
  } catch {
    return null;
  }
}

// After a 401: sign in again, unless the token was issued moments ago. Then the API refuses what the
// issuer just gave (a wrong audience, a missing tenant claim): signing in again would loop for ever.
export async function signInAgain() {
  const token = sessionStorage.getItem(TOKEN);
  if (token) {
    try {
      if (Date.now() / 1000 - claimsOf(token).iat < FRESH_S) return false;
    } catch {
      // not a JWT we can read: sign in again
    }
  }
  sessionStorage.removeItem(TOKEN);
  await signIn();
  return true;
}

export async function signOut() {
  sessionStorage.removeItem(TOKEN);
  const cfg = await loadConfig();
  if (cfg.end_session_endpoint) {
    // RP-initiated logout: without it Keycloak's own session would sign the user straight back in.
    const params = new URLSearchParams({ client_id: cfg.client_id, post_logout_redirect_uri: redirectUri() });
    location.assign(`${cfg.end_session_endpoint}?${params}`);
  } else {
    location.assign(redirectUri());
  }
}
