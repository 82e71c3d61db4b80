/**
 * Faults for the Technitium and DNS twins from one text form, for an env variable (e.g. TWIN_DNS_FAULTS) or the demo's
 * fault panel: comma-separated `target=fault` entries.
 *   dns/<hop>=drop | dns/<hop>=delay:<ms> | dns/<hop>=clear          (hop names as DnsTwin.setFault takes them)
 *   technitium/<instance>=down | slow:<ms> | errors:<path regex> | invalid-token | dns-drop | dns-delay:<ms> | clear
 * Several faults for one technitium instance can be joined with "+": `technitium/secondary=slow:800+invalid-token`.
 */
import type { DnsTwin } from "./index";
import type { TechnitiumTwin, TechnitiumFault, InstanceName } from "../technitium/index";

export interface ParsedFault {
  target: "dns" | "technitium";
  name: string;
  dns?: { drop?: boolean; delayMs?: number } | null;
  technitium?: TechnitiumFault | null;
}

export function parseFaultSpec(spec: string | undefined): ParsedFault[] {
  const out: ParsedFault[] = [];
  for (const entry of (spec ?? "").split(",").map((s) => s.trim()).filter(Boolean)) {
    const m = /^(dns|technitium)\/([^=]+)=(.+)$/.exec(entry);
    if (!m) throw new Error(`fault "${entry}" is not dns/<hop>=… or technitium/<instance>=…`);
    const [, target, name, what] = m;
    if (target === "dns") {
      const d = /^(drop|clear|delay:(\d+))$/.exec(what);
      if (!d) throw new Error(`fault "${entry}": a DNS hop takes drop, delay:<ms> or clear`);
      out.push({ target, name, dns: what === "clear" ? null : what === "drop" ? { drop: true } : { delayMs: Number(d[2]) } });
      continue;
    }
    if (!["primary", "secondary", "tertiary"].includes(name)) throw new Error(`fault "${entry}": no Technitium instance "${name}"`);
    if (what === "clear") {
      out.push({ target: "technitium", name, technitium: null });
      continue;
    }
    const f: TechnitiumFault = {};
    for (const part of what.split("+")) {
      const p = /^(down|invalid-token|dns-drop|slow:(\d+)|dns-delay:(\d+)|errors:(.+))$/.exec(part);
      if (!p) throw new Error(`fault "${entry}": unknown Technitium fault "${part}"`);
      if (part === "down") f.down = true;
      else if (part === "invalid-token") f.tokenInvalid = true;
      else if (part === "dns-drop") f.dnsDrop = true;
      else if (p[2]) f.delayMs = Number(p[2]);
      else if (p[3]) f.dnsDelayMs = Number(p[3]);
      else if (p[4]) {
        new RegExp(p[4]);
        f.errorPath = p[4];
      }
    }
    out.push({ target: "technitium", name, technitium: f });
  }
  return out;
}

/** Apply a spec to running twins. */
export async function applyFaultSpec(spec: string | undefined, twins: { dns?: DnsTwin; technitium?: TechnitiumTwin }): Promise<ParsedFault[]> {
  const faults = parseFaultSpec(spec);
  for (const f of faults) {
    if (f.target === "dns") {
      if (!twins.dns) throw new Error("no DNS twin running for a dns/ fault");
      twins.dns.setFault(f.name, f.dns ?? null);
    } else {
      if (!twins.technitium) throw new Error("no Technitium twin running for a technitium/ fault");
      await twins.technitium.setFault(f.name as InstanceName, f.technitium ?? null);
    }
  }
  return faults;
}
