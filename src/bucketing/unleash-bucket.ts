import { murmur3Utf8 } from "./murmur3.ts";

/**
 * Unleash's gradual rollout (`flexibleRollout`, stickiness on the user id): `normalized =
 * murmur3_x86_32(groupId + ":" + userId, 0) % 100 + 1`, 1..100; in when `percent > 0 && normalized
 * <= percent`. The salt plays Unleash's `groupId`, which defaults to the flag's name there: set the
 * rollout's salt to it to keep the users Unleash already had in.
 */
export function unleashBucket(groupId: string, userId: string): number {
  return (murmur3Utf8(`${groupId}:${userId}`) % 100) + 1;
}

export function inUnleashRollout(groupId: string, percent: number, userId: string): boolean {
  return userId !== "" && percent > 0 && unleashBucket(groupId, userId) <= percent;
}
