/** Roles, lowest first. What each may do is decided here and nowhere else. */
export const ROLES = ["viewer", "operator", "admin"] as const;
export type Role = (typeof ROLES)[number];

export function roleAtLeast(have: Role | null | undefined, need: Role): boolean {
  if (!have) return false;
  return ROLES.indexOf(have) >= ROLES.indexOf(need);
}

export interface GroupMapping {
  admin: string[];
  operator: string[];
  viewer: string[];
}

/**
 * The highest role any of the groups grants. `*` in VIEWER_GROUPS makes every authenticated person a viewer;
 * without it, a person in no mapped group has no access at all.
 */
export function roleForGroups(groups: string[], mapping: GroupMapping): Role | null {
  const has = (list: string[]) => groups.some((g) => list.includes(g));
  if (has(mapping.admin)) return "admin";
  if (has(mapping.operator)) return "operator";
  if (has(mapping.viewer) || mapping.viewer.includes("*")) return "viewer";
  return null;
}
