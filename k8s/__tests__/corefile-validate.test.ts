import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { defaultStackConfig, parseStackConfig, renderCorednsCorefile, renderNodeLocalCorefile } from "@/k8s/index";
import { type CorefileError, type CorefileTarget, validateCorefile, type ValidateOptions } from "@/k8s/corefile";

const fixture = (name: string) => readFileSync(join(import.meta.dirname, "fixtures", name), "utf8");
const errorsOf = (r: { errors: CorefileError[] }) => r.errors.filter((e) => e.severity !== "warning");
const warningsOf = (r: { errors: CorefileError[] }) => r.errors.filter((e) => e.severity === "warning");

function expectValid(text: string, target: CorefileTarget, opts?: ValidateOptions) {
  const r = validateCorefile(text, target, opts);
  assert.deepEqual(errorsOf(r), [], `expected valid, got ${JSON.stringify(r.errors, null, 1)}`);
  assert.equal(r.valid, true);
  return r;
}

/** Asserts an error at line:column whose message matches. */
function expectError(text: string, target: CorefileTarget, line: number, column: number, message: RegExp, opts?: ValidateOptions) {
  const r = validateCorefile(text, target, opts);
  assert.equal(r.valid, false, `expected invalid: ${text}`);
  const hit = errorsOf(r).find((e) => e.line === line && e.column === column && message.test(e.message));
  assert.ok(hit, `no error ${message} at ${line}:${column}; got ${JSON.stringify(r.errors, null, 1)}`);
  return r;
}

const CORE_HEAD = `.:53 {
    errors
    health
    ready
    kubernetes cluster.local in-addr.arpa ip6.arpa {
       fallthrough in-addr.arpa ip6.arpa
    }
`; // 7 lines; the directive under test goes on line 8
const core = (body: string) => `${CORE_HEAD}${body}\n}\n`;

const NL_HEAD = `cluster.local:53 {
    errors
    health 169.254.20.10:8080
    reload
    bind 169.254.20.10 10.96.0.10
`; // directive under test on line 6
const nl = (body: string) => `${NL_HEAD}${body}\n}\n`;

// ---- real-world Corefiles ----------------------------------------------------------------------------------------

test("kubeadm's default Corefile is valid for CoreDNS 1.11.3 and warns about /etc/resolv.conf", () => {
  const r = expectValid(fixture("kubeadm-default.Corefile"), "coredns");
  assert.ok(warningsOf(r).some((w) => /resolv\.conf/.test(w.message) && w.line === 13 && w.column === 15));
});

test("the seed's CoreDNS Corefile (with comments after options) is valid", () => {
  expectValid(fixture("seed-coredns.Corefile"), "coredns");
});

test("the upstream nodelocaldns template rendered for iptables mode is valid for node-cache, with the bypass warning", () => {
  const r = expectValid(fixture("nodelocal-upstream-rendered.Corefile"), "nodelocal");
  assert.ok(warningsOf(r).some((w) => /bypassing CoreDNS/.test(w.message) && w.line === 44));
});

test("the unrendered upstream template is rejected: placeholders node-cache would mis-expand", () => {
  const r = validateCorefile(fixture("nodelocal-upstream-template.Corefile"), "nodelocal");
  assert.equal(r.valid, false);
  const msgs = errorsOf(r);
  assert.ok(msgs.some((e) => e.line === 1 && e.column === 1 && /__PILLAR__DNS__DOMAIN__/.test(e.message)));
  assert.ok(msgs.some((e) => e.line === 14 && e.column === 12 && /__PILLAR__LOCAL__DNS__.*two arguments/.test(e.message)));
  assert.ok(msgs.some((e) => e.line === 9 && e.column === 33 && /__PILLAR__DNS__SERVER__.*empty string/.test(e.message)));
});

