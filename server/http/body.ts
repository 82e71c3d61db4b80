import "server-only";
import { env } from "@/server/env";
import { AppError } from "@/server/errors";

/** The largest request body dnsdeck accepts (DNSDECK_MAX_BODY_BYTES, default 1 MiB; server/start.mjs enforces it too). */
export const bodyLimit = () => env().DNSDECK_MAX_BODY_BYTES;

export const tooLarge = (limit: number) =>
  new AppError("payload_too_large", `the request body is larger than ${Math.round(limit / 1024)} KiB; nothing was read or done. Send less (a Corefile or config is far smaller).`);

/**
 * The body as text, read as a stream and abandoned as soon as it passes the limit (a declared Content-Length over
 * the limit is refused before anything is read). Invalid UTF-8 is refused.
 */
export async function readBodyText(request: Request, limit = bodyLimit()): Promise<string> {
  const declared = request.headers.get("content-length");
  if (declared !== null && Number(declared) > limit) throw tooLarge(limit);
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => {});
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(Buffer.concat(chunks));
  } catch {
    throw new AppError("bad_request", "the request body is not valid UTF-8");
  }
}

/** A JSON body (empty → {}), bounded by the limit. */
export async function readJsonBody(request: Request, limit = bodyLimit()): Promise<unknown> {
  const text = await readBodyText(request, limit);
  if (!text.trim()) return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError("bad_request", "the request body is not valid JSON");
  }
}
