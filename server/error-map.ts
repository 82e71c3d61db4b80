import { AppError } from "./app-error";

/**
 * The one map from errors to HTTP. Each rule recognises one door's error by its shape (name, code, SQLSTATE — never
 * by message text) and says what happened and what to do. Rules are tried in order; anything unrecognised is a 500
 * whose message carries a correlation id and whose details go to the server log only.
 *
 * | door / class                         | recognised by                      | → status                            |
 * |--------------------------------------|------------------------------------|-------------------------------------|
 * | AppError                             | instanceof                         | its own code                        |
 * | zod (ZodError)                       | name                               | 400 with field issues               |
 * | JSON body (SyntaxError)              | name                               | 400                                 |
 * | Kubernetes (KubeError, server/kube)  | name + kind                        | 404, 409, 400/422→400, 429/0/503→503, 504, 5xx/401/403→502 |
 * | Technitium (TechnitiumError)         | name + kind                        | unreachable 503, timeout 504, else 502 |
 * | DNS (DnsQueryError, DnsCodecError)   | name + kind                        | timeout 504, unreachable 503, bad-input 400, else 502 |
 * | PostgreSQL (pg DatabaseError)        | SQLSTATE in `code`                 | 57014→504, 08xxx/57P0x/53xxx/3D000/28xxx→503, 22xxx→400, 23505/40001/40P01→409, 42P01→503 |
 * | Prisma (PrismaClientKnownRequestError) | P-code, else the driver's SQLSTATE | P1001/P1002/P1017/P2024→503, P2002→409, P2025→404, P2000/P2020→400 |
 * | sockets (ECONNREFUSED, ETIMEDOUT, …) | errno code                         | 503                                 |
 * | configuration (EnvError)             | name                               | 503                                 |
 */

type Rule = (err: Record<string, unknown>) => AppError | undefined;

const str = (v: unknown) => (typeof v === "string" ? v : undefined);

/** Which database an error came from, when the door tagged it (server/querylogs tags its pools). */
function dbName(err: Record<string, unknown>): string {
  const tag = str(err.dnsdeckDb);
  return tag === "logs" ? "the query-log database" : "dnsdeck's database";
}

function fromSqlState(state: string, err: Record<string, unknown>): AppError | undefined {
  const db = dbName(err);
  if (state === "57014") return new AppError("timeout", `${db} took too long to answer; narrow the request (a shorter range, more filters) and try again`);
  if (/^(08|53|57P0|3D000|28)/.test(state)) return new AppError("unavailable", `${db} is unreachable or refusing connections; nothing was changed. Try again once it is back.`);
  if (state.startsWith("22")) return new AppError("bad_request", "a value in the request is out of range or malformed (for example a number past 32 bits or a control character); correct it and try again");
  if (state === "23505") return new AppError("conflict", "that record already exists (another request created it first); reload and try again");
  if (state === "40001" || state === "40P01") return new AppError("conflict", "another change touched the same records at the same time; try again");
  if (state.startsWith("23")) return new AppError("bad_request", "the request breaks a rule of the stored data; reload and try again");
  if (state === "42P01") return new AppError("unavailable", `${db} is missing a table: run the migrations (dist/migrate.js) and try again`);
  if (state === "25006") return new AppError("unavailable", `${db} is read-only right now; try again later`);
  return undefined;
}

const PRISMA: Record<string, () => AppError> = {
  P1001: () => new AppError("unavailable", "dnsdeck's database is unreachable; nothing was changed. Try again once it is back."),
  P1002: () => new AppError("unavailable", "dnsdeck's database did not answer in time; nothing was changed. Try again once it is back."),
  P1008: () => new AppError("timeout", "dnsdeck's database took too long to answer; try again"),
  P1017: () => new AppError("unavailable", "dnsdeck's database closed the connection; try again"),
  P2024: () => new AppError("unavailable", "dnsdeck's database is busy (no free connection); try again in a moment"),
  P2002: () => new AppError("conflict", "that record already exists (another request created it first); reload and try again"),
  P2025: () => new AppError("not_found", "the record does not exist (any more); reload and try again"),
  P2034: () => new AppError("conflict", "another change touched the same records at the same time; try again"),
  P2000: () => new AppError("bad_request", "a value in the request is too long for its field; shorten it and try again"),
  P2020: () => new AppError("bad_request", "a number in the request is out of range (ids are 32-bit); correct it and try again"),
};

const NET_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "ENOTFOUND", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN", "EPIPE"]);

