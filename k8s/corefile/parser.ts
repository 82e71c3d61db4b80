import { lex, type Token } from "./lexer";

/**
 * Corefile parser following coredns/caddy `caddyfile/parse.go` (reference §2.2–2.5): server blocks with one or more
 * keys (comma continuation across lines), the block's `{` optionally on the next line, directives whose `{` must be
 * on the directive's own line, nested blocks, snippets `(name) { … }` and `import`, env substitution `{$VAR}` /
 * `{%VAR%}`. Unlike caddy it keeps going after a recoverable error so the editor can show several at once, and it
 * records line and column of every token.
 */

export interface Issue {
  line: number;
  column: number;
  message: string;
  severity: "error" | "warning";
}

/** One line inside a directive's block: a property name, its arguments and an optional nested block. */
export interface Property {
  name: Token;
  args: Token[];
  block?: Property[];
  /** The `{` that opened `block`, for error positions. */
  open?: Token;
}

export interface Directive {
  name: string;
  nameToken: Token;
  /** Arguments on the directive line, before any `{`. */
  args: Token[];
  /** Present when the directive line ends with `{`. */
  block?: Property[];
  open?: Token;
  /** Snippet name when the directive came from `import <snippet>`. */
  importedFrom?: string;
}

export interface Address {
  /** The key as written. */
  key: Token;
  scheme: string;
  /** Normalised zone: lower-case, trailing dot ("." for the root). CIDR keys expand to their first reverse zone. */
  zone: string;
  /** All zones the key stands for (a CIDR may expand to several reverse zones). */
  zones: string[];
  port: number;
}

export interface ServerBlock {
  keys: Token[];
  addresses: Address[];
  directives: Directive[];
  open?: Token;
}

export interface ParsedCorefile {
  blocks: ServerBlock[];
  snippets: Record<string, Token[]>;
  issues: Issue[];
  /** A fatal syntax error stops parsing (as in caddy); blocks parsed so far are kept. */
  fatal: boolean;
}

export interface ParseOptions {
  /** Values for `{$VAR}` substitution. Unset variables are left as the reference and flagged on the token. */
  env?: Record<string, string | undefined>;
  /** Directive names the parser accepts (caddy's validDirective); others give "Unknown directive". */
  knownDirectives?: ReadonlySet<string>;
}

const SCHEMES: Record<string, number> = { "dns://": 53, "tls://": 853, "grpc://": 443, "https://": 443, "quic://": 853, "https3://": 443 };

class Fatal extends Error {}

