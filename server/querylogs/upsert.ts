/** The rollups' one write shape (pure apart from the handle it is given). */
import type { Db } from "./db-types";

/**
 * INSERT … SELECT FROM unnest(arrays) ON CONFLICT (keys) DO UPDATE: value columns are added (or, for a third element
 * "least"/"greatest", combined with that function).
 */
export async function upsertAdd(db: Db, table: string, keys: [string, string][], values: ([string, string] | [string, string, "least" | "greatest"])[], rows: unknown[][]): Promise<void> {
  if (!rows.length) return;
  const cols = [...keys, ...values];
  const arrays = cols.map((_, i) => rows.map((r) => r[i]));
  const sets = values.map(([c, , fn]) => (fn ? `${c} = ${fn}(t.${c}, EXCLUDED.${c})` : `${c} = t.${c} + EXCLUDED.${c}`));
  await db.query(
    `INSERT INTO ${table} AS t (${cols.map(([c]) => c).join(", ")})
     SELECT * FROM unnest(${cols.map(([, type], i) => `$${i + 1}::${type}[]`).join(", ")})
     ON CONFLICT (${keys.map(([c]) => c).join(", ")}) DO UPDATE SET ${sets.join(", ")}`,
    arrays,
  );
}
