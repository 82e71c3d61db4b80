/**
 * A small metrics registry for the twin: counters, gauges and histograms with label vectors, rendered in the
 * Prometheus text exposition format (0.0.4) the way client_golang writes it (HELP/TYPE, `_bucket{le}`/`_sum`/`_count`,
 * escaped label values). Written for the twin; production code never imports it.
 */
export type MetricType = "counter" | "gauge" | "histogram";

interface Family {
  name: string;
  help: string;
  type: MetricType;
  labels: string[];
  buckets?: number[];
  series: Map<string, Series>;
}

interface Series {
  values: string[];
  value: number;
  /** histogram: per-bucket counts (not cumulative), sum, count */
  bucketCounts?: number[];
  sum?: number;
  count?: number;
}

const esc = (v: string) => v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
const num = (v: number) => (Number.isNaN(v) ? "NaN" : v === Infinity ? "+Inf" : v === -Infinity ? "-Inf" : String(v));

export class Registry {
  private families = new Map<string, Family>();

  counter(name: string, help: string, labels: string[] = []) {
    return this.vec(this.define(name, help, "counter", labels));
  }

  gauge(name: string, help: string, labels: string[] = []) {
    return this.vec(this.define(name, help, "gauge", labels));
  }

  histogram(name: string, help: string, labels: string[], buckets: number[]) {
    const f = this.define(name, help, "histogram", labels, buckets);
    return {
      observe: (labelValues: Record<string, string>, v: number) => {
        const s = this.series(f, labelValues);
        const i = f.buckets!.findIndex((b) => v <= b);
        if (i >= 0) s.bucketCounts![i]++;
        s.sum! += v;
        s.count! += 1;
      },
    };
  }

  private define(name: string, help: string, type: MetricType, labels: string[], buckets?: number[]): Family {
    const existing = this.families.get(name);
    if (existing) return existing;
    const f: Family = { name, help, type, labels, buckets, series: new Map() };
    this.families.set(name, f);
    return f;
  }

  private vec(f: Family) {
    return {
      inc: (labelValues: Record<string, string> = {}, by = 1) => {
        this.series(f, labelValues).value += by;
      },
      set: (labelValues: Record<string, string>, v: number) => {
        this.series(f, labelValues).value = v;
      },
      /** Create the series at 0 (client_golang's WithLabelValues(...).Add(0)). */
      touch: (labelValues: Record<string, string> = {}) => {
        this.series(f, labelValues);
      },
    };
  }

  private series(f: Family, labelValues: Record<string, string>): Series {
    const values = f.labels.map((l) => labelValues[l] ?? "");
    const key = values.join("\u0000");
    let s = f.series.get(key);
    if (!s) {
      s = { values, value: 0 };
      if (f.type === "histogram") {
        s.bucketCounts = f.buckets!.map(() => 0);
        s.sum = 0;
        s.count = 0;
      }
      f.series.set(key, s);
    }
    return s;
  }

  /** Text exposition, families sorted by name like client_golang's gatherer. */
  render(): string {
    const out: string[] = [];
    for (const f of [...this.families.values()].sort((a, b) => a.name.localeCompare(b.name))) {
      if (!f.series.size) continue; // a vector with no series is not exposed
      out.push(`# HELP ${f.name} ${f.help}`, `# TYPE ${f.name} ${f.type}`);
      const lbl = (values: string[], extra?: [string, string]) => {
        const pairs = f.labels.map((l, i) => [l, values[i]] as [string, string]);
        if (extra) pairs.push(extra);
        return pairs.length ? `{${pairs.map(([k, v]) => `${k}="${esc(v)}"`).join(",")}}` : "";
      };
      for (const s of f.series.values()) {
        if (f.type !== "histogram") {
          out.push(`${f.name}${lbl(s.values)} ${num(s.value)}`);
          continue;
        }
        let cum = 0;
        f.buckets!.forEach((b, i) => {
          cum += s.bucketCounts![i];
          out.push(`${f.name}_bucket${lbl(s.values, ["le", num(b)])} ${cum}`);
        });
        out.push(`${f.name}_bucket${lbl(s.values, ["le", "+Inf"])} ${s.count}`);
        out.push(`${f.name}_sum${lbl(s.values)} ${num(s.sum!)}`);
        out.push(`${f.name}_count${lbl(s.values)} ${s.count}`);
      }
    }
    return out.join("\n") + "\n";
  }
}