test("dnsdeck's own rendered Corefiles validate cleanly; the homelab's NodeLocal caches can outgrow the 128Mi limit", () => {
  const nlr = validateCorefile(renderNodeLocalCorefile(defaultStackConfig), "nodelocal", { stack: defaultStackConfig });
  assert.equal(nlr.valid, true);
  assert.deepEqual(errorsOf(nlr), []);
  // 5 blocks × (9984 + 9984) entries ≈ 5 × 30 MB + baseline > 128Mi: the one warning
  assert.equal(nlr.errors.length, 1);
  assert.match(nlr.errors[0].message, /about 170 MiB.*memory limit is 128Mi.*OOM/);
  assert.deepEqual(validateCorefile(renderCorednsCorefile(defaultStackConfig), "coredns", { stack: defaultStackConfig }).errors, []);

  // smaller per-block caches (or a higher limit) fit
  const roomy = parseStackConfig({ ...defaultStackConfig, nodelocal: { ...defaultStackConfig.nodelocal, resources: { requests: { memory: "32Mi" }, limits: { memory: "256Mi" } } } });
  assert.deepEqual(validateCorefile(renderNodeLocalCorefile(roomy), "nodelocal", { stack: roomy }).errors, []);
});

test("with the stack: a NodeLocal prometheus port that the DaemonSet does not expose is flagged", () => {
  const text = renderNodeLocalCorefile(defaultStackConfig).replace("prometheus :9253", "prometheus :9153");
  const r = validateCorefile(text, "nodelocal", { stack: defaultStackConfig });
  assert.ok(warningsOf(r).some((w) => /prometheus on port 9153.*expose 9253/.test(w.message)));
});

test("the cluster Corefile cannot be copied into node-local-dns (kubernetes/ready not compiled into node-cache)", () => {
  const r = validateCorefile(fixture("kubeadm-default.Corefile"), "nodelocal");
  assert.ok(errorsOf(r).some((e) => e.line === 6 && e.column === 5 && /no action found for directive 'ready'.*missing a plugin/.test(e.message)));
  assert.ok(errorsOf(r).some((e) => e.line === 7 && /'kubernetes'/.test(e.message)));
});

// ---- syntax ------------------------------------------------------------------------------------------------------

test("a directive's '{' on the next line is a syntax error at that brace", () => {
  expectError(core("    forward . 1.1.1.1\n    {\n       max_fails 2\n    }"), "coredns", 9, 5, /'\{' must be on the same line/);
});

test("'1.1.1.1{' is one token: not an IP, and the block never opens", () => {
  const r = validateCorefile(core("    forward . 1.1.1.1{\n       max_fails 2\n    }"), "coredns");
  assert.equal(r.valid, false);
  assert.ok(errorsOf(r).some((e) => e.line === 8 && e.column === 15 && /not an IP address or file/.test(e.message)));
});

test("unclosed server block → unexpected end of file pointing at the block's brace", () => {
  expectError(".:53 {\n    errors\n    health\n", "coredns", 1, 6, /never closed/);
});

test("a stray '}' on a directive line", () => {
  expectError(core("    cache 30 }"), "coredns", 8, 14, /Unexpected '\}'/);
});

test("the server block's '{' may be on the next line, and keys may continue after a trailing comma", () => {
  expectValid("example.org,\n  example.net:53\n{\n    errors\n    health\n    forward . 1.1.1.1\n}\n", "nodelocal", {});
});

test("'#' starts a comment even in the middle of a token; quotes keep backslashes", () => {
  expectValid(core('    forward . 1.1.1.1#comment\n    template IN A example.org {\n       match "^a\\.example\\.org\\.$"\n       answer "{{ .Name }} 60 IN A 10.0.0.1"\n       fallthrough\n    }'), "coredns");
});

test("unknown plugin is rejected with its position", () => {
  expectError(core("    forwardd . 1.1.1.1"), "coredns", 8, 5, /Unknown directive 'forwardd'/);
});

test("plugins unknown to node-cache's CoreDNS 1.10.0 fail at parse (timeouts, view)", () => {
  expectError(nl("    timeouts {\n       udp 5s\n    }"), "nodelocal", 6, 5, /Unknown directive 'timeouts'/);
  expectValid(core("    forward . 1.1.1.1\n    view internal {\n       expr incidr(client_ip(), '10.0.0.0/8')\n    }"), "coredns");
});

