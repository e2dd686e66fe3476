import { createHmac, randomUUID } from "node:crypto";
import examples from "@octokit/webhooks-examples";

/** Real webhook payloads from @octokit/webhooks-examples, re-pointed at the test repository, really signed. */

type Json = Record<string, unknown>;

export function examplePayload(
  event: string,
  action: string | undefined,
  repo: { owner: string; name: string },
): Json {
  const entry = (examples as unknown as { name: string; examples: Json[] }[]).find((e) => e.name === event);
  const example = entry?.examples.find((e) => action === undefined || e.action === action);
  if (!example) throw new Error(`no @octokit/webhooks-examples payload for ${event}.${action}`);
  const payload = structuredClone(example) as Json;
  const repository = payload.repository as Json | undefined;
  if (repository) {
    payload.repository = {
      ...repository,
      name: repo.name,
      full_name: `${repo.owner}/${repo.name}`,
      default_branch: "main",
      owner: { ...(repository.owner as Json), login: repo.owner, type: "Organization" },
    };
  }
  payload.installation = { id: 1, node_id: "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMQ==" };
  return payload;
}

export function sign(body: string, secret: string): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

export async function deliver(
  url: string,
  event: string,
  payload: Json,
  secret: string | undefined,
): Promise<Response> {
  const body = JSON.stringify(payload);
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "x-github-event": event,
    "x-github-delivery": randomUUID(),
    "user-agent": "GitHub-Hookshot/test",
  };
  if (secret !== undefined) headers["x-hub-signature-256"] = sign(body, secret);
  return fetch(url, { method: "POST", headers, body });
}
