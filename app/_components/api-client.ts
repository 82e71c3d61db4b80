"use client";

/** An API error as the server's guard reports it: the status, the user-facing message and any field details. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

/**
 * The browser's one way to call dnsdeck's API. Errors carry the server's message. When the Authentik session has
 * expired, forward auth answers with a redirect to the sign-in flow on another origin, which fetch cannot follow:
 * the page is reloaded so the browser walks through sign-in and comes back.
 */
export async function api<T>(path: string, init?: { method?: string; body?: unknown; signal?: AbortSignal }): Promise<T> {
  const res = await fetch(path, {
    method: init?.method ?? "GET",
    headers: init?.body !== undefined ? { "content-type": "application/json" } : undefined,
    body: init?.body !== undefined ? JSON.stringify(init.body) : undefined,
    cache: "no-store",
    redirect: "manual",
    signal: init?.signal,
  });
  if (res.type === "opaqueredirect" || (res.status >= 300 && res.status < 400)) {
    window.location.reload();
    throw new ApiError(401, "your session has expired; signing in again");
  }
  const text = await res.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    /* not JSON */
  }
  if (!res.ok) {
    const e = (json as { error?: { message?: string; details?: unknown } } | null)?.error;
    throw new ApiError(res.status, e?.message ?? `request failed (HTTP ${res.status})`, e?.details);
  }
  return json as T;
}
