"use server";
import { cookies } from "next/headers";
import { z } from "zod";
import { DEMO_ROLE_COOKIE } from "@/server/auth/identity";
import { env } from "@/server/env";
import { AppError } from "@/server/errors";
import { action } from "@/server/http/guard";

// Demo mode only: act as another role to see what it may and may not do.
export const switchDemoRole = action(
  { role: "viewer", action: "demo.switch-role", input: z.object({ role: z.enum(["viewer", "operator", "admin"]) }) },
  async ({ input }) => {
    if (env().AUTH_MODE !== "demo") throw new AppError("forbidden", "the role switcher exists only in demo mode");
    (await cookies()).set(DEMO_ROLE_COOKIE, input.role, { httpOnly: true, sameSite: "strict", path: "/" });
    return { role: input.role };
  },
);