// ---- snippets, import, env -----------------------------------------------------------------------------------------

test("snippets are expanded by import; errors inside point at the snippet's line", () => {
  const ok = `(common) {\n    errors\n    cache 30\n    reload\n}\n.:53 {\n    import common\n    health\n    ready\n    kubernetes cluster.local\n    forward . 1.1.1.1\n}\n`;
  expectValid(ok, "coredns");
  const bad = ok.replace("cache 30", "cache 30s");
  expectError(bad, "coredns", 3, 11, /integer number of seconds/);
});

test("import of an undefined snippet, redeclared snippet", () => {
  expectError(core("    import nothere\n    forward . 1.1.1.1"), "coredns", 8, 12, /neither a snippet/);
  expectError(`(a) {\n  errors\n}\n(a) {\n  errors\n}\n${core("    forward . 1.1.1.1")}`, "coredns", 4, 1, /Redeclaration of snippet 'a'/);
});

test("{$VAR}: the node-cache upstream env var is accepted as a forward target; substitution uses opts.env", () => {
  expectValid(nl("    forward . {$KUBE_DNS_UPSTREAM_SERVICE_HOST} {\n       force_tcp\n    }"), "nodelocal");
  expectError(nl("    forward . {$UP}"), "nodelocal", 6, 15, /Forward loop/, { env: { UP: "10.96.0.10" } });
});

// ---- keys, duplicates --------------------------------------------------------------------------------------------

test("duplicate zone+port across blocks, with zone normalisation (case, trailing dot, default port)", () => {
  const text = `${core("    forward . 1.1.1.1")}VIKTORBARZIN.LAN.:53 {\n    forward . 10.96.0.53\n}\nviktorbarzin.lan {\n    forward . 10.96.0.53\n}\n`;
  expectError(text, "coredns", 13, 1, /cannot serve dns:\/\/viktorbarzin\.lan\.:53 - it is already defined \(line 10\)/);
});

test("same zone on different ports is fine; bind vs no-bind on the same zone+port is an overlap", () => {
  expectValid(`${core("    forward . 1.1.1.1")}.:5353 {\n    forward . 1.1.1.1\n}\n`, "coredns");
  expectError(`${nl("    forward . __PILLAR__CLUSTER__DNS__")}cluster.local:53 {\n    forward . 10.0.0.1\n}\n`, "nodelocal", 8, 1, /zone overlap/);
});

test("CIDR keys expand to reverse zones and collide with the written reverse zone", () => {
  expectError(`${core("    forward . 1.1.1.1")}10.0.0.0/8 {\n    forward . 1.1.1.1\n}\n10.in-addr.arpa {\n    forward . 1.1.1.1\n}\n`, "coredns", 13, 1, /10\.in-addr\.arpa\.:53/);
});

test("bad port in a key", () => {
  expectError(".:abc {\n    health\n}\n", "nodelocal", 1, 1, /Invalid port 'abc'/);
});

// ---- the rules that break DNS ------------------------------------------------------------------------------------

test("NodeLocal forward loops: to the kube-dns ClusterIP, the link-local IP, or a stack-specific address", () => {
  expectError(nl("    forward . 10.96.0.10"), "nodelocal", 6, 15, /Forward loop: 10\.96\.0\.10/);
  expectError(nl("    forward . 1.1.1.1 169.254.20.10:53"), "nodelocal", 6, 23, /Forward loop: 169\.254\.20\.10/);
  const stack = parseStackConfig({ ...defaultStackConfig, nodelocal: { ...defaultStackConfig.nodelocal, kubeDnsClusterIp: "10.43.0.10" } });
  const text = `cluster.local:53 {\n    health 169.254.20.10:8080\n    reload\n    forward . 10.43.0.10\n}\n`;
  expectError(text, "nodelocal", 4, 15, /Forward loop/, { stack });
});

