// The demo's zero-setup database: PGlite (PostgreSQL compiled to WASM) served over a local TCP socket, so the app,
// Prisma's pg adapter and the twin talk to it exactly as to a PostgreSQL server.
import { PGlite } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";

export interface EmbeddedPostgres {
  url: string;
  stop(): Promise<void>;
}

// Frontend message types of PostgreSQL's extended query protocol, and the ones that end a sequence.
const EXTENDED = new Set([0x50 /* Parse */, 0x42 /* Bind */, 0x44 /* Describe */, 0x45 /* Execute */, 0x43 /* Close */, 0x48 /* Flush */]);
const ENDS = new Set([0x53 /* Sync */, 0x51 /* simple Query */, 0x58 /* Terminate */]);

/**
 * PGlite has one session. pglite-socket serves many client connections from it by queueing their protocol messages
 * one at a time, and keeps one connection's messages together only while a transaction is open. A parameterised
 * query is several messages (Parse, Bind, Describe, Execute, Sync), so two connections sending at once overwrote each
 * other's unnamed statement and portal ("unnamed prepared statement does not exist", "bind message supplies 9
 * parameters, but prepared statement "" requires 4", "portal "" does not exist"). This view of the database reports an
 * unfinished sequence as an open transaction, so the queue serves the same connection until its Sync.
 */
export function sequenceAware(db: PGlite): PGlite {
  let open = false;
  return new Proxy(db, {
    get(target, prop) {
      if (prop === "isInTransaction") return () => open || target.isInTransaction();
      if (prop === "execProtocolRawStream")
        return async (message: Uint8Array, options: Parameters<PGlite["execProtocolRawStream"]>[1]) => {
          const type = message[0];
          if (EXTENDED.has(type)) open = true;
          try {
            return await target.execProtocolRawStream(message, options);
          } finally {
            if (ENDS.has(type)) open = false;
          }
        };
      if (prop === "exec")
        // pglite-socket rolls back for a client that went away mid-transaction; its unfinished sequence goes with it.
        return (query: string, ...rest: unknown[]) => {
          open = false;
          return (target.exec as (q: string, ...r: unknown[]) => unknown)(query, ...rest);
        };
      const v = Reflect.get(target, prop, target);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
}

/** `dataDir` unset: in memory. `port` 0: any free port (the url says which). */
export async function startEmbeddedPostgres(opts: { dataDir?: string; port: number }): Promise<EmbeddedPostgres> {
  const db = await PGlite.create(opts.dataDir, { extensions: { pg_trgm } });
  // The default of one connection breaks connection pools; PGlite still runs one statement at a time.
  const server = new PGLiteSocketServer({ db: sequenceAware(db), host: "127.0.0.1", port: opts.port, maxConnections: 32 });
  await server.start();
  return {
    url: `postgresql://postgres@${server.getServerConn()}/postgres`,
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}
