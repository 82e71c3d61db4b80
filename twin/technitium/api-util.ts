/** The twin API's shared pieces: its error (a `status: error` envelope) and parameter readers, as Technitium parses them. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: "error" | "invalid-token" = "error",
  ) {
    super(message);
  }
}

export const missing = (name: string) => new ApiError(`Parameter '${name}' missing.`);

export type Params = { get(name: string): string | undefined; has(name: string): boolean };

export function bool(p: Params, name: string, def: boolean): boolean {
  const v = p.get(name);
  if (v === undefined || v === "") return def;
  if (/^true$/i.test(v)) return true;
  if (/^false$/i.test(v)) return false;
  throw new ApiError(`String '${v}' was not recognized as a valid Boolean.`);
}

export function required(p: Params, ...names: string[]): string {
  for (const n of names) {
    const v = p.get(n);
    if (v !== undefined && v !== "") return v;
  }
  throw missing(names[0]);
}

