import { describe, expect, it } from "vitest";
import { didYouMean } from "../../src/core/did-you-mean.ts";

describe("didYouMean", () => {
  const keys = ["percent", "bake", "approvals", "criteria"];

  it("finds typos, swapped letters and case slips", () => {
    expect(didYouMean("bakee", keys)).toBe("bake");
    expect(didYouMean("pecrent", keys)).toBe("percent");
    expect(didYouMean("critera", keys)).toBe("criteria");
    expect(didYouMean("Approvals", keys)).toBe("approvals");
  });

  it("stays quiet when nothing is close", () => {
    expect(didYouMean("zebra", keys)).toBeUndefined();
    expect(didYouMean("bk", keys)).toBeUndefined();
    expect(didYouMean("x", [])).toBeUndefined();
  });
});
