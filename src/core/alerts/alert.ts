import type { z } from "zod";
import { ROLLOUT_ID_PATTERN } from "../config/schema.ts";
import type { AlertmanagerPayload, AlertSource, GenericPayload, GrafanaPayload } from "./alert-payloads.ts";

/** Alerts from every source normalised to one shape; the inbox dedupes and acts on these. */

export type Severity = "critical" | "warning" | "info";

export interface InboxAlert {
  source: AlertSource;
  /** The alert itself, whatever the episode: a re-fire or a resolve of it carries the same identity. */
  identity: string;
  /** Same alert, same firing episode → same key, however often it is re-sent. */
  key: string;
  name: string;
  rollout: string | undefined;
  repo: string | undefined;
  severity: Severity;
  status: "firing" | "resolved";
  summary: string | undefined;
  /** When this firing episode began, where the source says (Alertmanager, Grafana). */
  startsAt?: string | undefined;
}

/** Severity words used across Alertmanager setups, PagerDuty and Grafana, mapped to three levels. */
export function mapSeverity(value: string | undefined): Severity {
  const word = (value ?? "").toLowerCase();
  if (["critical", "crit", "page", "error", "high", "p1", "sev1", "emergency"].includes(word))
    return "critical";
  if (["info", "informational", "none", "low", "p4", "p5"].includes(word)) return "info";
  return "warning";
}

/** Label values reach commit trailers and Slack: keep them single-line and short. */
function clean(text: string | undefined, max = 300): string | undefined {
  if (text === undefined) return undefined;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point
  const single = text.replace(/[\u0000-\u001f\u007f\u202a-\u202e\u2066-\u2069]+/g, " ").trim();
  return single.length > max ? `${single.slice(0, max - 1)}…` : single;
}

function rolloutLabel(value: string | undefined): string | undefined {
  return value !== undefined && ROLLOUT_ID_PATTERN.test(value) ? value : undefined;
}

function repoLabel(value: string | undefined): string | undefined {
  return value !== undefined && /^[A-Za-z0-9-]{1,39}\/[A-Za-z0-9._-]{1,100}$/.test(value) ? value : undefined;
}

type LabelledAlert =
  | z.output<typeof AlertmanagerPayload>["alerts"][number]
  | z.output<typeof GrafanaPayload>["alerts"][number];

function fromLabelled(source: AlertSource, alert: LabelledAlert): InboxAlert {
  const { labels, annotations } = alert;
  const name = clean(labels.alertname, 200) ?? "alert";
  const identity = `${source}:${alert.fingerprint ?? JSON.stringify(Object.entries(labels).sort())}`;
  return {
    source,
    identity,
    key: `${identity}:${alert.startsAt}`,
    name,
    rollout: rolloutLabel(labels.rollout),
    repo: repoLabel(labels.repo),
    severity: mapSeverity(labels.severity),
    status: alert.status,
    summary: clean(annotations.summary ?? annotations.description ?? annotations.message),
    startsAt: alert.startsAt,
  };
}

export function fromAlertmanager(payload: z.output<typeof AlertmanagerPayload>): InboxAlert[] {
  return payload.alerts.map((a) => fromLabelled("alertmanager", a));
}

export function fromGrafana(payload: z.output<typeof GrafanaPayload>): InboxAlert[] {
  return payload.alerts.map((a) => fromLabelled("grafana", a));
}

export function fromGeneric(payload: z.output<typeof GenericPayload>): InboxAlert[] {
  const name = clean(payload.name, 200) ?? "generic alert";
  // No episode start here: an episode ends when its resolve arrives (the inbox then forgets the firing).
  const identity = `generic:${payload.id ?? `${name}:${payload.repo}:${payload.rollout}`}`;
  return [
    {
      source: "generic",
      identity,
      key: identity,
      name,
      rollout: rolloutLabel(payload.rollout),
      repo: repoLabel(payload.repo),
      severity: mapSeverity(payload.severity),
      status: payload.status,
      summary: clean(payload.summary),
    },
  ];
}
