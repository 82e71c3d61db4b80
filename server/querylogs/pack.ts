/**
 * Binary packing of per-key rollup entries (querylog_key_day's bytea columns). Fixed-width little-endian records, so
 * a reader decodes thousands of them per millisecond without parsing text arrays, and a row costs 7–10 bytes per entry
 * instead of a table row's ~60. Pure.
 *
 *   h  (a busy key's own row)   hour u8 · sig u16 · n u32        what the key did each hour, per signature
 *   r  (a busy key's own row)   server u8 · bucket u8 · n u32    Recursive RTT histogram per instance, for the day
 *   d  (both)                   key u32 · sig u16 · n u32        the day's count per key and signature (a pool row:
 *                                                                  every quiet key of the pool; a busy key's row: itself)
 *   h  (a pool row)             hour u8, n of them per d entry   the hour of each of the quiet keys' rows, in d's order
 *                                                                  (sorted within an entry): a quiet key has < 200 rows a
 *                                                                  day, so a byte a row is the cheapest exact form
 *   r  (a pool row)             key u32 · server u8 · bucket u8 · n u16   quiet keys' Recursive RTT per instance
 *
 * A pool row without h was packed before pools kept hours: its keys' hours are read raw.
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

/**
 * Index of key `k`'s first entry in a row of `count` entries of `size` bytes sorted by their leading u32 key (or where
 * it would be).
 */
function firstOf(b: Buffer, count: number, k: number, size = D_SIZE): number {
  let lo = 0;
  let hi = count;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (b.readUInt32LE(mid * size) < k) lo = mid + 1;
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
 * names each key that had any once in `seen` (when given).
 */
export function sumPoolKeys(b: Buffer | null | undefined, keys: Set<number>, into: { a: Float64Array }, mask: Uint8Array | null, seen?: Set<number>): number {
  if (!b) return 0;
  const count = Math.floor(b.length / D_SIZE);
  let total = 0;
  if (scanWhole(keys.size, count)) {
    // more keys asked than the row holds entries (a pattern's 900 names over a small pool): one pass over the row
    for (let i = 0; i < count; ) {
      const k = b.readUInt32LE(i * D_SIZE);
      let j = i + 1;
      while (j < count && b.readUInt32LE(j * D_SIZE) === k) j++;
      if (keys.has(k)) {
        const n = sumEntries(b, i, j, into, mask);
        if (n) seen?.add(k);
        total += n;
      }
      i = j;
    }
    return total;
  }
  for (const k of keys) {
    const i = firstOf(b, count, k);
    let j = i;
    while (j < count && b.readUInt32LE(j * D_SIZE) === k) j++;
    const n = sumEntries(b, i, j, into, mask);
    if (n) seen?.add(k);
    total += n;
  }
  return total;
}

/**
 * Whether looking `keys` keys up one by one (a binary search each) costs more than one pass over a row of `count`
 * entries.
 */
const scanWhole = (keys: number, count: number) => keys * Math.log2(count + 2) > count;

/** Entries of a pool row for the keys in `keys` (sorted by key in the row: binary search, then a short walk). */
export function eachPool(b: Buffer | null | undefined, keys: Set<number> | null, fn: (key: number, sig: number, n: number) => void): void {
  if (!b) return;
  const count = Math.floor(b.length / D_SIZE);
  if (!keys || scanWhole(keys.size, count)) {
    for (let i = 0; i < count; i++) {
      const k = b.readUInt32LE(i * D_SIZE);
      if (!keys || keys.has(k)) fn(k, b.readUInt16LE(i * D_SIZE + 4), b.readUInt32LE(i * D_SIZE + 6));
    }
    return;
  }
  for (const k of keys) for (let i = firstOf(b, count, k); i < count && b.readUInt32LE(i * D_SIZE) === k; i++) fn(k, b.readUInt16LE(i * D_SIZE + 4), b.readUInt32LE(i * D_SIZE + 6));
}

export const PR_SIZE = 8;

/**
 * A pool row's hours (see above): for each of `entries` (in the order packPool wrote them: by key, then sig) the hours
 * of its rows, from `rows` — every quiet row of the day as (key·2^16 + sig)·32 + hour, sorted. Null when an entry's
 * rows there are not its count (a source that did not read the hours): the row then says nothing about hours rather
 * than something wrong.
 */
export function packPoolHours(entries: PoolEntry[], rows: Float64Array): Buffer | null {
  let total = 0;
  for (const e of entries) total += e.n;
  const b = Buffer.allocUnsafe(total);
  let o = 0;
  for (const e of entries) {
    const base = (e.key * 65536 + e.sig) * 32;
    let lo = 0;
    let hi = rows.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (rows[mid] < base) lo = mid + 1;
      else hi = mid;
    }
    if (lo + e.n > rows.length || rows[lo + e.n - 1] >= base + 32 || (lo + e.n < rows.length && rows[lo + e.n] < base + 32)) return null;
    for (let i = 0; i < e.n; i++) b[o++] = rows[lo + i] - base;
  }
  return b;
}

