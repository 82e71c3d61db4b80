import "server-only";
import { verb } from "@/server/verb";
import { technitiumStatus } from "./status";

/** The instances side by side with per-zone convergence verdicts and disagreements (viewer). */
export const getTechnitiumStatus = verb({ name: "technitium.status", role: "viewer" }, () => technitiumStatus());
