"use client";
import { createContext, useContext } from "react";

type Role = "viewer" | "operator" | "admin";
const ORDER: Role[] = ["viewer", "operator", "admin"];
const Ctx = createContext<{ user: string; role: Role } | null>(null);

export function IdentityProvider({ value, children }: { value: { user: string; role: Role }; children: React.ReactNode }) {
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

/** For disabling controls only: the server checks the role again on every call. */
export function useCan(need: Role): boolean {
  const id = useContext(Ctx);
  return !!id && ORDER.indexOf(id.role) >= ORDER.indexOf(need);
}

export function useIdentity() {
  return useContext(Ctx);
}
