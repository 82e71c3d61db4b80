// GET /api/v1/health – liveness; no auth, touches nothing.
export const dynamic = "force-dynamic";

export function GET() {
  return Response.json({ status: "ok" });
}
