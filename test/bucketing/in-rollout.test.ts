import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import {
  defaultBucket,
  inRollout,
  md5Bucket,
  murmur3Utf8,
  murmur3x86,
  unleashBucket,
} from "../../src/bucketing/index.ts";

const require = createRequire(import.meta.url);
const ids = (n: number, prefix = "user-") => Array.from({ length: n }, (_, i) => `${prefix}${i}`);
const share = (users: string[], test: (id: string) => boolean) => users.filter(test).length / users.length;

describe("inRollout", () => {
  const users = ids(20_000);

  it("gives the same user the same answer every time", () => {
    for (const userId of users.slice(0, 200)) {
      const first = inRollout({ salt: "checkout", percent: 30, userId });
      for (let i = 0; i < 3; i++) expect(inRollout({ salt: "checkout", percent: 30, userId })).toBe(first);
    }
  });

  it.each(["rollout-bot", "md5", "unleash"] as const)(
    "%s: raising the percentage only adds users, lowering removes the last added first",
    (mode) => {
      const percents = [0, 1, 5, 10, 25, 33, 50, 75, 99, 100];
      const sets = percents.map(
        (percent) => new Set(users.filter((userId) => inRollout({ salt: "s", percent, userId, mode }))),
      );
      for (let i = 1; i < sets.length; i++) {
        const [lower, higher] = [sets[i - 1] as Set<string>, sets[i] as Set<string>];
        for (const user of lower) expect(higher.has(user)).toBe(true);
      }
      expect(sets[0]?.size).toBe(0);
      expect(sets.at(-1)?.size).toBe(users.length);
      // Going 50 → 25 removes exactly the users that 25 → 50 added: the most recent ones.
      const bucket = (id: string) =>
        mode === "md5" ? md5Bucket(id) : mode === "unleash" ? unleashBucket("s", id) : defaultBucket("s", id);
      const in50 = users.filter((userId) => inRollout({ salt: "s", percent: 50, userId, mode }));
      const in25 = new Set(users.filter((userId) => inRollout({ salt: "s", percent: 25, userId, mode })));
      const removed = in50.filter((u) => !in25.has(u));
      const kept = in50.filter((u) => in25.has(u));
      expect(Math.min(...removed.map(bucket))).toBeGreaterThan(Math.max(...kept.map(bucket)));
    },
  );

  it("splits two rollouts independently: at 50% each, about a quarter of users are in both", () => {
    const a = (userId: string) => inRollout({ salt: "search-v2", percent: 50, userId });
    const b = (userId: string) => inRollout({ salt: "checkout-v3", percent: 50, userId });
    const both = share(users, (u) => a(u) && b(u));
    expect(Math.abs(both - 0.25)).toBeLessThan(0.01);
    // Unleash mode too (groupId plays the salt)…
    const ua = (userId: string) => inRollout({ salt: "search-v2", percent: 50, userId, mode: "unleash" });
    const ub = (userId: string) => inRollout({ salt: "checkout-v3", percent: 50, userId, mode: "unleash" });
    expect(Math.abs(share(users, (u) => ua(u) && ub(u)) - 0.25)).toBeLessThan(0.01);
    // …but md5 mode has no salt: every md5 rollout at 50% has the same users, as the original rule.
    const ma = (userId: string) => inRollout({ salt: "search-v2", percent: 50, userId, mode: "md5" });
    const mb = (userId: string) => inRollout({ salt: "checkout-v3", percent: 50, userId, mode: "md5" });
    expect(users.every((u) => ma(u) === mb(u))).toBe(true);
  });

  it("lands close to the percentage (the 1,000,000-id measurement is bench/bucketing.ts)", () => {
    for (const percent of [5, 25, 50]) {
      expect(
        Math.abs(share(users, (userId) => inRollout({ salt: "x", percent, userId })) * 100 - percent),
      ).toBeLessThan(1);
    }
    expect(share(users, (userId) => inRollout({ salt: "x", percent: 12.5, userId }))).toBeCloseTo(0.125, 1);
  });

  it("never lets in a user without an id, and refuses bad input", () => {
    for (const mode of ["rollout-bot", "md5", "unleash"] as const) {
      expect(inRollout({ salt: "s", percent: 100, userId: "", mode })).toBe(false);
    }
    expect(() => inRollout({ salt: "s", percent: 101, userId: "u" })).toThrow(
      "percent must be a number from 0 to 100, got 101",
    );
    expect(() => inRollout({ salt: "s", percent: Number.NaN, userId: "u" })).toThrow(RangeError);
    expect(() => inRollout({ salt: "s", percent: "50" as unknown as number, userId: "u" })).toThrow(
      RangeError,
    );
    expect(() => inRollout({ salt: "", percent: 50, userId: "u" })).toThrow(
      "salt must be a non-empty string",
    );
    expect(() => inRollout({ salt: "s", percent: 50, userId: 7 as unknown as string })).toThrow(TypeError);
    expect(() => inRollout({ salt: "s", percent: 50, userId: "u", mode: "sha1" as "md5" })).toThrow(
      "unknown bucketing mode 'sha1' (one of rollout-bot, md5, unleash)",
    );
  });
});

