import "server-only";
import { z } from "zod";
import { JUNK_PATHS, templateWildcard } from "@/k8s/causes";
import { renderNodeLocalZone } from "@/k8s/corefile-render";
import { safeText } from "@/k8s/schemas";
import { badRequest } from "@/server/errors";
import { timeline } from "@/server/prometheus/timeline";
import { parseTime } from "@/server/querylogs/filters";
import { queryLogStats } from "@/server/querylogs/service";
import { currentConfig } from "@/server/stack/config-store";
import { verb } from "@/server/verb";

/**
 * Junk-filter coverage (issue 12): how many queries matching CoreDNS's ndots template pattern still reached
 * Technitium, by the path they took (the client kind Technitium saw: a CoreDNS pod, a NodeLocal node, anyone else),
 * before and after the last Corefile change in the range (dnsdeck's own apply/rollback records, as on Health's
 * timeline). Counts come from the query-log explorer with `qname=*.*.<zone>` and `clientKind=`, so they follow the
 * same rollups, raw reads and sample (marked when estimated).
 */
export const junkSchema = z.object({
  from: safeText(40).optional(),
  to: safeText(40).optional(),
  server: safeText(100).optional(),
});

const HOUR = 3_600_000;

export const readJunkCoverage = verb({ name: "querylogs.junk-coverage", role: "viewer", input: junkSchema }, async (ctx, input) => {
  const to = input.to ? parseTime(input.to) : new Date();
  const from = input.from ? parseTime(input.from) : to && new Date(to.getTime() - 7 * 86_400_000);
  if (!from || !to || from >= to) throw badRequest("from and to must be ISO-8601 times such as 2026-11-24T10:00:00Z, from before to");
  const { config, id: revision } = await currentConfig();
  const iz = config.coredns.internalZone;
  const zone = (iz?.zone ?? "viktorbarzin.lan").replace(/\.$/, "");
  const nodelocalBlock = config.nodelocal.zones.find((z) => z.zone.replace(/\.$/, "") === zone);
  const regex = iz?.ndotsTemplate?.regex ?? nodelocalBlock?.template?.regex ?? String.raw`.*\..*\.${zone.replace(/\./g, "\\.")}\.$`;
  const exact = templateWildcard(regex, zone);
  const pattern = exact ?? `*.*.${zone}`;

  // the last Corefile change (apply that wrote a Corefile, or a rollback) inside the range splits it in two
  const marks = await timeline(from, to).catch(() => null);
  const changes = (marks?.markers ?? []).filter((m) => m.kind === "corefile" || m.kind === "rollback");
  const change = changes.length ? changes[changes.length - 1] : null;
  const at = change ? new Date(change.at) : null;
  const periods: { key: "before" | "after" | "range"; from: Date; to: Date }[] = at
    ? [
        { key: "before", from, to: at },
        { key: "after", from: at, to },
      ]
    : [{ key: "range", from, to }];

  const results = await Promise.all(
    periods.map(async (p) => {
      const rows = await Promise.all(
        JUNK_PATHS.map(async (path) => {
          const st = await queryLogStats(ctx, { from: p.from.toISOString(), to: p.to.toISOString(), qname: pattern, clientKind: path.clientKind, ...(input.server ? { server: input.server } : {}), parts: "series" });
          const count = Math.round(st.series.reduce((s, x) => s + x.total, 0));
          const hours = Math.max((p.to.getTime() - p.from.getTime()) / HOUR, 1 / 60);
          return { path: path.key, label: path.label, filteredBy: path.filteredBy, clientKind: path.clientKind, count, perHour: count / hours, approximate: st.source === "estimate", notes: st.notes };
        }),
      );
      return { key: p.key, from: p.from.toISOString(), to: p.to.toISOString(), rows };
    }),
  );
  return {
    zone,
    regex,
    pattern,
    patternExact: exact !== null,
    templates: { coredns: !!iz?.ndotsTemplate, nodelocal: !!nodelocalBlock?.template, revision },
    /** The fix, shown: NodeLocal's zone block as it would read with CoreDNS's template (when it lacks one). */
    proposedNodeLocalBlock:
      nodelocalBlock && !nodelocalBlock.template ? renderNodeLocalZone(config, { ...nodelocalBlock, template: { regex, rcode: iz?.ndotsTemplate?.rcode ?? "NXDOMAIN" } }) : null,
    change: change ? { at: change.at, label: change.label, href: change.href } : null,
    /** The timeline (dnsdeck's apply records) could not be read: the range is shown whole. */
    changesUnknown: marks === null,
    periods: results,
  };
});
