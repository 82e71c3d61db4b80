// What node-cache and CoreDNS do with a Corefile when they start or reload, for the twin's crash-loop simulation:
// the parse (k8s/corefile's parser — the repository's one Corefile grammar), `{$VAR}` from the container's env,
// forward targets that are not an IP address or file (`<nil>` from a missing upstream Service), and the loop plugin's
// fatal on a forward to a node-local address. Messages as CoreDNS logs them.
import { parseCorefile } from "../../k8s/corefile/parser";

export interface CorefileCheck { ok: boolean; error?: string; fatal?: string; forwards: { zone: string; to: string[] }[] }

const LOCAL_LOOP_TARGETS = ["10.96.0.10", "169.254.20.10"];

/** caddy's wording for the two parse errors whose text the twin's logs show. */
function caddyMessage(message: string): string {
  if (/^Unexpected end of file/.test(message)) return "Unexpected EOF";
  return message;
}

export function checkCorefile(text: string, opts: { file?: string; env?: Record<string, string | undefined> } = {}): CorefileCheck {
  const file = opts.file ?? "/etc/coredns/Corefile";
  // an unset variable becomes "" at start, as caddy's replaceEnvVars does
  const env = new Proxy(opts.env ?? {}, { get: (t, k) => (typeof k === "string" ? (t[k] ?? "") : undefined) });
  const parsed = parseCorefile(text, { env });
  const forwards: CorefileCheck["forwards"] = [];
  for (const b of parsed.blocks) {
    const zone = b.keys[0]?.text.replace(/,$/, "") ?? "";
    for (const d of b.directives) if (d.name === "forward") forwards.push({ zone, to: d.args.slice(1).map((a) => a.text) });
  }
  const err = parsed.issues.find((i) => i.severity === "error");
  if (err) {
    const msg = caddyMessage(err.message);
    // caddy names the line of the last token it read for an unexpected EOF
    const line = msg === "Unexpected EOF" ? text.split("\n").reduce((last, l, i) => (l.replace(/#.*/, "").trim() ? i + 1 : last), err.line) : err.line;
    return { ok: false, error: `${file}:${line} - Error during parsing: ${msg}`, forwards };
  }
  for (const b of parsed.blocks) {
    for (const d of b.directives) {
      if (d.name === "forward" && d.args.length < 2) return { ok: false, error: `${file}:${d.nameToken.line} - Error during parsing: Wrong argument count or unexpected line ending after '${d.args[0]?.text ?? "forward"}'`, forwards };
    }
  }
  for (const f of forwards) {
    for (const to of f.to) {
      const host = to.replace(/^(dns|tls):\/\//, "").replace(/:\d+$/, "");
      if (host === "" || host === "<nil>" || !(/^\d+\.\d+\.\d+\.\d+$/.test(host) || host.startsWith("/"))) {
        return { ok: false, error: `plugin/forward: not an IP address or file: ${JSON.stringify(to)}`, forwards };
      }
    }
  }
  for (const f of forwards) {
    for (const to of f.to) {
      const host = to.replace(/^(dns|tls):\/\//, "").replace(/:\d+$/, "");
      if (LOCAL_LOOP_TARGETS.includes(host)) {
        const z = f.zone.replace(/:\d+$/, "").replace(/^\.$/, "");
        const fq = z ? z.replace(/\.?$/, ".") : ".";
        return { ok: true, fatal: `[FATAL] plugin/loop: Loop (127.0.0.1:38421 -> ${host}:53) detected for zone "${fq}", see https://coredns.io/plugins/loop#troubleshooting. Query: "HINFO 4547991504243258144.3688648895315093531.${z ? fq : ""}"`, forwards };
      }
    }
  }
  return { ok: true, forwards };
}