test("CoreDNS forwarding to NodeLocal's addresses is a loop", () => {
  expectError(core("    forward . 169.254.20.10"), "coredns", 8, 15, /intercepted by NodeLocal/);
  expectError(core("    forward . 8.8.8.8 10.96.0.10"), "coredns", 8, 23, /intercepted by NodeLocal/);
  expectError(core("    forward . 127.0.0.1"), "coredns", 8, 15, /loopback/);
});

test("removing ready from CoreDNS, or moving it, is rejected", () => {
  const noReady = fixture("seed-coredns.Corefile").replace("    ready\n", "");
  const r = expectError(noReady, "coredns", 1, 1, /'ready' is missing.*kube-dns endpoints/);
  assert.equal(errorsOf(r).length, 1);
  expectError(fixture("seed-coredns.Corefile").replace("    ready\n", "    ready :8282\n"), "coredns", 6, 11, /ready moved to port 8282/);
});

test("health missing (both targets) and health on the wrong address for node-cache", () => {
  expectError(fixture("seed-coredns.Corefile").replace(/    health \{\n.*\n    \}\n/, ""), "coredns", 1, 1, /'health' is missing/);
  expectError(fixture("nodelocal-upstream-rendered.Corefile").replace("    health 169.254.20.10:8080\n", ""), "nodelocal", 1, 1, /'health' is missing.*169\.254\.20\.10:8080/);
  expectError(fixture("nodelocal-upstream-rendered.Corefile").replace("health 169.254.20.10:8080", "health 10.96.0.10:8081"), "nodelocal", 14, 12, /must listen on 169\.254\.20\.10:8080/, { stack: defaultStackConfig });
  expectError(fixture("seed-coredns.Corefile").replace("    health {", "    health :9090 {"), "coredns", 3, 12, /port 9090/);
});

test("template without fallthrough in a block that forwards is an error; standalone it is a warning", () => {
  const seed = fixture("seed-coredns.Corefile");
  expectError(seed.replace("       fallthrough\n", ""), "coredns", 29, 5, /template without 'fallthrough'.*SERVFAIL instead of reaching forward/);
  const alone = `${core("    forward . 1.1.1.1")}example.org {\n    template IN A example.org {\n       match "^www\\."\n       answer "{{ .Name }} 60 IN A 10.0.0.1"\n    }\n}\n`;
  const r = expectValid(alone, "coredns");
  assert.ok(warningsOf(r).some((w) => /without 'fallthrough'/.test(w.message) && w.line === 11));
});

test("the once-per-block plugins", () => {
  expectError(core("    cache 30\n    cache 60"), "coredns", 9, 5, /only be used once per Server Block \(first use on line 8\)/);
  expectError(core("    loop\n    loop"), "coredns", 9, 5, /once per Server Block/);
});

// ---- plugin arguments ------------------------------------------------------------------------------------------

