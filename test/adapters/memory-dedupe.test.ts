import { describe, expect, it } from "vitest";
import { MemoryDedupe } from "../../src/adapters/memory/memory-coordination.ts";

/**
 * Issue 11, finding 10: MemoryDedupe had no cap and swept every key on each claim past 10,000, so
 * webhook ingest fell to 0.34x after ~27k deliveries. Expiry is now O(1) amortised, and a cap evicts.
 */

const HOUR = 3_600_000;

describe("MemoryDedupe", () => {
  it("a key acts once within its TTL, again after it; release and keep work as before", async () => {
    let now = 0;
    const dedupe = new MemoryDedupe(() => now);
    expect(await dedupe.claim("a", 1_000)).toBe(true);
    expect(await dedupe.claim("a", 1_000)).toBe(false);
    now = 999;
    expect(await dedupe.claim("a", 1_000)).toBe(false);
    now = 1_000;
    expect(await dedupe.claim("a", 1_000)).toBe(true);
    await dedupe.release("a");
    expect(await dedupe.claim("a", 1_000)).toBe(true);
    await dedupe.keep("a", 24 * HOUR);
    now = 10 * HOUR;
    expect(await dedupe.claim("a", 1_000)).toBe(false);
    now = 25 * HOUR;
    expect(await dedupe.claim("a", 1_000)).toBe(true);
  });

  it("expired keys leave as new ones come, whatever the mix of TTLs", async () => {
    let now = 0;
    const dedupe = new MemoryDedupe(() => now);
    for (let i = 0; i < 30_000; i++) {
      now = i;
      await dedupe.claim(`k${i}`, [1_000, 60_000, 5_000][i % 3]!);
      if (i % 7 === 0) await dedupe.release(`k${i}`);
      if (i % 11 === 0) await dedupe.keep(`k${i}`, 2_000);
    }
    // Live at the end: keys claimed within their TTL of now (29,999), none more.
    expect(dedupe.size).toBeLessThanOrEqual(60_000 / 3 + 5_000 / 3 + 1_000 / 3 + 2_000 / 11 + 10);
    expect(await dedupe.claim("k29999", 1_000)).toBe(29_999 % 7 === 0);
    expect(await dedupe.claim("k0", 1_000)).toBe(true);
  });

  it("past its cap it evicts the oldest claims instead of growing", async () => {
    const dedupe = new MemoryDedupe(() => 0, { maxKeys: 1_000 });
    for (let i = 0; i < 5_000; i++) await dedupe.claim(`k${i}`, 24 * HOUR);
    expect(dedupe.size).toBe(1_000);
    expect(dedupe.evicted).toBe(4_000);
    expect(await dedupe.claim("k4999", 24 * HOUR)).toBe(false);
    expect(await dedupe.claim("k0", 24 * HOUR)).toBe(true);
  });

  it("claims stay fast at 50,000 live keys (the old sweep made each one O(n))", async () => {
    let now = 0;
    const dedupe = new MemoryDedupe(() => now);
    for (let i = 0; i < 50_000; i++) await dedupe.claim(`delivery:${i}`, 24 * HOUR);
    const started = performance.now();
    for (let i = 50_000; i < 100_000; i++) {
      now = i;
      await dedupe.claim(`delivery:${i}`, 24 * HOUR);
    }
    const ms = performance.now() - started;
    expect(dedupe.size).toBe(100_000);
    // 50,000 claims: the old sweep took ~10^9 steps here; now a few ms.
    expect(ms).toBeLessThan(1_000);
  });
});
