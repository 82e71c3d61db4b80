/** AppError and its codes (see server/errors.ts for the map from every other error). Pure. */
export type ErrorCode =
  | "bad_request"
  | "unauthenticated"
  | "forbidden"
  | "not_found"
  | "conflict"
  | "payload_too_large"
  | "locked"
  | "unavailable"
  | "upstream"
  | "timeout"
  | "internal";

const STATUS: Record<ErrorCode, number> = {
  bad_request: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  locked: 423,
  unavailable: 503,
  upstream: 502,
  timeout: 504,
  internal: 500,
};

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = "AppError";
  }
  get status(): number {
    return STATUS[this.code];
  }
}

/** Codes that mean "refused, nothing was done" (as opposed to "tried and failed"). */
export const REFUSAL_CODES: ReadonlySet<ErrorCode> = new Set(["bad_request", "unauthenticated", "forbidden", "not_found", "conflict", "payload_too_large", "locked"]);

export const badRequest = (message: string, details?: unknown) => new AppError("bad_request", message, details);
export const notFound = (message: string) => new AppError("not_found", message);
export const conflict = (message: string, details?: unknown) => new AppError("conflict", message, details);
export const unavailable = (message: string, details?: unknown) => new AppError("unavailable", message, details);
