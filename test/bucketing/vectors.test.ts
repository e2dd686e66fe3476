import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  bucketingVectors,
  renderVectors,
  VECTOR_PERCENTS,
  VECTOR_USER_IDS,
} from "../../scripts/bucketing-vectors.ts";
import { BUCKETING_MODES } from "../../src/bucketing/index.ts";
import { pythonAvailable, pythonBuckets } from "./python.ts";

const FILE = new URL("../../src/bucketing/test-vectors.json", import.meta.url);

describe("published test vectors", () => {
  it("src/bucketing/test-vectors.json is what the code computes (npm run vectors)", () => {
    expect(readFileSync(FILE, "utf8")).toBe(renderVectors());
  });

  it("covers every mode, empty and non-ASCII ids and every tail length of the hash", () => {
    const vectors = bucketingVectors();
    expect(new Set(vectors.map((v) => v.mode))).toEqual(new Set(BUCKETING_MODES));
    expect(VECTOR_USER_IDS).toEqual(
      expect.arrayContaining(["", "José", "用户-17", "a", "ab", "abc", "abcd"]),
    );
    // Every verdict occurs: a vector file that says "in" everywhere would prove nothing.
    const verdicts = vectors.flatMap((v) => v.in);
    expect(verdicts.filter(Boolean).length).toBeGreaterThan(verdicts.length / 4);
    expect(verdicts.filter((x) => !x).length).toBeGreaterThan(verdicts.length / 4);
  });

  it.runIf(pythonAvailable())("Python (hashlib md5, plain-Python murmur3) computes every vector", () => {
    const vectors = bucketingVectors();
    const answers = pythonBuckets(vectors.map((v) => ({ ...v, percents: VECTOR_PERCENTS })));
    expect(answers).toEqual(
      vectors.map(({ hash, bucket, in: verdicts }) => ({ hash, bucket, in: verdicts })),
    );
  });

  it.runIf(pythonAvailable())("Python agrees on 30,000 more ids in every mode", async () => {
    const { defaultBucket, md5Bucket, unleashBucket } = await import("../../src/bucketing/index.ts");
    const questions = BUCKETING_MODES.flatMap((mode) =>
      Array.from({ length: 10_000 }, (_, i) => ({
        mode,
        salt: `rollout-${i % 7}`,
        userId: `u${i * 7919}`,
        percents: [],
      })),
    );
    const ours = questions.map(({ mode, salt, userId }) =>
      mode === "md5"
        ? md5Bucket(userId)
        : mode === "unleash"
          ? unleashBucket(salt, userId)
          : defaultBucket(salt, userId),
    );
    expect(pythonBuckets(questions).map((a) => a.bucket)).toEqual(ours);
  });
});