const rules: Rule[] = [
  // zod
  (e) => (e.name === "ZodError" ? new AppError("bad_request", "invalid input", e.issues) : undefined),
  // a body that is not JSON
  (e) => (e.name === "SyntaxError" ? new AppError("bad_request", "the request body is not valid JSON") : undefined),
  // Kubernetes: the door's KubeError (server/kube/error.ts) carries the API's Status and what dnsdeck was doing
  (e) => {
    if (e.name !== "KubeError") return undefined;
    const status = e.status as { code: number; reason?: string; message: string };
    const doing = str(e.what);
    const what = `${doing ? `${doing}: ` : ""}the Kubernetes API answered ${status.code ? `HTTP ${status.code}` : "nothing"}${status.reason ? ` (${status.reason})` : ""}: ${status.message.slice(0, 300)}`;
    if (e.kind === "not_configured") return new AppError("unavailable", status.message);
    if (e.kind === "not_found") return new AppError("not_found", `${what}. The object does not exist; apply the stack first or check the name.`);
    if (e.kind === "conflict") return new AppError("conflict", `${what}. Someone else changed it; reload and try again.`);
    if (e.kind === "invalid") return new AppError("bad_request", `${what}. Fix the config and try again.`);
    if (e.kind === "timeout") return new AppError("timeout", `${what}. Try again; the operation may or may not have been done.`);
    if (e.kind === "unreachable" || e.kind === "throttled") return new AppError("unavailable", `${what}. Check that the Kubernetes API is reachable, then try again.`);
    if (e.kind === "denied") return new AppError("upstream", `${what}. dnsdeck's service account lacks the permission (see k8s/deploy/10-rbac.yaml).`);
    return new AppError("upstream", `${what}. Try again; if it persists, check the API server.`);
  },
  // Technitium
  (e) => {
    if (e.name !== "TechnitiumError") return undefined;
    const msg = str(e.message) ?? "Technitium failed";
    if (e.kind === "unreachable") return new AppError("unavailable", `${msg}. Check that the instance is up, then try again.`);
    if (e.kind === "timeout") return new AppError("timeout", `${msg}. Try again; raise TECHNITIUM_TIMEOUT_MS if it is just slow.`);
    if (e.kind === "invalid-token") return new AppError("upstream", `${msg}. Check the instance's TECHNITIUM_TOKEN_* value.`);
    return new AppError("upstream", `${msg}. Check the instance's logs, then try again.`);
  },
  // DNS
  (e) => {
    if (e.name === "DnsCodecError") return new AppError("bad_request", str(e.message) ?? "bad DNS input");
    if (e.name !== "DnsQueryError" && e.name !== "DnsTimeoutError") return undefined;
    const msg = str(e.message) ?? "DNS query failed";
    if (e.kind === "timeout") return new AppError("timeout", `${msg}; the server may be down or filtered`);
    if (e.kind === "unreachable") return new AppError("unavailable", `${msg}; check the address and DNS_ADDRESS_MAP`);
    if (e.kind === "bad-input") return new AppError("bad_request", msg);
    return new AppError("upstream", msg);
  },
  // Prisma (dnsdeck's database): its own code first, then the driver's SQLSTATE
  (e) => {
    const code = str(e.code);
    if (!code || !/^P\d{4}$/.test(code)) return undefined;
    const cause = (e.meta as { driverAdapterError?: { cause?: { originalCode?: string; kind?: string } } } | undefined)?.driverAdapterError?.cause;
    if (cause?.kind === "DatabaseNotReachable" || cause?.kind === "DatabaseDoesNotExist") return PRISMA.P1001();
    return PRISMA[code]?.() ?? (cause?.originalCode ? fromSqlState(cause.originalCode, e) : undefined);
  },
  // pg DatabaseError: SQLSTATE in `code` (five characters) with a severity
  (e) => {
    const code = str(e.code);
    return code && /^[0-9A-Z]{5}$/.test(code) && "severity" in e ? fromSqlState(code, e) : undefined;
  },
  // pg pool / socket errors
  (e) => {
    const code = str(e.code);
    if (code && NET_CODES.has(code)) return new AppError("unavailable", `${dbName(e)} or another service could not be reached (${code}); try again once it is back`);
    if (/^(timeout exceeded when trying to connect|Connection terminated)/.test(str(e.message) ?? "")) return PRISMA.P1002();
    return undefined;
  },
  (e) => (e.name === "EnvError" ? new AppError("unavailable", "dnsdeck's configuration is invalid; the server log names the variable") : undefined),
];

/** Map anything thrown to an AppError. `ref` (the request id) goes into the message of an unknown error. */
export function toAppError(err: unknown, ref?: string): AppError {
  if (err instanceof AppError) return err;
  if (err && typeof err === "object") {
    for (const rule of rules) {
      const mapped = rule(err as Record<string, unknown>);
      if (mapped) return mapped;
    }
  }
  return new AppError("internal", `internal error${ref ? ` (reference ${ref})` : ""}: nothing more is shown here; the server log has the details under that reference`);
}

/** A message safe to show a user, never a stack trace. */
export function publicMessage(err: unknown): string {
  return toAppError(err).message;
}

/** The JSON error body every route answers with. */
export function errorBody(e: AppError, ref?: string) {
  return { error: { code: e.code, message: e.message, details: e.details, ref } };
}
