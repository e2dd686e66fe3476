import { murmur3Utf8 } from "./murmur3.ts";

/**
 * rollout-bot's own rule: `bucket = floor(murmur3_x86_32(utf8(salt + ":" + userId), 0) * 10000 / 2^32)`,
 * 0..9999 (hundredths of a percent); the user is in when `bucket < percent * 100`. A user's bucket
 * never changes, so raising the percentage only adds users and lowering it removes the highest
 * buckets — the ones added last — first; another salt gives an unrelated order.
 */
export function defaultBucket(salt: string, userId: string): number {
  return Math.floor((murmur3Utf8(`${salt}:${userId}`) * 10_000) / 2 ** 32);
}

export function inDefaultRollout(salt: string, percent: number, userId: string): boolean {
  return userId !== "" && defaultBucket(salt, userId) < percent * 100;
}
