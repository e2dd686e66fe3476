import { describe, expect, it } from "vitest";
import { AlertBook } from "../../src/commands/alert-book.ts";
import type { InboxAlert } from "../../src/core/alerts/alert.ts";

/** Issue 11, finding 10: the alert book kept every alert it ever saw, expired or not. */

const alert = (name: string, extra: Partial<InboxAlert> = {}): InboxAlert & { rollout: string } =>
  ({
    key: `generic:${name}:episode1`,
    name,
    status: "firing",
    severity: "critical",
    source: "generic",
    rollout: "checkout",
    ...extra,
  }) as InboxAlert & { rollout: string };

describe("AlertBook", () => {
  it("shows firing alerts per repository, a resolve removes one, a re-fire replaces it", () => {
    const book = new AlertBook({ now: () => 0 });
    book.record("Acme/Shop", alert("Errors", { summary: "5xx" }));
    book.record("acme/shop", alert("Latency", { severity: "warning" }));
    book.record("acme/shop", alert("Errors", { key: "generic:Errors:episode2" }));
    const firing = book.forRepo("ACME/shop");
    expect([...firing.keys()]).toEqual(["checkout"]);
    expect(firing.get("checkout")).toHaveLength(2);
    expect(firing.get("checkout")).toEqual(
      expect.arrayContaining([
        { name: "Latency", severity: "warning" },
        { name: "Errors", severity: "critical" },
      ]),
    );
    book.record("acme/shop", alert("Latency", { status: "resolved" }));
    book.record("acme/shop", alert("Errors", { status: "resolved" }));
    expect(book.forRepo("acme/shop")).toEqual(new Map());
    expect(book.size).toBe(0);
  });

  it("drops expired alerts as new ones arrive instead of keeping every alert it ever saw", () => {
    let now = 0;
    const book = new AlertBook({ now: () => now, ttlMs: 1_000 });
    for (let i = 0; i < 10_000; i++) {
      now = i * 10;
      book.record("acme/shop", alert(`A${i}`));
    }
    expect(book.size).toBeLessThanOrEqual(100);
    expect(book.forRepo("acme/shop").get("checkout")?.at(-1)?.name).toBe("A9999");
  });

  it("keeps at most maxPerRollout alerts per rollout and maxRollouts rollouts", () => {
    const book = new AlertBook({ now: () => 0, maxPerRollout: 50, maxRollouts: 20 });
    for (let i = 0; i < 1_000; i++) book.record("acme/shop", alert(`A${i}`));
    expect(book.size).toBe(50);
    for (let r = 0; r < 100; r++) book.record(`acme/r${r}`, alert("Errors", { rollout: `r${r}` }));
    expect(book.size).toBe(20);
    expect(book.forRepo("acme/shop").size).toBe(0);
    expect(book.forRepo("acme/r99").get("r99")).toHaveLength(1);
  });
});
