import { loadavg } from "node:os";

/** min/median/max of a series, and the machine's load average beside every figure. */

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function spread(values: readonly number[], digits = 0): string {
  const f = (v: number) => v.toFixed(digits);
  return `${f(Math.min(...values))}/${f(median(values))}/${f(Math.max(...values))}`;
}

/** `load 1.23` (the 1-minute load average on this machine's cores). */
export function load(): string {
  return `load ${loadavg()[0]!.toFixed(2)}`;
}
