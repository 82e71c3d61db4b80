"use server";
import { action } from "@/server/http/guard";
import { switchDemoRole as switchDemoRoleVerb } from "@/server/auth/demo-role";

// Demo mode only: act as another role to see what it may and may not do.
export const switchDemoRole = action(switchDemoRoleVerb);
