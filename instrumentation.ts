// Runs once when the server starts: a bad or missing environment variable stops dnsdeck here, naming it.
export async function register() {
  if (process.env.NEXT_RUNTIME === "nodejs") await import("./server/check-env");
  if (process.env.NEXT_RUNTIME === "nodejs") void import("./server/querylogs/worker").then((m) => m.startRollupWorker()).catch(() => {}); // query-log rollups (issue 6); never fatal
  // runs a killed process left "running" read interrupted as soon as their lease has expired (issue 15); never fatal
  if (process.env.NEXT_RUNTIME === "nodejs") void import("./server/runs/lifecycle-hooks").then((m) => m.onStart()).catch(() => {});
  if (process.env.NEXT_RUNTIME === "nodejs") void import("./server/clients/directory").then((m) => m.startClientDirectory()).catch(() => {}); // who is asking (issue 12); never fatal
  // mermaid drawings made on the server (server/architecture/drawing.ts): the headless browser started now; never fatal
  if (process.env.NEXT_RUNTIME === "nodejs") void import("./server/architecture/drawing").then((m) => m.warmRenderer()).catch(() => {});
}
