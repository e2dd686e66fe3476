import type { IncomingMessage } from "node:http";
import type { z } from "zod";
import { verifyAlertToken } from "../../commands/alert-token.ts";
import {
  type AlertOutcome,
  type AlertScope,
  handleAlerts,
  type InboxDeps,
  MAX_ALERTS_PER_REQUEST,
} from "../../commands/handle-alerts.ts";
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

/** Who may send alerts: the global token (every repository), and per-repository tokens from a key. */
export interface AlertCredentials {
  /** `ALERT_WEBHOOK_TOKEN`: grants every repository (single-tenant installs). */
  token?: string | undefined;
  /** `ALERT_TOKEN_KEY`: per-repository tokens (`rollout alert-token owner/name`). */
  tokenKey?: string | undefined;
}

/** Which repositories a request's bearer token covers; undefined: none (401). */
export function alertScope(req: IncomingMessage, credentials: AlertCredentials): AlertScope | undefined {
  // No credential configured = the endpoint is closed, never open.
  if (credentials.token && hasBearer(req, credentials.token)) return { kind: "all" };
  const bearer = /^Bearer (\S+)$/i.exec(req.headers.authorization ?? "")?.[1];
  const repo = bearer ? verifyAlertToken(credentials.tokenKey, bearer) : undefined;
  return repo ? { kind: "repo", repo } : undefined;
}

export async function receiveAlerts(
  req: IncomingMessage,
  source: AlertSource,
  credentials: AlertCredentials,
  deps: InboxDeps,
): Promise<{ status: number; body: { outcomes: AlertOutcome[] } }> {
  const scope = alertScope(req, credentials);
  if (!scope) throw new HttpError(401, "missing or wrong bearer token");
  const raw = await readJson(req);
  const { schema, normalise } = SOURCES[source];
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const where = first?.path.length ? `${first.path.join(".")}: ` : "";
    throw new HttpError(400, `invalid ${source} payload: ${where}${first?.message ?? "invalid"}`);
  }
  const alerts = normalise(parsed.data as never);
  if (alerts.length > MAX_ALERTS_PER_REQUEST)
    throw new HttpError(
      413,
      `${alerts.length} alerts in one request: at most ${MAX_ALERTS_PER_REQUEST}; nothing was done`,
    );
  const outcomes = await handleAlerts(deps, alerts, scope);
  return { status: 202, body: { outcomes } };
}