test("cache: integer TTLs, durations for serve_stale, known properties", () => {
  expectError(core("    cache 30s"), "coredns", 8, 11, /not an integer.*drop the unit/);
  expectError(core("    cache {\n       success 10000 300s\n    }"), "coredns", 9, 22, /cache success TTL: '300s' is not an integer/);
  expectError(core("    cache {\n       serve_stale 86400\n    }"), "coredns", 9, 20, /not a Go duration/);
  expectError(core("    cache {\n       prefetch 10 1m 5%\n    }"), "coredns", 9, 23, /between 10% and 90%/);
  expectError(core("    cache {\n       sucess 10000\n    }"), "coredns", 9, 8, /Unknown property 'sucess'/);
  expectError(core("    cache 0"), "coredns", 8, 11, /at least 1/);
  expectValid(core("    forward . 1.1.1.1\n    cache 30 example.org {\n       keepttl\n       disable denial example.org\n    }"), "coredns");
  expectError(nl("    cache {\n       keepttl\n    }"), "nodelocal", 7, 8, /keepttl' needs CoreDNS 1\.10\.1/);
});

test("forward: ≤15 upstreams, no hostnames, version-gated options, known policies", () => {
  const sixteen = Array.from({ length: 16 }, (_, k) => `10.1.0.${k + 1}`).join(" ");
  expectError(core(`    forward . ${sixteen}`), "coredns", 8, 15 + 15 * 9 + 6, /at most 15 upstreams/);
  expectError(core("    forward . dns.google"), "coredns", 8, 15, /not an IP address or file.*hostnames/);
  expectError(core("    forward . 1.1.1.1 {\n       next NXDOMAIN\n    }"), "coredns", 9, 8, /needs CoreDNS 1\.11\.4/);
  expectValid(core("    forward . 1.1.1.1 {\n       next NXDOMAIN\n    }"), "coredns", { corednsVersion: "1.11.4" });
  expectError(core("    forward . 1.1.1.1 {\n       policy fastest\n    }"), "coredns", 9, 15, /unknown policy 'fastest'/);
  expectError(core("    forward . 1.1.1.1 {\n       health_check 5\n    }"), "coredns", 9, 21, /not a Go duration/);
  expectError(core("    forward ."), "coredns", 8, 13, /at least one TO/);
  expectError(core("    forward . 1.1.1.1 {\n       max_fails two\n    }"), "coredns", 9, 18, /not an integer/);
  expectValid(core("    forward . tls://1.1.1.1 [2606:4700::1111]:53 1.0.0.1:5353 {\n       tls_servername cloudflare-dns.com\n       health_check 5s no_rec domain example.org\n       expire 10s\n       prefer_udp\n    }"), "coredns");
});

test("template: class/type/rcode names and regex compilation", () => {
  expectError(core('    template INN A {\n       fallthrough\n    }'), "coredns", 8, 14, /not a DNS class/);
  expectError(core('    template IN AAAAA {\n       fallthrough\n    }'), "coredns", 8, 17, /not a DNS record type/);
  expectError(core('    template IN A {\n       rcode NOTFOUND\n       fallthrough\n    }'), "coredns", 9, 14, /unknown rcode 'NOTFOUND'/);
  expectError(core('    template IN A {\n       match "(unclosed"\n       fallthrough\n    }'), "coredns", 9, 14, /does not compile/);
  expectError(core('    template IN A {\n       match "^(?=a)"\n       fallthrough\n    }'), "coredns", 9, 14, /lookaround/);
  expectError(core('    template IN A {\n       answer "{{$name}} 60 IN A 1.2.3.4"\n       fallthrough\n    }'), "coredns", 9, 15, /environment reference/);
});

test("kubernetes: pods modes, ttl range, unknown options, reverse zones without fallthrough", () => {
  expectError(".:53 {\n health\n ready\n kubernetes cluster.local {\n  pods sometimes\n }\n}\n", "coredns", 5, 8, /disabled, insecure, verified/);
  expectError(".:53 {\n health\n ready\n kubernetes cluster.local {\n  ttl 4000\n }\n}\n", "coredns", 5, 7, /at most 3600/);
  expectError(".:53 {\n health\n ready\n kubernetes cluster.local {\n  resyncperiod 5m\n }\n}\n", "coredns", 5, 3, /Unknown property 'resyncperiod'/);
  const r = expectValid(".:53 {\n health\n ready\n kubernetes cluster.local in-addr.arpa\n}\n", "coredns");
  assert.ok(warningsOf(r).some((w) => w.line === 4 && w.column === 27 && /PTR/.test(w.message)));
  expectError(".:53 {\n health\n ready\n kubernetes example.org\n}\n", "coredns", 4, 2, /No 'kubernetes' plugin serves cluster\.local/);
});

test("health, prometheus, ready addresses need host:port", () => {
  expectError(core("    prometheus 9153"), "coredns", 8, 16, /not a host:port/);
  expectError(nl("    prometheus :9253 :9254"), "nodelocal", 6, 22, /at most 1 argument/);
  expectError(".:53 {\n    health 8080\n    ready\n    kubernetes cluster.local\n}\n", "coredns", 2, 12, /not a host:port address \(write ':8080'/);
  expectError(".:53 {\n    health {\n      lameduck five\n    }\n    ready\n    kubernetes cluster.local\n}\n", "coredns", 3, 16, /not a Go duration/);
});

test("reload durations, loadbalance policies by version, loop/whoami take no args, log classes, errors options", () => {
  expectError(core("    reload 1s"), "coredns", 8, 12, /at least 2s/);
  expectError(core("    reload 30s 0s"), "coredns", 8, 16, /at least 1s/);
  expectValid(core("    reload 30s 0s"), "coredns", { corednsVersion: "1.14.3" });
  expectError(nl("    loadbalance weighted /etc/w"), "nodelocal", 6, 17, /needs CoreDNS 1\.11/);
  expectError(core("    loadbalance random"), "coredns", 8, 17, /unknown policy 'random'/);
  expectError(core("    loop 5"), "coredns", 8, 10, /takes no arguments/);
  expectError(core("    log {\n       class sucess\n    }"), "coredns", 9, 14, /unknown class 'sucess'/);
  expectError(".:53 {\n    errors {\n       consolidate 5m \".* i/o timeout$\" loud\n    }\n    health\n    ready\n    kubernetes cluster.local\n}\n", "coredns", 3, 41, /unknown level 'loud'/);
  expectError(core("    whoami now"), "coredns", 8, 12, /takes no arguments/);
});

test("bind, hosts, rewrite basics", () => {
  expectError(nl("    bind 169.254.20.300"), "nodelocal", 6, 10, /not a valid IP address or interface name/);
  expectError(core("    hosts {\n       10.0.0.1\n    }\n    forward . 1.1.1.1"), "coredns", 9, 8, /needs at least one name/);
  expectError(core("    hosts {\n       tll 60\n    }\n    forward . 1.1.1.1"), "coredns", 9, 8, /neither an option/);
  expectValid(core("    hosts /etc/hosts example.org {\n       10.0.0.1 a.example.org\n       ttl 60\n       fallthrough\n    }\n    forward . 1.1.1.1"), "coredns");
  expectError(core("    rewrite nam foo.example.org bar.example.org"), "coredns", 8, 13, /unknown field 'nam'/);
  expectValid(core("    rewrite name regex (.*)\\.old\\.lan {1}.new.lan\n    forward . 1.1.1.1"), "coredns");
  expectError(core("    rewrite name exact foo.example.org"), "coredns", 8, 24, /needs FROM and TO/);
});

test("nodelocal: bind should cover the -localip set; missing reload is a warning", () => {
  const r = validateCorefile(`cluster.local:53 {\n    health 169.254.20.10:8080\n    bind 169.254.20.10\n    forward . __PILLAR__CLUSTER__DNS__\n}\n`, "nodelocal", { stack: defaultStackConfig });
  assert.equal(r.valid, true);
  assert.ok(warningsOf(r).some((w) => /reload/.test(w.message)));
  assert.ok(warningsOf(r).some((w) => w.line === 3 && /missing 10\.96\.0\.10/.test(w.message)));
});

test("empty Corefile and unknown version", () => {
  expectError("  \n", "coredns", 1, 1, /empty/);
  expectError(core("    forward . 1.1.1.1"), "coredns", 1, 1, /Unknown CoreDNS version/, { corednsVersion: "latest" });
});

test("errors are sorted by position", () => {
  const r = validateCorefile(core("    cache 30s\n    forward . 10.96.0.10\n    loop x"), "coredns");
  const pos = r.errors.map((e) => e.line * 1000 + e.column);
  assert.deepEqual(pos, [...pos].sort((a, b) => a - b));
  assert.ok(r.errors.length >= 3);
});

// ---- more real-world Corefiles -------------------------------------------------------------------------------------

test("k3s's default Corefile (hosts file, file imports at block and top level) is valid, with import warnings", () => {
  const r = expectValid(fixture("k3s-coredns.Corefile"), "coredns");
  assert.ok(warningsOf(r).some((w) => w.line === 20 && /cannot be checked/.test(w.message)));
  assert.ok(warningsOf(r).some((w) => w.line === 22 && /cannot be checked/.test(w.message)));
});

test("a busier cluster Corefile (snippets, rewrites, templates, tls upstreams, CIDR zone, stub zones) is valid", () => {
  const r = expectValid(fixture("misc-coredns.Corefile"), "coredns");
  // the AAAA template has no match (catch-all), so no fallthrough warning
  assert.ok(!r.errors.some((e) => /fallthrough/.test(e.message)), JSON.stringify(r.errors));
});

test("kubespray's non-transparent NodeLocal (link-local only, static upstream) is valid without a stack", () => {
  expectValid(fixture("kubespray-nodelocal.Corefile"), "nodelocal");
  // but with this homelab's stack its health address does not match the DaemonSet's probe
  expectError(fixture("kubespray-nodelocal.Corefile"), "nodelocal", 14, 12, /must listen on 169\.254\.20\.10:8080/, { stack: defaultStackConfig });
  // and forwarding to its own bound address is still a loop
  expectError(fixture("kubespray-nodelocal.Corefile").replace("forward . 10.233.0.3 {", "forward . 169.254.25.10 {"), "nodelocal", 10, 15, /Forward loop/);
});

test("RE2 inline flag groups and named groups are accepted", () => {
  expectValid(core('    forward . 1.1.1.1\n    template IN A example.org {\n       match "(?i:^WWW)\\.example\\.org\\.$" "^(?P<x>a)\\."\n       fallthrough\n    }'), "coredns");
});

test("a block's closing '}' on a property's line is an argument to caddy, not a brace", () => {
  expectError(core("    forward . 1.1.1.1 {\n       max_fails 2 }"), "coredns", 9, 20, /must be on its own line.*max_fails/);
  // a property on the '{' line is fine (caddy's NextBlock reads it)
  expectValid(core("    forward . 1.1.1.1 { max_fails 2\n    }"), "coredns");
});

test("server block structure: no keys, keys on separate lines without a comma, extra comma", () => {
  expectError("{\n    errors\n}\n", "coredns", 1, 1, /needs at least one key/);
  expectError("example.org\nexample.net {\n    health\n}\n", "nodelocal", 2, 1, /Unknown directive 'example\.net'/);
  expectError("example.org, {\n    health\n}\n", "nodelocal", 1, 14, /extra comma/);
  expectError('.:53 {\n    health\n    forward . "1.1.1.1\n}\n', "nodelocal", 3, 15, /Unterminated quoted string/);
});

test("never throws while typing: every prefix and random edits of real Corefiles give in-bounds positions", () => {
  const texts = ["seed-coredns.Corefile", "misc-coredns.Corefile", "nodelocal-upstream-rendered.Corefile", "k3s-coredns.Corefile"].map(fixture);
  let seed = 42;
  const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed % n);
  const pieces = ["{", "}", '"', "#", "\n", " ", "import ", "(s)", "{$X}", "forward . ", "10.96.0.10", ":53", ",", "\\", "cache 30s"];
  for (const text of texts) {
    const variants: string[] = [];
    for (let k = 0; k <= text.length; k += 7) variants.push(text.slice(0, k));
    for (let k = 0; k < 150; k++) {
      const at = rnd(text.length);
      variants.push(text.slice(0, at) + pieces[rnd(pieces.length)] + text.slice(at + rnd(3)));
    }
    for (const v of variants) {
      for (const target of ["coredns", "nodelocal"] as const) {
        const r = validateCorefile(v, target, { stack: defaultStackConfig });
        const lines = v.split("\n").length;
        for (const e of r.errors) {
          assert.ok(e.line >= 1 && e.line <= Math.max(1, lines), `line ${e.line} of ${lines}: ${e.message}`);
          assert.ok(e.column >= 1, `column ${e.column}`);
        }
        assert.equal(r.valid, !r.errors.some((e) => e.severity !== "warning"));
      }
    }
  }
});

test("import glob with more than one '*'", () => {
  expectError(core("    import /etc/coredns/*/*.override\n    forward . 1.1.1.1"), "coredns", 8, 12, /more than one '\*'/);
});
