// Runs once when the server starts: a bad or missing environment variable stops dnsdeck here, naming it.
export async function register() {
  if (process.env.NEXT_RUNTIME === "nodejs") await import("./server/check-env");
}
