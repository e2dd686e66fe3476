/**
 * The one command model shared by Slack (`/rollout …`), PR comments, the CLI and the Action.
 * Surfaces parse text into a `Command` with `parseCommand` and hand it to the use-cases; nothing
 * downstream ever looks at the raw text again.
 */

/** `checkout-v2`, or `acme/shop:checkout-v2` when the same id exists in several repositories. */
export interface RolloutRef {
  id: string;
  repo?: string;
}

/** A percentage 0..100 (at most 4 decimals), or the stage before the current one. */
export type RollbackTo = number | "previous";

export type Command =
  | { verb: "status"; rollout?: RolloutRef }
  | { verb: "list" }
  | { verb: "help"; topic?: Verb }
  | { verb: "advance"; rollout: RolloutRef; to?: number }
  | { verb: "rollback"; rollout: RolloutRef; to?: RollbackTo; reason?: string }
  // `rollback all` is typed as its own verb so that no use-case can mistake the emergency kill
  // switch for a rollback of a rollout that happens to be called "all".
  | { verb: "rollback-all"; reason?: string }
  | { verb: "pause"; rollout: RolloutRef; reason?: string }
  | { verb: "resume"; rollout: RolloutRef }
  | { verb: "history"; rollout: RolloutRef }
  | { verb: "validate"; rollout?: RolloutRef }
  | { verb: "tick" };

/** The words a user types first; `rollback-all` is spelled `rollback all`, so it is no verb of its own. */
export type Verb = Exclude<Command["verb"], "rollback-all">;

export interface CommandUsageError {
  code: "USAGE";
  /** Self-contained text for the user; echoes at most a short, sanitised excerpt of their input. */
  message: string;
  /** The usage line of the verb concerned (without any `/rollout` or `rollout` prefix). */
  usage?: string;
}

export type ParsedCommand = { ok: true; command: Command } | { ok: false; error: CommandUsageError };

/** In the order help lists them: read-only first, then the ones that change things. */
export const VERBS = [
  "status",
  "list",
  "help",
  "advance",
  "rollback",
  "pause",
  "resume",
  "history",
  "validate",
  "tick",
] as const satisfies readonly Verb[];

/** One usage line per verb, shared by error messages and help so the two never disagree. */
export const USAGE: Readonly<Record<Verb, string>> = {
  status: "status [<rollout>]",
  list: "list",
  help: "help [<command>]",
  advance: "advance <rollout> [to <N>%]",
  rollback: "rollback <rollout> [to <N>% | to previous | to 0] [reason…]",
  pause: "pause <rollout> [reason…]",
  resume: "resume <rollout>",
  history: "history <rollout>",
  validate: "validate [<rollout>]",
  tick: "tick",
};

export const ROLLBACK_ALL_USAGE = "rollback all [reason…]";

/**
 * Words that cannot be a bare rollout id: `rollback all` is the kill switch, and `advance to 50%`
 * or `rollback previous` mean the id was forgotten. A rollout with such an id is still reachable
 * as `owner/repo:all`.
 */
export const RESERVED_IDS: readonly string[] = ["all", "to", "previous"];

/**
 * Slack allows about 4,000 characters in a slash command; anything longer is not a command a
 * person typed, so it is refused before any work is done on it.
 */
export const MAX_COMMAND_LENGTH = 4000;

/** Traffic routers split at best to 1/1,000,000 (Envoy); more decimals than that are a typo. */
export const MAX_PERCENT_DECIMALS = 4;

/** Every kind of quote counts, because Slack turns "…" into “…” and ' into ’ as people type. */
export const DOUBLE_QUOTES: ReadonlySet<string> = new Set(['"', "\u201c", "\u201d", "\u201e"]);
export const SINGLE_QUOTES: ReadonlySet<string> = new Set(["'", "\u2018", "\u2019"]);

