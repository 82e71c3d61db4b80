import assert from "node:assert/strict";
import { test } from "node:test";
import { parseJsonc } from "../jsonc";

// App configs as a person leaves them on Technitium 15.x (comments allowed): read with comments, trailing commas and
// strings that look like JSON syntax all intact — the hand-written reader turned "x,}" into "x}".

test("a hand-edited DNS Rebinding Protection config with comments and a trailing comma reads as the app reads it", () => {
  const text = `{
  // edited by hand on the tertiary; comments are fine on 15.x
  "enableProtection": true,
  "bypassNetworks": [ /* none yet */ ],
  "privateNetworks": ["10.0.0.0/8", "192.168.0.0/16",],
  "privateDomains": ["home.arpa", "viktorbarzin.me"], // the public zone: translated answers stay
}`;
  assert.deepEqual(parseJsonc(text), { enableProtection: true, bypassNetworks: [], privateNetworks: ["10.0.0.0/8", "192.168.0.0/16"], privateDomains: ["home.arpa", "viktorbarzin.me"] });
});

test("strings keep what looks like syntax: ',}', ',]', '//' and '/* */' inside values are data", () => {
  const text = `{"note": "x,}", "list": ["a,]", "http://example.com/a", "/* not a comment */"], "path": "C:\\\\dns\\\\", "q": "say \\"hi\\", // still text"}`;
  assert.deepEqual(parseJsonc(text), { note: "x,}", list: ["a,]", "http://example.com/a", "/* not a comment */"], path: "C:\\dns\\", q: 'say "hi", // still text' });
});

test("a broken config is an error naming where, not a half-read value", () => {
  assert.throws(() => parseJsonc(`{\n  "enableProtection": true\n  "privateDomains": []\n}`), /CommaExpected at line 3, column 3/);
  assert.throws(() => parseJsonc(""), /ValueExpected at line 1/);
  assert.throws(() => parseJsonc(`{"a": 1} # shell comments are not JSONC`), /InvalidSymbol|EndOfFileExpected/);
});
