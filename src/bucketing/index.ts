/**
 * `rollout-bot/bucketing`: consistent bucketing for applications. No dependencies and no Node
 * built-ins: it runs in any JavaScript runtime, edge included. Test vectors: test-vectors.json.
 */
export { defaultBucket, inDefaultRollout } from "./default-bucket.ts";
export { BUCKETING_MODES, type BucketingMode, inRollout, type RolloutQuestion } from "./in-rollout.ts";
export { md5 } from "./md5.ts";
export { inMd5Rollout, md5Bucket } from "./md5-bucket.ts";
export { murmur3Utf8, murmur3x86 } from "./murmur3.ts";
export { inUnleashRollout, unleashBucket } from "./unleash-bucket.ts";
