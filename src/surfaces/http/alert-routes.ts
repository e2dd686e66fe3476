import type { IncomingMessage } from "node:http";
import type { z } from "zod";
import { type AlertOutcome, handleAlerts, type InboxDeps } from "../../commands/handle-alerts.ts";
import { fromAlertmanager, fromGeneric, fromGrafana, type InboxAlert } from "../../core/alerts/alert.ts";
import {
  AlertmanagerPayload,
  type AlertSource,
  GenericPayload,
  GrafanaPayload,
} from "../../core/alerts/alert-payloads.ts";
import { hasBearer } from "./bearer.ts";
import { HttpError, readJson } from "./read-body.ts";

/** POST /alerts/{alertmanager,grafana,generic}: authenticate, validate, normalise, hand to the inbox. */

const SOURCES: Record<AlertSource, { schema: z.ZodType; normalise: (payload: never) => InboxAlert[] }> = {
  alertmanager: { schema: AlertmanagerPayload, normalise: fromAlertmanager },
  grafana: { schema: GrafanaPayload, normalise: fromGrafana },
  generic: { schema: GenericPayload, normalise: fromGeneric },
};

export function isAlertSource(name: string): name is AlertSource {
  return Object.hasOwn(SOURCES, name);
}

export async function receiveAlerts(
  req: IncomingMessage,
  source: AlertSource,
  token: string | undefined,
  deps: InboxDeps,
): Promise<{ status: number; body: { outcomes: AlertOutcome[] } }> {
  // No token configured = the endpoint is closed, never open.
  if (!token || !hasBearer(req, token)) throw new HttpError(401, "missing or wrong bearer token");
  const raw = await readJson(req);
  const { schema, normalise } = SOURCES[source];
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const where = first?.path.length ? `${first.path.join(".")}: ` : "";
    throw new HttpError(400, `invalid ${source} payload: ${where}${first?.message ?? "invalid"}`);
  }
  const outcomes = await handleAlerts(deps, normalise(parsed.data as never));
  return { status: 202, body: { outcomes } };
}
