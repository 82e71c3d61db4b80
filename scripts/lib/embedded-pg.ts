// The demo's zero-setup database: PGlite (PostgreSQL compiled to WASM) served over a local TCP socket, so the app,
// Prisma's pg adapter and the twin talk to it exactly as to a PostgreSQL server.
import { PGlite } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";

export interface EmbeddedPostgres {
  url: string;
  stop(): Promise<void>;
}

export async function startEmbeddedPostgres(opts: { dataDir: string; port: number }): Promise<EmbeddedPostgres> {
  const db = await PGlite.create(opts.dataDir, { extensions: { pg_trgm } });
  // The default of one connection breaks connection pools; PGlite still runs one statement at a time.
  const server = new PGLiteSocketServer({ db, host: "127.0.0.1", port: opts.port, maxConnections: 32 });
  await server.start();
  return {
    url: `postgresql://postgres@127.0.0.1:${opts.port}/postgres`,
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}
