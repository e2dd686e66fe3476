/** How applications split users into a rollout's percentage (src/bucketing): the rollout file names one. */
export const BUCKETING_MODES = ["rollout-bot", "md5", "unleash"] as const;
export type BucketingMode = (typeof BUCKETING_MODES)[number];