export function parseCorefile(text: string, opts: ParseOptions = {}): ParsedCorefile {
  const issues: Issue[] = [];
  const { tokens, unterminatedQuote } = lex(text);
  if (unterminatedQuote) {
    issues.push({ ...pos(unterminatedQuote), message: "Unterminated quoted string: a '\"' is never closed", severity: "error" });
  }
  const snippets: Record<string, Token[]> = {};
  const blocks: ServerBlock[] = [];
  const lastLine = text.split("\n").length;
  const eofPos = tokens.length ? { line: tokens[tokens.length - 1].line, column: tokens[tokens.length - 1].column } : { line: 1, column: 1 };

  const err = (t: { line: number; column: number } | undefined, message: string, fatal = false) => {
    issues.push({ line: t?.line ?? lastLine, column: t?.column ?? 1, message, severity: "error" });
    if (fatal) throw new Fatal(message);
  };

  // ---- env substitution (caddy replaceEnvVars) --------------------------------------------------------------
  const substitute = (t: Token): Token => {
    if (!t.text.includes("{$") && !t.text.includes("{%")) return t;
    const vars: string[] = [];
    let unresolved = false;
    const text = t.text.replace(/\{\$([^}]*)\}|\{%([^}]*)%\}/g, (whole, a: string | undefined, b: string | undefined) => {
      const name = (a ?? b ?? "").trim();
      vars.push(name);
      const v = opts.env?.[name];
      if (v === undefined) {
        unresolved = true;
        return whole;
      }
      return v;
    });
    return { ...t, text, envVars: unresolved ? vars : undefined };
  };

  // ---- token stream with cursor, import expansion happens by splicing ------------------------------------------
  let toks = tokens.slice();
  let i = -1;
  const importDepth = new Map<Token, number>();
  const importedFrom = new Map<Token, string>();
  const next = () => {
    i++;
    return i < toks.length;
  };
  const cur = () => toks[i];
  const isNewLine = () => i === 0 || i >= toks.length || toks[i - 1].line + lineSpan(toks[i - 1]) < toks[i].line;

  const doImport = () => {
    const imp = cur();
    const depth = importDepth.get(imp) ?? 0;
    const args: Token[] = [];
    while (i + 1 < toks.length && !(toks[i].line + lineSpan(toks[i]) < toks[i + 1].line)) {
      i++;
      args.push(toks[i]);
    }
    if (args.length !== 1) {
      err(imp, `Import takes exactly one argument (a snippet name or a file pattern), got ${args.length}`);
      toks.splice(i - args.length, args.length + 1);
      i = i - args.length - 1;
      return;
    }
    const name = args[0].text;
    let replacement: Token[] = [];
    if (snippets[name]) {
      if (depth >= 10) err(imp, `Import of snippet '${name}' nests too deep (is it importing itself?)`, true);
      replacement = snippets[name].map((t) => {
        const copy = { ...t };
        importDepth.set(copy, depth + 1);
        importedFrom.set(copy, name);
        return copy;
      });
    } else if ((name.match(/\*/g) ?? []).length > 1) {
      err(args[0], `Import pattern '${name}' has more than one '*' (only one wildcard is allowed)`);
    } else if (/[/*]/.test(name) || name.includes(".")) {
      issues.push({
        ...pos(args[0]),
        message: `Import of file '${name}' cannot be checked here; in Kubernetes only the ConfigMap keys projected into the volume exist as files`,
        severity: "warning",
      });
    } else {
      err(args[0], `File to import not found: '${name}' is neither a snippet defined above nor a file in the ConfigMap volume`);
    }
    // replace `import NAME` with the snippet's tokens
    const start = i - 1;
    toks = [...toks.slice(0, start), ...replacement, ...toks.slice(i + 1)];
    i = start - 1;
  };

  // ---- directives ---------------------------------------------------------------------------------------------
  const readBlock = (open: Token): Property[] => {
    // Reads properties until the matching `}`; cursor starts on `{`.
    const props: Property[] = [];
    let current: Property | undefined;
    while (next()) {
      const t = cur();
      if (t.text === "}" && !t.quoted) {
        const prev = toks[i - 1];
        if (current && !current.block && prev && prev !== open && prev.line + lineSpan(prev) === t.line) {
          err(t, `'}' must be on its own line: CoreDNS reads it as another argument of '${current.name.text}'`);
        }
        return props;
      }
      if (t.text === "{" && !t.quoted) {
        if (!current) err(t, "Unexpected '{': a block must follow a property on the same line", true);
        else if (current.block) err(t, "Unexpected '{': this property already has a block", true);
        else {
          current.open = t;
          current.block = readBlock(t);
        }
        continue;
      }
      const sub = substitute(t);
      toks[i] = sub;
      if (!current || isNewLine() || current.block) {
        current = { name: sub, args: [] };
        props.push(current);
      } else {
        current.args.push(sub);
      }
    }
    err(open, "Unexpected end of file: this '{' is never closed", true);
    return props;
  };

  const directive = (block: ServerBlock) => {
    const nameTok = cur();
    const name = nameTok.text;
    const d: Directive = { name, nameToken: nameTok, args: [], importedFrom: importedFrom.get(nameTok) };
    if (opts.knownDirectives && !opts.knownDirectives.has(name)) {
      err(nameTok, name === "{" ? "Unexpected '{': a directive's '{' must be on the same line as the directive" : `Unknown directive '${name}'`);
    }
    while (next()) {
      const t = cur();
      if (isNewLine()) {
        i--;
        break;
      }
      if (t.text === "{" && !t.quoted) {
        d.open = t;
        d.block = readBlock(t);
        // tokens after the closing brace on the same line continue the directive in caddy; flag them
        if (i + 1 < toks.length && toks[i + 1].line === cur().line && !(toks[i + 1].text === "}" && !toks[i + 1].quoted)) {
          err(toks[i + 1], `Unexpected '${toks[i + 1].text}' after the closing '}' of ${name}: put it on its own line`);
        }
        continue;
      }
      if (t.text === "}" && !t.quoted) {
        err(t, "Unexpected '}' because no matching opening brace: put the closing '}' on its own line", true);
      }
      const sub = substitute(t);
      toks[i] = sub;
      if (d.block) continue;
      d.args.push(sub);
    }
    block.directives.push(d);
  };

  const directives = (block: ServerBlock, braced: boolean) => {
    while (next()) {
      const t = cur();
      if (t.text === "}" && !t.quoted) {
        if (braced) return;
        err(t, "Unexpected '}' because no matching opening brace", true);
      }
      if (t.text === "import" && !t.quoted) {
        doImport();
        continue;
      }
      if (t.text === "{" && !t.quoted) {
        err(t, "Unexpected '{': a directive's '{' must be on the same line as the directive (or a block is missing its keys)", true);
      }
      directive(block);
    }
    if (braced) err(block.open ?? eofPos, "Unexpected end of file: the server block's '{' is never closed", true);
  };

  // ---- server blocks ------------------------------------------------------------------------------------------
  try {
    while (next()) {
      const block: ServerBlock = { keys: [], addresses: [], directives: [] };
      // keys
      let expectingAnother = false;
      let hasBody = true;
      for (;;) {
        const t = cur();
        if (t.text === "import" && isNewLine() && !t.quoted && block.keys.length === 0) {
          doImport();
          if (!next()) {
            hasBody = false;
            break;
          }
          continue;
        }
        if (t.text === "{" && !t.quoted) {
          if (expectingAnother) err(t, "Expected another address but had '{' - check for extra comma", true);
          if (block.keys.length === 0) err(t, "A server block needs at least one key (a zone such as '.:53') before its '{'", true);
          break;
        }
        if (t.text === "}" && !t.quoted) err(t, "Unexpected '}' because no matching opening brace", true);
        const sub = substitute(t);
        toks[i] = sub;
        if (sub.text !== "") {
          if (sub.text.endsWith(",")) {
            block.keys.push({ ...sub, text: sub.text.slice(0, -1) });
            expectingAnother = true;
          } else {
            block.keys.push(sub);
            expectingAnother = false;
          }
        }
        const hasNext = next();
        if (expectingAnother && !hasNext) err(eofPos, "Unexpected end of file: expected another server block key after ','", true);
        if (!hasNext) {
          hasBody = false;
          break;
        }
        if (!expectingAnother && isNewLine()) break;
      }
      if (block.keys.length === 0) continue;

      // snippet definition
      const first = block.keys[0];
      if (block.keys.length === 1 && /^\(.*\)$/.test(first.text)) {
        const name = first.text.slice(1, -1);
        if (!hasBody || cur().text !== "{") err(first, `Snippet '${name}' must be followed by '{'`, true);
        if (snippets[name]) err(first, `Redeclaration of snippet '${name}'`);
        const open = cur();
        const body: Token[] = [];
        let depth = 1;
        while (next()) {
          const t = cur();
          if (!t.quoted && t.text === "{") depth++;
          if (!t.quoted && t.text === "}") {
            depth--;
            if (depth === 0) break;
          }
          body.push(t);
        }
        if (depth !== 0) err(open, `Unexpected end of file: snippet '${name}' is never closed`, true);
        if (body.some((t, k) => t.text === "import" && body[k + 1]?.text === name)) err(first, `Snippet '${name}' imports itself`, true);
        snippets[name] = body;
        continue;
      }

      for (const k of block.keys) {
        const a = parseAddress(k);
        if (typeof a === "string") err(k, a);
        else block.addresses.push(a);
      }
      if (!hasBody) {
        blocks.push(block);
        break;
      }
      const braced = cur().text === "{" && !cur().quoted;
      if (braced) block.open = cur();
      else i--;
      blocks.push(block);
      directives(block, braced);
    }
  } catch (e) {
    if (!(e instanceof Fatal)) throw e;
    return { blocks, snippets, issues, fatal: true };
  }
  return { blocks, snippets, issues, fatal: false };
}

function pos(t: { line: number; column: number }) {
  return { line: t.line, column: t.column };
}

/** Number of newlines inside a (quoted, multi-line) token, so line adjacency is measured from its end. */
function lineSpan(t: Token): number {
  if (!t.quoted) return 0;
  let n = 0;
  for (const c of t.text) if (c === "\n") n++;
  return n;
}

/** Normalise a server block key (coredns core/dnsserver/address.go). Returns an error message for a bad key. */
export function parseAddress(k: Token): Address | string {
  let s = k.text;
  if (k.envVars) return { key: k, scheme: "dns://", zone: "env.", zones: ["env."], port: 53 };
  let scheme = "dns://";
  const m = /^([a-z0-9]+):\/\//i.exec(s);
  if (m) {
    scheme = m[0].toLowerCase();
    if (!(scheme in SCHEMES)) return `Unsupported scheme '${m[1]}' in server block key '${k.text}' (use dns://, tls://, grpc:// or https://)`;
    s = s.slice(m[0].length);
  }
  let port = SCHEMES[scheme];
  let host = s;
  const v6 = /^\[([^\]]+)\](?::(.*))?$/.exec(s);
  if (v6) {
    host = v6[1];
    if (v6[2] !== undefined) {
      if (!/^\d+$/.test(v6[2])) return `Invalid port '${v6[2]}' in server block key '${k.text}'`;
      port = Number(v6[2]);
    }
  } else {
    const idx = s.lastIndexOf(":");
    if (idx >= 0 && s.indexOf(":") === idx) {
      host = s.slice(0, idx);
      const p = s.slice(idx + 1);
      if (!/^\d+$/.test(p)) return `Invalid port '${p}' in server block key '${k.text}'`;
      port = Number(p);
    }
  }
  if (port < 1 || port > 65535) return `Port ${port} out of range in server block key '${k.text}'`;
  if (host === "") host = ".";
  host = host.toLowerCase();
  const cidr = /^(\d+\.\d+\.\d+\.\d+)\/(\d+)$/.exec(host);
  if (cidr) {
    const bits = Number(cidr[2]);
    if (bits > 32) return `Invalid CIDR '${host}' in server block key '${k.text}'`;
    const octets = cidr[1].split(".").map(Number);
    const whole = Math.floor(bits / 8);
    const base = octets.slice(0, whole).reverse();
    const zones: string[] = [];
    if (bits % 8 === 0) zones.push([...base, "in-addr", "arpa", ""].join("."));
    else {
      const span = 1 << (8 - (bits % 8));
      const start = octets[whole] & ~(span - 1) & 0xff;
      for (let o = start; o < start + span; o++) zones.push([o, ...base, "in-addr", "arpa", ""].join("."));
    }
    return { key: k, scheme, zone: zones[0], zones, port };
  }
  if (!/^[a-z0-9_*.-]+\.?$/.test(host) && host !== ".") return `Invalid zone '${host}' in server block key '${k.text}'`;
  const zone = host === "." ? "." : host.endsWith(".") ? host : `${host}.`;
  if (zone.includes("..")) return `Invalid zone '${host}' in server block key '${k.text}' (empty label)`;
  return { key: k, scheme, zone, zones: [zone], port };
}
