import type { z } from "zod";

export interface FieldIssue {
  path: string;
  message: string;
}

/** zod issues as `path: message` pairs a form can put next to its fields. */
export function zodIssues(error: z.ZodError): FieldIssue[] {
  return error.issues.map((i) => ({ path: i.path.map(String).join("."), message: i.message }));
}
