/**
 * The one error of the Technitium door. `kind` says what went wrong on the wire; `reason` classifies what the server
 * refused (Technitium reports refusals only as text in `errorMessage`, so the door reads that text once, here, and the
 * rest of dnsdeck — the error map included — looks only at `kind` and `reason`). Pure: no I/O.
 */
export type TechnitiumErrorKind = "unreachable" | "timeout" | "invalid-token" | "error" | "not-found" | "bad-response";

/** What a `status: error` answer refused, when the door recognises it. */
export type TechnitiumRefusal = "zone-not-found" | "record-exists" | "record-not-found" | "denied" | "invalid";

export class TechnitiumError extends Error {
  constructor(
    readonly instance: string,
    readonly kind: TechnitiumErrorKind,
    message: string,
    /** Set for `kind: "error"` answers the door recognises. */
    readonly reason?: TechnitiumRefusal,
  ) {
    super(`${instance}: ${message}`);
    this.name = "TechnitiumError";
  }

  /** The instance did not answer at all (down or too slow): nothing it was asked to do can be assumed done. */
  get down(): boolean {
    return this.kind === "unreachable" || this.kind === "timeout";
  }
}

/** Technitium's own texts (reference technitium.md §1.3, §6) → a refusal class. */
const REFUSALS: [RegExp, TechnitiumRefusal][] = [
  [/^No such zone was found/i, "zone-not-found"],
  [/record already exists/i, "record-exists"],
  [/does not exists? to be updated|old record does not exists?|no such record exists/i, "record-not-found"],
  [/^Access was denied/i, "denied"],
  [
    /^Parameter '.+' missing|was not recognized|not in a correct format|cannot be same as that of the record name|Cannot set CNAME record at zone apex|CNAME record cannot exists? with other record types|TTL cannot be greater than SOA EXPIRE|does not belong to the zone|in Secondary zone|No reverse zone available|is not a primary or forwarder zone|Requested value '.+' was not found/i,
    "invalid",
  ],
];

export function refusalOf(serverMessage: string): TechnitiumRefusal | undefined {
  return REFUSALS.find(([re]) => re.test(serverMessage))?.[1];
}
