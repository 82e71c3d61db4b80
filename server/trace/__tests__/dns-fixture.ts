/** Tiny UDP DNS responders for tests (127.0.0.x, high ports): answer A records from a table, or never answer. */
import dgram from "node:dgram";

export interface Fixture {
  port: number;
  close(): Promise<void>;
  received: number;
}

/** answers: name → { ip, ttl } (missing → NXDOMAIN). `silent` reads and drops every query. */
export async function dnsServer(host: string, answers: Record<string, { ip: string; ttl: number }> | "silent"): Promise<Fixture> {
  const sock = dgram.createSocket("udp4");
  const fx: Fixture = { port: 0, received: 0, close: () => new Promise((r) => sock.close(() => r())) };
  sock.on("message", (msg, rinfo) => {
    fx.received++;
    if (answers === "silent") return;
    let off = 12;
    const labels: string[] = [];
    while (msg[off] !== 0) {
      labels.push(msg.subarray(off + 1, off + 1 + msg[off]).toString("ascii"));
      off += msg[off] + 1;
    }
    const qEnd = off + 5;
    const name = labels.join(".").toLowerCase();
    const hit = answers[name];
    const head = Buffer.from(msg.subarray(0, qEnd));
    head.writeUInt16BE(0x8180 | (hit ? 0 : 3), 2); // QR RD RA, rcode
    head.writeUInt16BE(1, 4);
    head.writeUInt16BE(hit ? 1 : 0, 6);
    head.writeUInt16BE(0, 8);
    head.writeUInt16BE(0, 10);
    const parts = [head];
    if (hit) {
      const rr = Buffer.alloc(16);
      rr.writeUInt16BE(0xc00c, 0);
      rr.writeUInt16BE(1, 2);
      rr.writeUInt16BE(1, 4);
      rr.writeUInt32BE(hit.ttl, 6);
      rr.writeUInt16BE(4, 10);
      hit.ip.split(".").forEach((o, i) => rr.writeUInt8(Number(o), 12 + i));
      parts.push(rr);
    }
    sock.send(Buffer.concat(parts), rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve, reject) => {
    sock.once("error", reject);
    sock.bind(0, host, () => resolve());
  });
  fx.port = sock.address().port;
  return fx;
}
