"use server";
import { z } from "zod";
import { action } from "@/server/http/guard";
import { saveConfig } from "./config-store";

/**
 * Save a new revision of the desired stack config (admin). Invalid input → `{ok:false, error:{code:"bad_request",
 * fields:{"nodelocal.linkLocalIp": "…"}}}`; nothing is saved or applied. Also used by the CoreDNS page.
 */
export const saveStackConfig = action(
  {
    role: "admin",
    action: "stack.config.save",
    input: z.object({ config: z.unknown(), note: z.string().max(500).optional() }),
  },
  async ({ identity, input, setTarget }) => {
    const rev = await saveConfig(input.config, identity.user, input.note);
    setTarget(`stack config revision ${rev.id}`);
    return { id: rev.id, createdAt: rev.createdAt, createdBy: rev.createdBy, note: rev.note };
  },
);
