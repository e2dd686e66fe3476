import type { MetricUnit } from "../config/schema.ts";
import type { Compare } from "../rollout/metric-request.ts";

/** Human text for metric values and thresholds, in the query's unit. */

function trim(n: number, digits: number): string {
  return Number(n.toFixed(digits)).toString();
}

export function formatValue(value: number, unit: MetricUnit, compare?: Compare): string {
  if (!Number.isFinite(value)) return String(value);
  if (compare === "ratio") return `${trim(value, 2)}×`;
  if (compare === "increase") return `${value >= 0 ? "+" : ""}${trim(value * 100, 2)}%`;
  const sign = compare === "difference" && value > 0 ? "+" : "";
  switch (unit) {
    case "fraction":
      return `${sign}${trim(value * 100, 3)}${compare === "difference" ? " pts" : "%"}`;
    case "seconds":
      return Math.abs(value) < 1 ? `${sign}${trim(value * 1000, 1)}ms` : `${sign}${trim(value, 3)}s`;
    case "milliseconds":
      return `${sign}${trim(value, 1)}ms`;
    default:
      return `${sign}${trim(value, 4)}`;
  }
}
