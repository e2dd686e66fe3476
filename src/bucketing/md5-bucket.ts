import { md5 } from "./md5.ts";

const encoder = new TextEncoder();

/**
 * The RepTate plan's rule, `md5(user_id) % 100 < percentage`, read as Python does it:
 * `int(hashlib.md5(user_id.encode()).hexdigest(), 16) % 100` — the whole 128-bit digest as one
 * big-endian integer, not its first bytes and not a float. The salt is not part of it (the plan has
 * none), so every rollout in this mode splits the same users: use it only to keep existing buckets.
 */
export function md5Bucket(userId: string): number {
  let rest = 0;
  // (digest as an integer) mod 100, a byte at a time: no BigInt needed.
  for (const byte of md5(encoder.encode(userId))) rest = (rest * 256 + byte) % 100;
  return rest;
}

export function inMd5Rollout(percent: number, userId: string): boolean {
  return userId !== "" && md5Bucket(userId) < percent;
}