/**
 * Hours of the entries of the keys in `keys` in a pool row (d and its h): fn(key, sig, hour, rows) once per run of
 * rows in one hour. The entries before a key's are skipped by their counts (one pass over the row's d).
 */
export function eachPoolHour(d: Buffer | null | undefined, h: Buffer | null | undefined, keys: Set<number>, fn: (key: number, sig: number, hour: number, n: number) => void): void {
  if (!d || !h) return;
  const count = Math.floor(d.length / D_SIZE);
  let o = 0;
  for (let i = 0; i < count; i++) {
    const n = d.readUInt32LE(i * D_SIZE + 6);
    const key = d.readUInt32LE(i * D_SIZE);
    if (keys.has(key)) {
      const sig = d.readUInt16LE(i * D_SIZE + 4);
      let j = o;
      while (j < o + n) {
        const hour = h[j];
        let k = j + 1;
        while (k < o + n && h[k] === hour) k++;
        fn(key, sig, hour, k - j);
        j = k;
      }
    }
    o += n;
  }
}

/**
 * A quiet key's RTT entry as one number — ((key·32 + server)·64 + bucket)·256 + n (< 2^53 for any u32 key) — so a day's
 * are sorted natively (by key first) before packPoolRtt. NaN when it does not fit (instance id ≥ 32; n ≥ 256, which a
 * quiet key cannot reach): the caller then keeps no RTT (nor hours) in pool rows.
 */
export const POOL_RTT_KEY = 32 * 64 * 256;
export function poolRttCode(e: { key: number; server: number; bucket: number; n: number }): number {
  if (e.server >= 32 || e.bucket >= 64 || e.n >= 256) return NaN;
  return ((e.key * 32 + e.server) * 64 + e.bucket) * 256 + e.n;
}

/** A pool row's RTT entries from their codes (poolRttCode), in order. */
export function packPoolRtt(codes: number[]): Buffer {
  const b = Buffer.allocUnsafe(codes.length * PR_SIZE);
  let o = 0;
  for (const c of codes) {
    const n = c % 256;
    let r = (c - n) / 256;
    const bucket = r % 64;
    r = (r - bucket) / 64;
    const server = r % 32;
    b.writeUInt32LE((r - server) / 32, o);
    b.writeUInt8(server, o + 4);
    b.writeUInt8(bucket, o + 5);
    b.writeUInt16LE(n, o + 6);
    o += PR_SIZE;
  }
  return b;
}

/** A pool row's RTT entries for the keys in `keys` (sorted by key: binary search, then a short walk). */
export function eachPoolRtt(b: Buffer | null | undefined, keys: Set<number>, fn: (key: number, server: number, bucket: number, n: number) => void): void {
  if (!b) return;
  const count = Math.floor(b.length / PR_SIZE);
  if (scanWhole(keys.size, count)) {
    for (let i = 0; i < count; i++) {
      const k = b.readUInt32LE(i * PR_SIZE);
      if (keys.has(k)) fn(k, b[i * PR_SIZE + 4], b[i * PR_SIZE + 5], b.readUInt16LE(i * PR_SIZE + 6));
    }
    return;
  }
  for (const k of keys) for (let i = firstOf(b, count, k, PR_SIZE); i < count && b.readUInt32LE(i * PR_SIZE) === k; i++) fn(k, b[i * PR_SIZE + 4], b[i * PR_SIZE + 5], b.readUInt16LE(i * PR_SIZE + 6));
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

/**
 * A packed day's slots of one signature: slot u16 · n u32 per non-empty slot, big-endian so that SQL (int2send/int4send)
 * writes the same bytes when it moves a day out of the hourly tables. querylog_sig_5m_day: slot = hour·12 + minute/5;
 * querylog_rtt_hour_day: slot = hour·40 + RTT bucket. A row may hold a slot more than once (a day's stragglers
 * appended): readers add them up. The hourly rows kept 13 (or 40) integer columns per (hour, signature), mostly zero.
 */
export const SLOT_SIZE = 6;
export function packSlots(slots: ArrayLike<number>, counts: ArrayLike<number>): Buffer {
  const b = Buffer.allocUnsafe(slots.length * SLOT_SIZE);
  for (let i = 0; i < slots.length; i++) {
    b.writeUInt16BE(slots[i], i * SLOT_SIZE);
    b.writeUInt32BE(counts[i], i * SLOT_SIZE + 2);
  }
  return b;
}

export function eachSlot(b: Buffer | null | undefined, fn: (slot: number, n: number) => void): void {
  if (!b) return;
  for (let o = 0; o + SLOT_SIZE <= b.length; o += SLOT_SIZE) fn(b.readUInt16BE(o), b.readUInt32BE(o + 2));
}
