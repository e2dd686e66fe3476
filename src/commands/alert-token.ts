import { createHmac, timingSafeEqual } from "node:crypto";
import { parseRepositoryName } from "../core/config/repository-name.ts";

/**
 * Per-repository alert credentials: a token that lets an alert sender (a tenant's Alertmanager) touch
 * that repository's rollouts and no other. Derived, not stored: `rbt1.<repo>.<HMAC-SHA256(key, repo)>`
 * with the operator's `ALERT_TOKEN_KEY`, so the server needs no table and `rollout alert-token
 * owner/name` (given the same key) prints the same token. Rotating the key revokes every token.
 */

const PREFIX = "rbt1";
export const MIN_KEY_LENGTH = 32;

const b64 = (data: Buffer | string) => Buffer.from(data).toString("base64url");

function mac(key: string, repo: string): Buffer {
  return createHmac("sha256", key).update(`rollout-bot alert token v1\n${repo.toLowerCase()}`).digest();
}

/** The token of one repository (`owner/name`, case-insensitive). */
export function issueAlertToken(key: string, repo: string): string {
  if (key.length < MIN_KEY_LENGTH)
    throw new RangeError(`ALERT_TOKEN_KEY must be at least ${MIN_KEY_LENGTH} characters`);
  const name = parseRepositoryName(repo);
  if (!name) throw new RangeError(`'${repo.slice(0, 100)}' is not owner/name`);
  const canonical = `${name.owner}/${name.repo}`.toLowerCase();
  return `${PREFIX}.${b64(canonical)}.${b64(mac(key, canonical))}`;
}

/** The repository a token was issued for, or undefined when it is not one of ours (checked in constant time). */
export function verifyAlertToken(key: string | undefined, token: string): string | undefined {
  if (!key || key.length < MIN_KEY_LENGTH) return undefined;
  const [prefix, repoPart, macPart, ...rest] = token.split(".");
  if (prefix !== PREFIX || !repoPart || !macPart || rest.length > 0) return undefined;
  const repo = Buffer.from(repoPart, "base64url").toString("utf8");
  if (!parseRepositoryName(repo) || repo !== repo.toLowerCase()) return undefined;
  const expected = mac(key, repo);
  const given = Buffer.from(macPart, "base64url");
  return given.length === expected.length && timingSafeEqual(given, expected) ? repo : undefined;
}
