/** `rollout-bot` (default), or a compatibility mode that keeps the buckets a team already has. */
import { BUCKETING_MODES, type BucketingMode } from "../core/config/bucketing-modes.ts";
import { inDefaultRollout } from "./default-bucket.ts";
import { inMd5Rollout } from "./md5-bucket.ts";
import { inUnleashRollout } from "./unleash-bucket.ts";

export { BUCKETING_MODES, type BucketingMode };

export interface RolloutQuestion {
  /** The rollout's salt (`bucketing.salt` in its file): written once, never changed. */
  salt: string;
  /** The rollout's current percentage, 0..100. */
  percent: number;
  /** A stable id of the user (or account, device…); an empty id is never in. */
  userId: string;
  mode?: BucketingMode | undefined;
}

/**
 * Is this user in the rollout? The same question always gets the same answer; raising `percent`
 * only adds users, lowering it removes the most recently added first; two salts split independently
 * (except in `md5` mode, which has no salt).
 */
export function inRollout({ salt, percent, userId, mode = "rollout-bot" }: RolloutQuestion): boolean {
  if (typeof percent !== "number" || !(percent >= 0 && percent <= 100)) {
    throw new RangeError(`percent must be a number from 0 to 100, got ${String(percent)}`);
  }
  if (typeof userId !== "string") throw new TypeError("userId must be a string");
  switch (mode) {
    case "rollout-bot":
      if (typeof salt !== "string" || salt === "") throw new TypeError("salt must be a non-empty string");
      return inDefaultRollout(salt, percent, userId);
    case "unleash":
      return inUnleashRollout(String(salt ?? ""), percent, userId);
    case "md5":
      return inMd5Rollout(percent, userId);
    default:
      throw new RangeError(`unknown bucketing mode '${String(mode)}' (one of ${BUCKETING_MODES.join(", ")})`);
  }
}
