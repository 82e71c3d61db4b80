import "server-only";
import { withTimeout } from "@/server/timeout";

/**
 * A page's first-screen read on the server (a verb called with the page's Ctx), handed to its client view as the
 * query's initial data so the first screen does not wait for hydration and a second round trip. Plain JSON (what the
 * API would have sent), or undefined when the read fails or takes longer than `budgetMs`: the view then asks the API
 * itself and shows the error or its progress as usual — a page never fails because its prefetch did.
 */
export async function prefetch<T>(p: Promise<T>, budgetMs = 1_500): Promise<T | undefined> {
  try {
    return JSON.parse(JSON.stringify(await withTimeout(p, budgetMs, () => new Error("prefetch over budget")))) as T;
  } catch {
    p.catch(() => {}); // a late rejection after the budget is not an unhandled one
    return undefined;
  }
}
