/**
 * Binary packing of per-key rollup entries (querylog_key_day's bytea columns). Fixed-width little-endian records, so
 * a reader decodes thousands of them per millisecond without parsing text arrays, and a row costs 7–10 bytes per entry
 * instead of a table row's ~60. Pure.
 *
 *   h  (a busy key's own row)   hour u8 · sig u16 · n u32        what the key did each hour, per signature
 *   r  (a busy key's own row)   server u8 · bucket u8 · n u32    Recursive RTT histogram per instance, for the day
 *   d  (both)                   key u32 · sig u16 · n u32        the day's count per key and signature (a pool row:
 *                                                                  every quiet key of the pool; a busy key's row: itself)
 */

export const H_SIZE = 7;
export const R_SIZE = 6;
export const D_SIZE = 10;

export interface HourEntry {
  hour: number;
  sig: number;
  n: number;
}
export interface RttEntry {
  server: number;
  bucket: number;
  n: number;
}
export interface PoolEntry {
  key: number;
  sig: number;
  n: number;
}

export function packHours(entries: HourEntry[]): Buffer {
  const b = Buffer.allocUnsafe(entries.length * H_SIZE);
  entries.sort((a, c) => a.hour - c.hour || a.sig - c.sig);
  let o = 0;
  for (const e of entries) {
    b.writeUInt8(e.hour, o);
    b.writeUInt16LE(e.sig, o + 1);
    b.writeUInt32LE(e.n, o + 3);
    o += H_SIZE;
  }
  return b;
}

export function eachHour(b: Buffer | null | undefined, fn: (hour: number, sig: number, n: number) => void): void {
  if (!b) return;
  for (let o = 0; o + H_SIZE <= b.length; o += H_SIZE) fn(b.readUInt8(o), b.readUInt16LE(o + 1), b.readUInt32LE(o + 3));
}

export function packRtt(entries: RttEntry[]): Buffer {
  const b = Buffer.allocUnsafe(entries.length * R_SIZE);
  entries.sort((a, c) => a.server - c.server || a.bucket - c.bucket);
  let o = 0;
  for (const e of entries) {
    b.writeUInt8(e.server, o);
    b.writeUInt8(e.bucket, o + 1);
    b.writeUInt32LE(e.n, o + 2);
    o += R_SIZE;
  }
  return b;
}

export function eachRtt(b: Buffer | null | undefined, fn: (server: number, bucket: number, n: number) => void): void {
  if (!b) return;
  for (let o = 0; o + R_SIZE <= b.length; o += R_SIZE) fn(b.readUInt8(o), b.readUInt8(o + 1), b.readUInt32LE(o + 2));
}

export function packPool(entries: PoolEntry[]): Buffer {
  const b = Buffer.allocUnsafe(entries.length * D_SIZE);
  entries.sort((a, c) => a.key - c.key || a.sig - c.sig);
  let o = 0;
  for (const e of entries) {
    b.writeUInt32LE(e.key, o);
    b.writeUInt16LE(e.sig, o + 4);
    b.writeUInt32LE(e.n, o + 6);
    o += D_SIZE;
  }
  return b;
}

/** Index of key `k`'s first entry in a row of `count` entries sorted by key (or where it would be). */
function firstOf(b: Buffer, count: number, k: number): number {
  let lo = 0;
  let hi = count;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (b.readUInt32LE(mid * D_SIZE) < k) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Entries [i, j) of a row added into per-signature sums where `mask` allows; `into.a` grows past its end. Rows added. */
function sumEntries(b: Buffer, i: number, j: number, into: { a: Float64Array }, mask: Uint8Array | null): number {
  let total = 0;
  for (let o = i * D_SIZE; o < j * D_SIZE; o += D_SIZE) {
    const sig = b[o + 4] | (b[o + 5] << 8);
    if (mask && mask[sig] !== 1) continue;
    if (sig >= into.a.length) {
      const g = new Float64Array(Math.max(sig + 1, into.a.length * 2));
      g.set(into.a);
      into.a = g;
    }
    const n = b.readUInt32LE(o + 6);
    into.a[sig] += n;
    total += n;
  }
  return total;
}

/**
 * Every entry of a busy key's row added into per-signature sums, where `mask` allows (no callback per entry: a CIDR's
 * 250 clients over 90 days are ~800,000 entries).
 */
export function sumPool(b: Buffer | null | undefined, into: { a: Float64Array }, mask: Uint8Array | null): void {
  if (b) sumEntries(b, 0, Math.floor(b.length / D_SIZE), into, mask);
}

/**
 * sumPool for the entries of the keys in `keys` only (a pool row holds many quiet keys): returns the rows added, and
 * names each key that had any once in `seen`.
 */
export function sumPoolKeys(b: Buffer | null | undefined, keys: Set<number>, into: { a: Float64Array }, mask: Uint8Array | null, seen: Set<number>): number {
  if (!b) return 0;
  const count = Math.floor(b.length / D_SIZE);
  let total = 0;
  for (const k of keys) {
    const i = firstOf(b, count, k);
    let j = i;
    while (j < count && b.readUInt32LE(j * D_SIZE) === k) j++;
    const n = sumEntries(b, i, j, into, mask);
    if (n) seen.add(k);
    total += n;
  }
  return total;
}

/** Entries of a pool row for the keys in `keys` (sorted by key in the row: binary search, then a short walk). */
export function eachPool(b: Buffer | null | undefined, keys: Set<number> | null, fn: (key: number, sig: number, n: number) => void): void {
  if (!b) return;
  const count = Math.floor(b.length / D_SIZE);
  if (!keys) {
    for (let i = 0; i < count; i++) fn(b.readUInt32LE(i * D_SIZE), b.readUInt16LE(i * D_SIZE + 4), b.readUInt32LE(i * D_SIZE + 6));
    return;
  }
  for (const k of keys) for (let i = firstOf(b, count, k); i < count && b.readUInt32LE(i * D_SIZE) === k; i++) fn(k, b.readUInt16LE(i * D_SIZE + 4), b.readUInt32LE(i * D_SIZE + 6));
}

/** A top list: key u32 · n u32, highest first. */
export function packTop(entries: { key: number; n: number }[]): Buffer {
  const b = Buffer.allocUnsafe(entries.length * 8);
  entries.forEach((e, i) => {
    b.writeUInt32LE(e.key, i * 8);
    b.writeUInt32LE(e.n, i * 8 + 4);
  });
  return b;
}

export function eachTop(b: Buffer | null | undefined, fn: (key: number, n: number) => void): void {
  if (!b) return;
  for (let o = 0; o + 8 <= b.length; o += 8) fn(b.readUInt32LE(o), b.readUInt32LE(o + 4));
}
