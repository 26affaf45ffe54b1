/**
 * A small Prometheus text-format registry: counters, gauges and histograms
 * with labels. One registry per service instance (no global state).
 *
 * @module
 */

type Labels = Record<string, string | number>;

function labelKey(labels: Labels | undefined): string {
  if (!labels) return "";
  const keys = Object.keys(labels).sort();
  if (!keys.length) return "";
  return "{" +
    keys.map((k) => `${k}="${escapeLabel(String(labels[k]))}"`).join(",") +
    "}";
}

/** A label value as the exposition format writes it (most need no escape). */
function escapeLabel(v: string): string {
  return /[\\"\n]/.test(v)
    ? v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")
    : v;
}

/** A monotonically increasing counter. */
export interface Counter {
  inc(labels?: Labels, by?: number): void;
  get(labels?: Labels): number;
}

/** A value that goes up and down. */
export interface Gauge {
  set(value: number, labels?: Labels): void;
  get(labels?: Labels): number;
}

/** A histogram with fixed buckets. */
export interface Histogram {
  observe(value: number, labels?: Labels): void;
}

/** A registry of metrics rendered as Prometheus text. */
export interface MetricsRegistry {
  counter(name: string, help: string): Counter;
  gauge(name: string, help: string): Gauge;
  histogram(name: string, help: string, buckets?: number[]): Histogram;
  /** Prometheus text exposition format 0.0.4. */
  render(): string;
}

const DEFAULT_BUCKETS = [
  0.005,
  0.01,
  0.025,
  0.05,
  0.1,
  0.25,
  0.5,
  1,
  2.5,
  5,
  10,
];

/**
 * Creates an empty registry.
 *
 * @example
 * ```ts
 * const m = createMetrics();
 * m.counter("http_requests_total", "Requests").inc({ status: 200 });
 * console.log(m.render());
 * ```
 */
export function createMetrics(): MetricsRegistry {
  const blocks = new Map<string, () => string>();
  // A name asked for again gets the metric it already names (modules that
  // count on a registry they are given need not keep their own cache).
  const made = new Map<string, unknown>();
  const once = <T>(name: string, make: () => T): T => {
    if (!made.has(name)) made.set(name, make());
    return made.get(name) as T;
  };
  const reg: MetricsRegistry = {
    counter: (name, help) => once(name, () => counter(name, help)),
    gauge: (name, help) => once(name, () => gauge(name, help)),
    histogram: (name, help, buckets = DEFAULT_BUCKETS) =>
      once(name, () => histogram(name, help, buckets)),
    render: () => [...blocks.values()].map((f) => f()).join(""),
  };
  const fresh = {
    counter(name: string, help: string): Counter {
      const values = new Map<string, number>();
      blocks.set(
        name,
        () =>
          `# HELP ${name} ${help}\n# TYPE ${name} counter\n` +
          [...values].map(([k, v]) => `${name}${k} ${v}\n`).join(""),
      );
      return {
        inc: (labels, by = 1) => {
          const key = labelKey(labels);
          values.set(key, (values.get(key) ?? 0) + by);
        },
        get: (labels) => values.get(labelKey(labels)) ?? 0,
      };
    },
    gauge(name: string, help: string): Gauge {
      const values = new Map<string, number>();
      blocks.set(name, () =>
        `# HELP ${name} ${help}\n# TYPE ${name} gauge\n` +
        [...values].map(([k, v]) => `${name}${k} ${v}\n`).join(""));
      return {
        set: (value, labels) => values.set(labelKey(labels), value),
        get: (labels) => values.get(labelKey(labels)) ?? 0,
      };
    },
    histogram(name: string, help: string, buckets: number[]): Histogram {
      const series = new Map<
        string,
        { labels: Labels; counts: number[]; sum: number; count: number }
      >();
      blocks.set(name, () => {
        let out = `# HELP ${name} ${help}\n# TYPE ${name} histogram\n`;
        for (const s of series.values()) {
          let cum = 0;
          buckets.forEach((b, i) => {
            cum += s.counts[i];
            out += `${name}_bucket${labelKey({ ...s.labels, le: b })} ${cum}\n`;
          });
          out += `${name}_bucket${
            labelKey({ ...s.labels, le: "+Inf" })
          } ${s.count}\n`;
          out += `${name}_sum${labelKey(s.labels)} ${s.sum}\n${name}_count${
            labelKey(s.labels)
          } ${s.count}\n`;
        }
        return out;
      });
      return {
        observe(value, labels = {}) {
          const k = labelKey(labels);
          let s = series.get(k);
          if (!s) {
            s = { labels, counts: buckets.map(() => 0), sum: 0, count: 0 };
            series.set(k, s);
          }
          const i = buckets.findIndex((b) => value <= b);
          if (i >= 0) s.counts[i]++;
          s.sum += value;
          s.count++;
        },
      };
    },
  };
  const { counter, gauge, histogram } = fresh;
  return reg;
}
