import "server-only";
import { cookies } from "next/headers";
import { z } from "zod";
import { env } from "@/server/env";
import { AppError } from "@/server/errors";
import { verb } from "@/server/verb";
import { DEMO_ROLE_COOKIE } from "./identity";
import { ROLES } from "./roles";

/** Demo mode only: act as another role. Refused outside demo mode. */
export const switchDemoRole = verb({ name: "demo.switch-role", role: "viewer", audit: true, input: z.object({ role: z.enum(ROLES) }) }, async (_ctx, input) => {
  if (env().AUTH_MODE !== "demo") throw new AppError("forbidden", "the role switcher exists only in demo mode");
  (await cookies()).set(DEMO_ROLE_COOKIE, input.role, { httpOnly: true, sameSite: "strict", path: "/" });
  return { role: input.role };
});
