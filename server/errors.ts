/**
 * Typed errors with stable codes, and the ONE map from every error dnsdeck raises or receives to a status and a
 * message that says what to do. Verbs throw AppError (or let a door's error through); the wrappers
 * (server/http/guard.ts), pages and the CLI call `toAppError` and nothing else. The per-door rules live in
 * `./error-map.ts`; a new door (an external system) adds its rule there. Pure: no imports of client libraries.
 */
export { AppError, REFUSAL_CODES, badRequest, conflict, notFound, unavailable, type ErrorCode } from "./app-error";
export { toAppError, publicMessage, errorBody } from "./error-map";
