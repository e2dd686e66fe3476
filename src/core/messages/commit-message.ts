/** Commit messages the bot writes: a subject, a body, and audit trailers that `history` parses back. */

export interface AuditRecord {
  rollout: string;
  action: string;
  from: number;
  to: number;
  actor: string;
  reason?: string;
  /** One line per metric, alert or gate check used for the decision. */
  evidence: string[];
  forced?: boolean;
}

const SUBJECT_RE = /^rollout\(([a-z0-9-]+)\): /;

/** Trailer values are one line: newlines would end the trailer block early. */
function oneLine(text: string): string {
  return text.replace(/[\r\n]+/g, " ").trim();
}

/** Whether a commit is one the bot wrote (single or bulk): every one carries `Rollout-Action`. */
export function isBotCommit(message: string): boolean {
  return /^Rollout-Action: /m.test(message);
}

export function renderCommitMessage(record: AuditRecord): string {
  const move = record.from === record.to ? `at ${record.to}%` : `${record.from}% → ${record.to}%`;
  const subject = `rollout(${record.rollout}): ${record.action} ${move}`;
  const trailers = [
    `Rollout: ${record.rollout}`,
    `Rollout-Action: ${record.action}`,
    `Rollout-From: ${record.from}`,
    `Rollout-To: ${record.to}`,
    `Rollout-Actor: ${oneLine(record.actor)}`,
  ];
  if (record.reason) trailers.push(`Rollout-Reason: ${oneLine(record.reason)}`);
  if (record.forced) trailers.push("Rollout-Forced: true");
  for (const line of record.evidence) trailers.push(`Rollout-Evidence: ${oneLine(line)}`);
  const body = record.reason ? `${oneLine(record.reason)}\n\n` : "";
  return `${subject}\n\n${body}${trailers.join("\n")}\n`;
}

export interface BulkRecord {
  action: string;
  actor: string;
  reason?: string;
  entries: { rollout: string; from: number; to: number; evidence: string[] }[];
}

/** One commit for several rollouts (the emergency `rollback all`): a `Rollout-Bulk` trailer each. */
export function renderBulkCommitMessage(record: BulkRecord): string {
  const subject = `rollout(all): ${record.action} ${record.entries.length} rollout${record.entries.length === 1 ? "" : "s"}`;
  const lines = record.entries.map((e) => `- ${e.rollout}: ${e.from}% → ${e.to}%`);
  const trailers = [`Rollout-Action: ${record.action}`, `Rollout-Actor: ${oneLine(record.actor)}`];
  if (record.reason) trailers.push(`Rollout-Reason: ${oneLine(record.reason)}`);
  for (const e of record.entries) trailers.push(`Rollout-Bulk: ${e.rollout} ${e.from} ${e.to}`);
  for (const e of record.entries) {
    for (const line of e.evidence) trailers.push(`Rollout-Evidence: ${e.rollout}: ${oneLine(line)}`);
  }
  const reason = record.reason ? `${oneLine(record.reason)}\n\n` : "";
  return `${subject}\n\n${reason}${lines.join("\n")}\n\n${trailers.join("\n")}\n`;
}

function fromBulk(fields: Map<string, string[]>, forRollout: string): AuditRecord | undefined {
  for (const line of fields.get("Rollout-Bulk") ?? []) {
    const [rollout, from, to] = line.split(" ");
    if (rollout !== forRollout || from === undefined || to === undefined) continue;
    const prefix = `${rollout}: `;
    const record: AuditRecord = {
      rollout,
      action: fields.get("Rollout-Action")?.[0] ?? "change",
      from: Number(from),
      to: Number(to),
      actor: fields.get("Rollout-Actor")?.[0] ?? "unknown",
      evidence: (fields.get("Rollout-Evidence") ?? [])
        .filter((l) => l.startsWith(prefix))
        .map((l) => l.slice(prefix.length)),
    };
    const reason = fields.get("Rollout-Reason")?.[0];
    if (reason !== undefined) record.reason = reason;
    return record;
  }
  return undefined;
}

/**
 * Reads an audit record back from any commit message; undefined when it has no Rollout trailers.
 * A bulk commit yields the record of `forRollout`.
 */
export function parseCommitMessage(message: string, forRollout?: string): AuditRecord | undefined {
  const paragraphs = message.trimEnd().split(/\n\s*\n/);
  const last = paragraphs.at(-1) ?? "";
  const fields = new Map<string, string[]>();
  for (const line of last.split("\n")) {
    const match = /^([A-Za-z-]+): (.*)$/.exec(line);
    if (!match) continue;
    const [, key = "", value = ""] = match;
    fields.set(key, [...(fields.get(key) ?? []), value]);
  }
  const one = (key: string) => fields.get(key)?.[0];
  if (fields.has("Rollout-Bulk")) return forRollout === undefined ? undefined : fromBulk(fields, forRollout);
  const rollout = one("Rollout") ?? SUBJECT_RE.exec(message)?.[1];
  const from = Number(one("Rollout-From"));
  const to = Number(one("Rollout-To"));
  if (rollout === undefined || Number.isNaN(from) || Number.isNaN(to) || one("Rollout-From") === undefined) {
    return undefined;
  }
  const record: AuditRecord = {
    rollout,
    action: one("Rollout-Action") ?? "change",
    from,
    to,
    actor: one("Rollout-Actor") ?? "unknown",
    evidence: fields.get("Rollout-Evidence") ?? [],
  };
  const reason = one("Rollout-Reason");
  if (reason !== undefined) record.reason = reason;
  if (one("Rollout-Forced") === "true") record.forced = true;
  return record;
}
