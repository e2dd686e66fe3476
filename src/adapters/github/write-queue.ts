import Bottleneck from "bottleneck";

/**
 * The queue GitHub writes wait in, one per process: 1 s apart, one at a time, as GitHub asks of
 * integrations (the throttling plugin's own `write` settings). Probot shares its other throttling
 * queues through Redis when REDIS_URL is set, but not this one: Bottleneck frees a dead client's
 * running job only when the job expires, which the throttling plugin fixes at 60 s, so a replica
 * killed during a write would hold every replica's writes — rollbacks included — for a minute
 * (measured in test/e2e/replicas.test.ts). Per replica, a dead pod blocks nobody.
 */
export const writeQueue = new Bottleneck.Group({ id: "octokit-write", maxConcurrent: 1, minTime: 1_000 });
