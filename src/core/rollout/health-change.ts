import { type HealthReport, type HealthStatus, type Reason, worst } from "./health.ts";

/**
 * What a health change is told by: the colour on settled data, which data is missing, and which
 * triggers and alerts fire. Undefined while the stage is too young to tell (a warm-up, windows still
 * filling, nothing failing yet), so the warm-up after every transition is not announced as a change.
 */
export function healthSignature(health: HealthReport): string | undefined {
  const failing = health.reasons.filter((r) => !r.pass && r.pending === undefined);
  const status = worst(failing.map((r) => r.status));
  if (status === "green" && health.reasons.some((r) => r.pending !== undefined)) return undefined;
  const name = (r: Reason) => r.key ?? r.text;
  const measured = (r: Reason) => r.kind === "criterion" || r.kind === "trigger";
  const missing = failing.filter((r) => measured(r) && r.value === undefined).map(name);
  const firing = failing.filter((r) => (r.kind === "trigger" && r.value !== undefined) || r.kind === "alert");
  return [status, `missing:${missing.sort().join(",")}`, `firing:${firing.map(name).sort().join(",")}`].join(
    "|",
  );
}

/**
 * Whether to post now: the signature changed. A rollout first seen (a restart without Redis) is posted
 * only when red or when a trigger or alert fires; the scheduled post covers the rest.
 */
export function isHealthChange(previous: string | undefined, signature: string): boolean {
  if (previous !== undefined) return previous !== signature;
  return statusOfSignature(signature) === "red" || !signature.endsWith("|firing:");
}

function statusOfSignature(signature: string): HealthStatus {
  return signature.split("|")[0] as HealthStatus;
}

/** `checkout: health green → red — error_rate 7% > 5% for 5m — rollback trigger`. */
export function healthChangeHeadline(input: {
  rollout: string;
  previous: string | undefined;
  signature: string;
  health: HealthReport;
  autoRollback: boolean;
}): string {
  const status = statusOfSignature(input.signature);
  const before = input.previous === undefined ? undefined : statusOfSignature(input.previous);
  const lead =
    before === undefined
      ? `health is ${status}`
      : before === status
        ? `health still ${status}`
        : `health ${before} → ${status}`;
  const why = input.health.reasons
    .filter((r) => !r.pass && r.pending === undefined && r.status === status)
    .map((r) => r.text);
  const manual =
    status === "red" && !input.autoRollback
      ? `; auto-rollback is off: roll back with /rollout rollback ${input.rollout}`
      : "";
  return `${input.rollout}: ${lead}${why.length > 0 ? ` — ${why.join("; ")}` : ""}${manual}`;
}
