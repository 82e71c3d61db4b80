/**
 * Typed errors with stable codes. Verbs throw these; the one wrapper (server/http/guard.ts) turns them into HTTP
 * statuses and messages. Anything else becomes a 500 whose details stay in the server log.
 */
export type ErrorCode =
  | "bad_request"
  | "unauthenticated"
  | "forbidden"
  | "not_found"
  | "conflict"
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

export const badRequest = (message: string, details?: unknown) => new AppError("bad_request", message, details);
export const notFound = (message: string) => new AppError("not_found", message);
export const conflict = (message: string, details?: unknown) => new AppError("conflict", message, details);
export const unavailable = (message: string, details?: unknown) => new AppError("unavailable", message, details);

export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (err && typeof err === "object" && "name" in err && (err as Error).name === "ZodError") {
    return new AppError("bad_request", "invalid input", (err as { issues?: unknown }).issues);
  }
  return new AppError("internal", "internal error: the server log has the details");
}

/** A message safe to show a user, never a stack trace. */
export function publicMessage(err: unknown): string {
  return toAppError(err).message;
}
