import { createHash } from "node:crypto";
import { defaultBucket } from "../src/bucketing/default-bucket.ts";
import { BUCKETING_MODES, type BucketingMode, inRollout } from "../src/bucketing/in-rollout.ts";
import { md5Bucket } from "../src/bucketing/md5-bucket.ts";
import { murmur3Utf8 } from "../src/bucketing/murmur3.ts";
import { unleashBucket } from "../src/bucketing/unleash-bucket.ts";

/**
 * The published test vectors, src/bucketing/test-vectors.json, computed from the code: `npm run
 * vectors` writes them; test/bucketing checks the file is current and that Python and unleash-client
 * compute the same.
 */

export const VECTOR_PERCENTS = [0, 1, 5, 12.5, 25, 50, 99.99, 100] as const;

export interface BucketingVector {
  mode: BucketingMode;
  salt: string;
  userId: string;
  /** The hashed text's UTF-8 bytes in hex, so a port can check its encoding first. */
  key_utf8_hex: string;
  /** murmur3_x86_32 of the key, unsigned (rollout-bot, unleash), or its md5 hex digest (md5). */
  hash: number | string;
  bucket: number;
  /** In or not at each of VECTOR_PERCENTS, in that order. */
  in: boolean[];
}

const SALTS = ["checkout-v2", "7f3c9a1e2b4d", ""];
export const VECTOR_USER_IDS = [
  "",
  "user-1",
  "user-2",
  "42",
  "a",
  "ab",
  "abc",
  "abcd",
  "alice@example.com",
  "00000000-0000-4000-8000-000000000000",
  "José",
  "用户-17",
  "👩‍💻",
  "a very long user identifier that spans more than one block of the hash",
];

function vector(mode: BucketingMode, salt: string, userId: string): BucketingVector {
  const key = mode === "md5" ? userId : `${salt}:${userId}`;
  const hash = mode === "md5" ? createHash("md5").update(key, "utf8").digest("hex") : murmur3Utf8(key);
  const bucket =
    mode === "md5"
      ? md5Bucket(userId)
      : mode === "unleash"
        ? unleashBucket(salt, userId)
        : defaultBucket(salt, userId);
  const verdicts = VECTOR_PERCENTS.map((percent) => inRollout({ salt, percent, userId, mode }));
  return {
    mode,
    salt,
    userId,
    key_utf8_hex: Buffer.from(key, "utf8").toString("hex"),
    hash,
    bucket,
    in: verdicts,
  };
}

export function bucketingVectors(): BucketingVector[] {
  return BUCKETING_MODES.flatMap((mode) => {
    // md5 has no salt; the default mode refuses an empty one; Unleash's groupId may be empty.
    const salts = mode === "md5" ? [""] : SALTS.filter((s) => mode === "unleash" || s !== "");
    return salts.flatMap((salt) => VECTOR_USER_IDS.map((userId) => vector(mode, salt, userId)));
  });
}

export const VECTORS_DOCUMENT_RULES = {
  "rollout-bot":
    "bucket = floor(murmur3_x86_32(utf8(salt + ':' + userId), seed 0) * 10000 / 2^32); in when bucket < percent * 100",
  md5: "bucket = int(md5(utf8(userId)).hexdigest(), 16) % 100 (the whole digest as one integer); in when bucket < percent",
  unleash:
    "bucket = murmur3_x86_32(utf8(salt + ':' + userId), seed 0) % 100 + 1; in when percent > 0 and bucket <= percent",
  "empty userId": "never in, in every mode",
};

export function renderVectors(): string {
  const head = {
    description:
      "Test vectors for rollout-bot/bucketing: a port to another language must give the same bucket and verdicts.",
    rules: VECTORS_DOCUMENT_RULES,
    percents: VECTOR_PERCENTS,
  };
  // One vector per line: easy to read, and a diff shows exactly which vector changed.
  const lines = bucketingVectors().map((v) => `    ${JSON.stringify(v)}`);
  const top = JSON.stringify(head, null, 2).slice(0, -2);
  return `${top},\n  "vectors": [\n${lines.join(",\n")}\n  ]\n}\n`;
}
