import { readiness } from "@/server/health/readiness";

export const dynamic = "force-dynamic";

// GET /api/v1/ready – each dependency reachable or not, with the error. No auth: it names no secrets, and the
// cluster's readiness probe calls it.
export async function GET() {
  const r = await readiness();
  return Response.json(r, { status: r.ready ? 200 : 503, headers: { "cache-control": "no-store" } });
}
