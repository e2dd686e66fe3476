import { describe, expect, it } from "vitest";
import { MemoryAlertBook } from "../../src/adapters/memory/memory-alert-book.ts";
import type { InboxAlert } from "../../src/core/alerts/alert.ts";

/** Issue 11, finding 10: the alert book kept every alert it ever saw, expired or not. */

const alert = (name: string, extra: Partial<InboxAlert> = {}): InboxAlert & { rollout: string } =>
  ({
    identity: `generic:${name}`,
    key: `generic:${name}`,
    name,
    status: "firing",
    severity: "critical",
    source: "generic",
    rollout: "checkout",
    ...extra,
  }) as InboxAlert & { rollout: string };

describe("MemoryAlertBook", () => {
  it("shows firing alerts per repository, a resolve removes one, a re-fire replaces it", async () => {
    const book = new MemoryAlertBook({ now: () => 0 });
    await book.record("Acme/Shop", alert("Errors", { summary: "5xx" }));
    await book.record("acme/shop", alert("Latency", { severity: "warning" }));
    // An Alertmanager-style key with colons in its episode start: the same alert, a new episode.
    await book.record("acme/shop", alert("Errors", { key: "generic:Errors:2026-11-22T10:00:00.000Z" }));
    const firing = await book.firing("ACME/shop");
    expect([...firing.keys()]).toEqual(["checkout"]);
    expect(firing.get("checkout")).toEqual(
      expect.arrayContaining([
        { name: "Latency", severity: "warning" },
        { name: "Errors", severity: "critical" },
      ]),
    );
    expect(firing.get("checkout")).toHaveLength(2);
    await book.record("acme/shop", alert("Latency", { status: "resolved" }));
    await book.record("acme/shop", alert("Errors", { status: "resolved" }));
    expect(await book.firing("acme/shop")).toEqual(new Map());
    expect(book.size).toBe(0);
  });

  it("drops expired alerts as new ones arrive instead of keeping every alert it ever saw", async () => {
    let now = 0;
    const book = new MemoryAlertBook({ now: () => now, ttlMs: 1_000 });
    for (let i = 0; i < 10_000; i++) {
      now = i * 10;
      await book.record("acme/shop", alert(`A${i}`));
    }
    expect(book.size).toBeLessThanOrEqual(100);
    expect((await book.firing("acme/shop")).get("checkout")?.at(-1)?.name).toBe("A9999");
  });

  it("keeps at most maxPerRollout alerts per rollout and maxRollouts rollouts", async () => {
    const book = new MemoryAlertBook({ now: () => 0, maxPerRollout: 50, maxRollouts: 20 });
    for (let i = 0; i < 1_000; i++) await book.record("acme/shop", alert(`A${i}`));
    expect(book.size).toBe(50);
    for (let r = 0; r < 100; r++) await book.record(`acme/r${r}`, alert("Errors", { rollout: `r${r}` }));
    expect(book.size).toBe(20);
    expect((await book.firing("acme/shop")).size).toBe(0);
    expect((await book.firing("acme/r99")).get("r99")).toHaveLength(1);
  });
});
