/**
 * What one hop's reply means, named the way the DNS servers on the path produce it (CoreDNS/miekg and Technitium's
 * DnsServer.cs, see twin/README.md "Behaviour against the real systems"): an answer, NODATA, NXDOMAIN, REFUSED
 * (RA clear: the server does not recurse for dnsdeck's address; RA set: a policy refused it), SERVFAIL, FORMERR,
 * NOTIMP, BADVERS (an EDNS version the server does not speak), a reply truncated over UDP and completed over TCP,
 * silence (a dropped packet or a dead hop) and a closed port. Pure.
 */
export type Outcome = "answer" | "nodata" | "nxdomain" | "refused" | "servfail" | "formerr" | "notimp" | "badvers" | "other-rcode" | "timeout" | "unreachable" | "bad-response" | "bad-input" | "skipped" | "error";

export interface OutcomeInput {
  rcode: string | null;
  answers: number;
  ra?: boolean;
  transport?: string;
  errorKind?: string;
  timeoutMs?: number;
}

export function outcomeOf(h: OutcomeInput): { outcome: Outcome; text: string } {
  if (h.errorKind) {
    switch (h.errorKind) {
      case "timeout":
        return { outcome: "timeout", text: `no reply within ${h.timeoutMs ?? "the"} ms: the packet was dropped or the hop is down (servers drop malformed queries and responses silently)` };
      case "unreachable":
        return { outcome: "unreachable", text: "nothing listens there (connection refused / port unreachable)" };
      case "bad-response":
        return { outcome: "bad-response", text: "the reply could not be decoded or answered another question" };
      case "bad-input":
        return { outcome: "bad-input", text: "not sent: the question is not valid" };
      case "skipped":
        return { outcome: "skipped", text: "not sent" };
      default:
        return { outcome: "error", text: h.errorKind };
    }
  }
  const tcp = h.transport === "tcp" ? " (truncated over UDP, completed over TCP)" : "";
  switch (h.rcode) {
    case "NOERROR":
      return h.answers ? { outcome: "answer", text: `answered${tcp}` } : { outcome: "nodata", text: `NODATA: the name exists but has no record of this type${tcp}` };
    case "NXDOMAIN":
      return { outcome: "nxdomain", text: "NXDOMAIN: the name does not exist" };
    case "REFUSED":
      return h.ra === false
        ? { outcome: "refused", text: "REFUSED with RA clear: this server does not recurse for dnsdeck's address (recursion ACL, or a name outside its zones)" }
        : { outcome: "refused", text: "REFUSED: the server's policy refused the query (class, zone or access list)" };
    case "SERVFAIL":
      return { outcome: "servfail", text: "SERVFAIL: the server could not get an answer (upstream failure, no stale entry)" };
    case "FORMERR":
      return { outcome: "formerr", text: "FORMERR: the server could not parse the query" };
    case "NOTIMP":
      return { outcome: "notimp", text: "NOTIMP: the server does not implement this kind of query" };
    case "BADVERS":
      return { outcome: "badvers", text: "BADVERS: the server does not speak this EDNS version" };
    default:
      return { outcome: "other-rcode", text: `rcode ${h.rcode}` };
  }
}