/** `--reason text`, `--reason=text`, `reason: text`, `reason:text`; matched on one word. */
export const REASON_MARKER = /^(?:--reason(?:=|$)|reason:)/i;

const SPACE = /\s/;

/**
 * Drops what must never reach a commit trailer, a Slack message or a terminal: control characters
 * and the bidi overrides of "Trojan Source" tricks. Any whitespace (newlines too) becomes a space.
 */
export function cleanText(text: string, replacement = ""): string {
  let out = "";
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    const invisible =
      code < 0x20 ||
      (code >= 0x7f && code < 0xa0) ||
      (code >= 0x202a && code <= 0x202e) ||
      (code >= 0x2066 && code <= 0x2069);
    out += SPACE.test(ch) ? " " : invisible ? replacement : ch;
  }
  return out;
}

/**
 * The one form a reason takes, whether typed or built in code: cleaned, single-spaced, trimmed,
 * and absent rather than empty. Reasons end up in commit trailers, where a newline would forge one.
 */
export function normalizeReason(text: string): string | undefined {
  const reason = cleanText(text).replace(/ {2,}/g, " ").trim();
  return reason === "" ? undefined : reason;
}

/**
 * Canonical text for a command: `parseCommand(renderCommand(c))` gives back `c` (with its reason
 * normalised). Used for audit trails, Slack buttons and "did you mean" replies.
 */
export function renderCommand(command: Command): string {
  const words: (string | undefined)[] = [command.verb === "rollback-all" ? "rollback all" : command.verb];
  switch (command.verb) {
    case "status":
    case "validate":
      words.push(command.rollout && renderRef(command.rollout));
      break;
    case "help":
      words.push(command.topic);
      break;
    case "advance":
      words.push(renderRef(command.rollout), ...(command.to === undefined ? [] : ["to", `${command.to}%`]));
      break;
    case "rollback": {
      const to =
        command.to === undefined ? [] : ["to", command.to === "previous" ? "previous" : `${command.to}%`];
      words.push(renderRef(command.rollout), ...to, renderReason(command.reason, command.to === undefined));
      break;
    }
    case "rollback-all":
      words.push(renderReason(command.reason, false));
      break;
    case "pause":
      words.push(renderRef(command.rollout), renderReason(command.reason, false));
      break;
    case "resume":
    case "history":
      words.push(renderRef(command.rollout));
      break;
  }
  return words.filter((word) => word !== undefined).join(" ");
}

function renderRef(ref: RolloutRef): string {
  // `rollback all` would be the kill switch: refuse to write text that means something else.
  if (ref.repo === undefined && RESERVED_IDS.includes(ref.id)) {
    throw new RangeError(
      `rollout id '${ref.id}' is a keyword; it can only be written as owner/repo:${ref.id}`,
    );
  }
  return quoteWord(ref.repo === undefined ? ref.id : `${ref.repo}:${ref.id}`);
}

/** After a rollout with no target, a first word like `previous` or `5%` would be read as the target. */
function renderReason(reason: string | undefined, targetless: boolean): string | undefined {
  const clean = reason === undefined ? undefined : normalizeReason(reason);
  if (clean === undefined) return undefined;
  const words = clean.split(" ");
  const first = words[0]?.toLowerCase() ?? "";
  const misread = REASON_MARKER.test(first) || (targetless && /^(?:to$|previous$|[\d.])/.test(first));
  return (misread ? "--reason " : "") + words.map(quoteWord).join(" ");
}

/** Double quotes with backslash escapes: the form `tokenize` reads back exactly. */
function quoteWord(word: string): string {
  const special = (ch: string) => ch === "\\" || DOUBLE_QUOTES.has(ch);
  const plain =
    word !== "" && Array.from(word).every((ch) => !special(ch) && !SINGLE_QUOTES.has(ch) && !SPACE.test(ch));
  if (plain) return word;
  return `"${Array.from(word, (ch) => (special(ch) ? `\\${ch}` : ch)).join("")}"`;
}
