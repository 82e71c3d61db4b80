/**
 * CoreDNS forward's upstream health checks, for the twin: an exchange error starts `. IN NS` probes to that upstream
 * every `health_check` interval until one succeeds; each failed probe counts a failure (the metrics' health-check
 * failures counter), and an upstream with more than `max_fails` failures is skipped until a probe succeeds.
 */
import type { Packet } from "dns-packet";
import type { ForwardCfg } from "./corefile";
import type { CorednsObserver } from "./observer";
import { makeQuery } from "./wire";

export class UpstreamHealth {
  private fails = new Map<string, number>();
  private probes = new Map<string, NodeJS.Timeout>();
  private stopped = false;

  constructor(
    private readonly send: (target: string, req: Packet) => Promise<Packet>,
    private readonly observer?: CorednsObserver,
    private readonly label: (target: string) => string = (t) => t,
  ) {}

  isDown(target: string, f: ForwardCfg): boolean {
    return f.maxFails > 0 && (this.fails.get(target) ?? 0) > f.maxFails;
  }

  /** An exchange with `target` failed: start probing it (once). */
  failed(target: string, f: ForwardCfg): void {
    if (this.stopped || f.maxFails === 0 || this.probes.has(target)) return;
    let busy = false;
    const probe = async () => {
      if (busy || this.stopped) return;
      busy = true;
      try {
        await this.send(target, makeQuery(".", "NS"));
        this.fails.set(target, 0);
        clearInterval(this.probes.get(target));
        this.probes.delete(target);
      } catch {
        if (this.stopped) return;
        this.fails.set(target, (this.fails.get(target) ?? 0) + 1);
        this.observer?.healthcheckFailure(this.label(target));
      } finally {
        busy = false;
      }
    };
    const timer = setInterval(() => void probe(), f.healthCheckMs);
    timer.unref?.();
    this.probes.set(target, timer);
    void probe();
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.probes.values()) clearInterval(t);
    this.probes.clear();
  }
}
