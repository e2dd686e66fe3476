import { BUCKETING_MODES, inRollout } from "../src/bucketing/index.ts";

/**
 * `npm run bench:bucketing`: how many of 1,000,000 ids are in at 5/25/50/100% in each mode (must be
 * within ±0.2 points), and what a call costs. Ids are `user-0` … `user-999999`, the sequential kind
 * that a weak hash splits worst.
 */

const N = 1_000_000;
const PERCENTS = [5, 25, 50, 100];
const ids = Array.from({ length: N }, (_, i) => `user-${i}`);
let worst = 0;
console.log(`| mode | ${PERCENTS.map((p) => `${p}%`).join(" | ")} | ns/call |`);
console.log(`| --- | ${PERCENTS.map(() => "---").join(" | ")} | --- |`);
for (const mode of BUCKETING_MODES) {
  const cells: string[] = [];
  let elapsed = 0n;
  for (const percent of PERCENTS) {
    const start = process.hrtime.bigint();
    let inside = 0;
    for (const userId of ids) if (inRollout({ salt: "checkout-v2", percent, userId, mode })) inside++;
    elapsed += process.hrtime.bigint() - start;
    const share = (inside / N) * 100;
    worst = Math.max(worst, Math.abs(share - percent));
    cells.push(`${share.toFixed(3)} (${share - percent >= 0 ? "+" : ""}${(share - percent).toFixed(3)})`);
  }
  console.log(`| ${mode} | ${cells.join(" | ")} | ${Number(elapsed / BigInt(N * PERCENTS.length))} |`);
}
console.log(`\nlargest deviation: ${worst.toFixed(3)} points (limit 0.2)`);
if (worst > 0.2) process.exitCode = 1;
