// Manual run: `npx tsx twin/kube/main.ts [--port 6443] [--speed 1] [--state .demo/kube] [--no-seed]`
// Prints the URL, kubeconfig path and tokens; Ctrl-C stops.
import { startKubeTwin } from "./index";

const args = process.argv.slice(2);
const opt = (name: string) => { const i = args.indexOf(`--${name}`); return i >= 0 ? args[i + 1] : undefined; };
const twin = await startKubeTwin({
  port: Number(opt("port") ?? 0),
  speed: Number(opt("speed") ?? 1),
  stateDir: opt("state") ?? ".demo/kube",
  seed: !args.includes("--no-seed"),
});
console.log(`kube twin: ${twin.url}`);
console.log(`KUBECONFIG=${twin.kubeconfigPath}`);
console.log(`token: ${twin.token}`);
console.log(`admin (x-twin-admin): ${twin.adminToken}`);
const stop = async () => { await twin.stop(); process.exit(0); };
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
