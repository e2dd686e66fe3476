import { z } from "zod";

/** The three alert webhook formats the inbox accepts, validated at the edge. */

const Labels = z.record(z.string(), z.string()).default({});

/** One alert as Alertmanager sends it; Grafana's alerting webhook uses the same shape plus `values`. */
const LabelledAlert = z.object({
  status: z.enum(["firing", "resolved"]),
  labels: Labels,
  annotations: Labels,
  startsAt: z.string().max(64),
  endsAt: z.string().max(64).optional(),
  fingerprint: z.string().max(256).optional(),
});

/** Alertmanager webhook, version 4 (https://prometheus.io/docs/alerting/latest/configuration/#webhook_config). */
export const AlertmanagerPayload = z.object({
  version: z.literal("4"),
  groupKey: z.string().max(4096).optional(),
  status: z.enum(["firing", "resolved"]),
  receiver: z.string().max(1024).optional(),
  alerts: z.array(LabelledAlert.extend({ generatorURL: z.string().max(4096).optional() })).max(1000),
});

/** Grafana unified alerting webhook: Alertmanager-like alerts plus Grafana's own fields. */
export const GrafanaPayload = z.object({
  status: z.enum(["firing", "resolved"]),
  orgId: z.number().optional(),
  title: z.string().max(4096).optional(),
  alerts: z
    .array(
      LabelledAlert.extend({ values: z.record(z.string(), z.number().nullable()).nullable().optional() }),
    )
    .max(1000),
});

/** For anything else: one alert per request. */
export const GenericPayload = z.object({
  rollout: z.string().max(200),
  repo: z.string().max(200),
  severity: z.string().max(32).default("critical"),
  status: z.enum(["firing", "resolved"]).default("firing"),
  summary: z.string().max(2000).optional(),
  name: z.string().max(200).optional(),
  id: z.string().max(256).optional().describe("Dedupe key; default: name + rollout"),
});

export type AlertSource = "alertmanager" | "grafana" | "generic";
