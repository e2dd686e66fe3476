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

/** Reads an audit record back from any commit message; undefined when it has no Rollout trailers. */
export function parseCommitMessage(message: string): AuditRecord | undefined {
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
