import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startDnsStack } from "../stack";
import { parseEnv } from "../../../server/env";
import { query, parseAddressMap } from "../../../server/dns/index";
import { TechnitiumClient } from "../../../server/technitium/client";

test("the stack's env is accepted by server/env.ts and works with the production clients", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dns-stack-"));
  const stack = await startDnsStack({ stateDir: dir, port: 0, reloadMs: 300 });
  try {
    const env = parseEnv({ DATABASE_URL: "postgresql://x@127.0.0.1/x", AUTH_MODE: "demo", ...stack.env });
    assert.equal(env.TECHNITIUM_INSTANCES[0].name, "primary");
    const c = new TechnitiumClient({ ...env.TECHNITIUM_INSTANCES[1], primary: false }, env.technitiumTokens.get("secondary")!);
    assert.ok((await c.call<{ zones: unknown[] }>("zones/list")).zones.length > 0);
    const r = await query({ name: "idrac.viktorbarzin.lan", type: "A", server: "10.0.20.201", addressMap: parseAddressMap(env.DNS_ADDRESS_MAP) });
    assert.deepEqual(r.answers.map((a) => a.data), ["192.168.1.4"]);
  } finally {
    await stack.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
