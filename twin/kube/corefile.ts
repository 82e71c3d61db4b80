// A deliberately small Corefile checker for the twin's crash-loop simulation (the production validator lives
// elsewhere and is not imported here). It knows: tokens/comments/quotes, brace balance, `{` glued to a token,
// forward targets (for the loop check) and env substitution.

export interface CorefileCheck { ok: boolean; error?: string; fatal?: string; forwards: { zone: string; to: string[] }[] }

const LOCAL_LOOP_TARGETS = ["10.96.0.10", "169.254.20.10"];

export function checkCorefile(text: string, opts: { file?: string; env?: Record<string, string | undefined> } = {}): CorefileCheck {
  const file = opts.file ?? "/etc/coredns/Corefile";
  // env substitution {$VAR}
  const src = text.replace(/\{\$([A-Za-z0-9_]+)\}/g, (_m, v) => opts.env?.[v] ?? "");
  type Tok = { t: string; line: number };
  const toks: Tok[] = [];
  let line = 1;
  for (let i = 0; i < src.length; ) {
    const c = src[i];
    if (c === "\n") { toks.push({ t: "\n", line }); line++; i++; continue; }
    if (/\s/.test(c)) { i++; continue; }
    if (c === "#") { while (i < src.length && src[i] !== "\n") i++; continue; }
    if (c === '"') {
      let j = i + 1, s = "";
      while (j < src.length && src[j] !== '"') { if (src[j] === "\\" && src[j + 1] === '"') { s += '"'; j += 2; continue; } if (src[j] === "\n") line++; s += src[j++]; }
      toks.push({ t: s, line }); i = j + 1; continue;
    }
    let s = "";
    while (i < src.length && !/\s/.test(src[i])) { if (src[i] === "#") break; s += src[i++]; }
    toks.push({ t: s, line });
  }
  const forwards: CorefileCheck["forwards"] = [];
  let depth = 0;
  let zone = "";
  let lineStart = true;
  let lastLine = 1;
  for (let k = 0; k < toks.length; k++) {
    const tk = toks[k];
    lastLine = tk.line;
    if (tk.t === "\n") { lineStart = true; continue; }
    if (tk.t === "{") depth++;
    else if (tk.t === "}") {
      if (depth === 0) return fail(`${file}:${tk.line} - Error during parsing: Unexpected '}' because no matching opening brace`);
      depth--;
    } else if (tk.t.endsWith("{") && tk.t.length > 1 && depth > 0) {
      return fail(`${file}:${tk.line} - Error during parsing: Unexpected token '${tk.t}', expecting argument`);
    } else if (depth === 0 && lineStart) {
      zone = tk.t.replace(/,$/, "");
    } else if (depth === 1 && lineStart && tk.t === "forward") {
      const args: string[] = [];
      let j = k + 1;
      while (j < toks.length && toks[j].t !== "\n" && toks[j].t !== "{") args.push(toks[j++].t);
      if (args.length < 2) return fail(`${file}:${tk.line} - Error during parsing: Wrong argument count or unexpected line ending after '${args[0] ?? "forward"}'`);
      forwards.push({ zone, to: args.slice(1) });
    }
    lineStart = false;
  }
  if (depth !== 0) return fail(`${file}:${lastLine} - Error during parsing: Unexpected EOF`);
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
        return { ok: true, fatal: `[FATAL] plugin/loop: Loop (127.0.0.1:38421 -> ${host}:53) detected for zone "${z ? z.replace(/\.?$/, ".") : "."}", see https://coredns.io/plugins/loop#troubleshooting. Query: "HINFO 4547991504243258144.3688648895315093531.${z ? z.replace(/\.?$/, ".") : ""}"`, forwards };
      }
    }
  }
  return { ok: true, forwards };
  function fail(error: string): CorefileCheck { return { ok: false, error, forwards }; }
}