describe("murmur3", () => {
  it("matches the reference algorithm's published values", () => {
    // From the SMHasher verification set used by every murmur3 port (seed 0 unless given).
    expect(murmur3Utf8("")).toBe(0);
    expect(murmur3Utf8("", 1)).toBe(0x514e28b7);
    expect(murmur3Utf8("Hello, world!", 1234)).toBe(0xfaf6cdb3);
    expect(murmur3Utf8("The quick brown fox jumps over the lazy dog")).toBe(0x2e4ff723);
  });
});

describe("compatibility with Unleash, against unleash-client's own code", () => {
  const { normalizedStrategyValue } = require("unleash-client/lib/strategy/util.js") as {
    normalizedStrategyValue: (id: string, groupId: string) => number;
  };
  const { defaultStrategies } = require("unleash-client/lib/strategy/index.js") as {
    defaultStrategies: { name: string; isEnabled(parameters: object, context: object): boolean }[];
  };
  const flexible = defaultStrategies.find((s) => s.name === "flexibleRollout");

  it("computes unleash-client's normalized value for every ASCII id", () => {
    for (const userId of [...ids(5000), ...ids(2000, "alice+"), "00000000-0000-4000-8000-000000000000"]) {
      expect(unleashBucket("checkout", userId)).toBe(normalizedStrategyValue(userId, "checkout"));
    }
  });

  it("answers as unleash-client's flexibleRollout strategy at every percentage", () => {
    expect(flexible).toBeDefined();
    for (const rollout of [0, 1, 5, 25, 50, 99, 100]) {
      for (const userId of ids(1000)) {
        const theirs = flexible?.isEnabled({ rollout, stickiness: "default", groupId: "search" }, { userId });
        expect(inRollout({ salt: "search", percent: rollout, userId, mode: "unleash" })).toBe(theirs);
      }
    }
  });

  it("differs from the Node client only for non-ASCII ids, where it hashes UTF-16 low bytes", () => {
    // murmurhash3js (unleash-client's hash in Node) takes `charCodeAt(i) & 0xff`; Unleash's other
    // SDKs and this package hash UTF-8. README documents it.
    const node = normalizedStrategyValue("José", "g");
    const viaLowBytes = (murmur3LowBytes("g:José") % 100) + 1;
    expect(node).toBe(viaLowBytes);
    expect(unleashBucket("g", "José")).toBe((murmur3Utf8("g:José") % 100) + 1);
    expect(unleashBucket("g", "José")).not.toBe(node);
  });
});

/** Hashes `charCodeAt(i) & 0xff` of each UTF-16 unit, as murmurhash3js does. */
function murmur3LowBytes(text: string): number {
  return murmur3x86(Uint8Array.from(text.split(""), (unit) => unit.charCodeAt(0) & 0xff));
}

describe("md5", () => {
  it("is node:crypto's md5 for every length around the 64-byte block boundaries", async () => {
    const { createHash } = await import("node:crypto");
    const { md5 } = await import("../../src/bucketing/md5.ts");
    for (let length = 0; length < 200; length++) {
      const bytes = Uint8Array.from({ length }, (_, i) => (i * 131 + length) & 0xff);
      expect(Buffer.from(md5(bytes)).toString("hex")).toBe(createHash("md5").update(bytes).digest("hex"));
    }
  });
});
