import { editDistance } from "../did-you-mean.ts";
import {
  cleanText,
  MAX_COMMAND_LENGTH,
  MAX_PERCENT_DECIMALS,
  ROLLBACK_ALL_USAGE,
  USAGE,
  VERBS,
  type Verb,
} from "./command.ts";

/**
 * Help for every surface. Plain text on purpose: the same string goes to Slack (where mrkdwn would
 * mangle tables, `*` and `_`), PR comments and a terminal. Usage lines come from `USAGE`, so help
 * and error messages cannot drift apart. Slack surfaces still escape `&`, `<`, `>` as Slack requires.
 */

interface Topic {
  summary: string;
  details: string;
  example: string;
}

const TOPICS: Readonly<Record<Verb, Topic>> = {
  status: {
    summary: "health (green, yellow or red), stage and gate of one rollout, or of every rollout",
    details:
      "Each metric is shown with its value, threshold and window, and the gate says what still blocks an advance.",
    example: "status checkout-v2",
  },
  list: {
    summary: "every rollout with its percentage, phase and health",
    details: "One line per rollout file in .github/rollouts/.",
    example: "list",
  },
  help: {
    summary: "this text, or details and an example for one command",
    details: "Give a command name for its details.",
    example: "help rollback",
  },
  advance: {
    summary: "open (or refresh) the pull request that moves a rollout to its next stage, or to N%",
    details:
      "Merging that pull request is the human gate; its check shows the gate and the approvals needed. Advance never goes to 0%: that is a rollback.",
    example: "advance checkout-v2 to 50%",
  },
  rollback: {
    summary: "roll back now: commit the lower percentage and dispatch the rollback workflow",
    details: [
      "Without a target it goes to the rollout's rollback target (the previous stage unless the file says 0).",
      "The words after the target are the reason; 'reason:' or '--reason' may introduce them.",
      "A bare number followed by a reason is refused as ambiguous: write 'to 5%'.",
      `Emergency kill switch, every rollout to 0%: ${ROLLBACK_ALL_USAGE} (or rollback --all).`,
    ].join("\n"),
    example: "rollback checkout-v2 to previous error rate above 5% since 14:02",
  },
  pause: {
    summary: "hold a rollout at its current percentage: no advance until resume",
    details: "Rollback and status keep working while a rollout is paused.",
    example: "pause checkout-v2 waiting for the database migration",
  },
  resume: {
    summary: "undo a pause, so the rollout can advance again",
    details: "The gate (bake time, health, approvals, cooldown) still decides when.",
    example: "resume checkout-v2",
  },
  history: {
    summary: "every percentage change of a rollout, with who, when and why",
    details: "Every change is a commit to the rollout file, so git log shows the same trail.",
    example: "history checkout-v2",
  },
  validate: {
    summary: "check rollout files and settings, reporting each problem with its file and line",
    details: "Without a rollout it checks every file in .github/rollouts/ and .github/rollout-bot.yml.",
    example: "validate checkout-v2",
  },
  tick: {
    summary: "run one scheduler evaluation: status posts and automatic advance or rollback",
    details: "For a GitHub Actions schedule, so the bot can run without a server.",
    example: "tick",
  },
};

const COMMON = [
  "<rollout> is a rollout id like checkout-v2, or owner/repo:id when the id is not unique.",
  "<N>% is a percentage from 0 to 100; decimals are fine (12.5%) and the % sign is optional.",
];

/** General help with no topic; per-command details and an example with one. */
export function helpText(topic?: Verb): string {
  if (topic !== undefined) {
    const { summary, details, example } = TOPICS[topic];
    return [USAGE[topic], `${capitalise(summary)}.`, details, `Example: ${example}`].join("\n");
  }
  return [
    "rollout-bot commands, the same in Slack (/rollout), PR comments (/rollout), the CLI (rollout) and the Action:",
    "",
    ...VERBS.map((verb) => `${USAGE[verb]} — ${TOPICS[verb].summary}`),
    `${ROLLBACK_ALL_USAGE} — emergency kill switch: every rollout back to 0% at once`,
    "",
    ...COMMON,
    "Type help <command> for details and an example.",
  ].join("\n");
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

const ECHO_LIMIT = 40;

/** A short, cleaned excerpt of user input: hostile input can neither flood nor forge a reply. */
function echo(text: string, quoted = true): string {
  const chars = Array.from(text.slice(0, 2 * ECHO_LIMIT + 2));
  const shown = cleanText(chars.slice(0, ECHO_LIMIT).join(""), " ") + (chars.length > ECHO_LIMIT ? "…" : "");
  return quoted ? `'${shown}'` : shown;
}

const RANGE = { advance: "above 0 and up to 100", rollback: "from 0 to 100, or previous" } as const;
const ID_RULE = "ids are lowercase letters, digits and hyphens (at most 63, not starting with a hyphen)";

/**
 * Every sentence the parser says to a user, kept beside the help it points to so wording is
 * reviewed in one place. User input only ever appears through `echo`.
 */
export const say = {
  tooLong: (length: number) =>
    `command is too long (${length} characters; the limit is ${MAX_COMMAND_LENGTH})`,
  missingId: (verb: Verb) => `${verb} needs a rollout id: ${USAGE[verb]}`,
  oneRolloutOnly: (verb: Verb) =>
    `${verb} works on one rollout at a time; only 'rollback all' acts on every rollout`,
  badId: (word: string) => `${echo(word)} is not a rollout id: ${ID_RULE}, or owner/repo:id`,
  badRepo: (repo: string) =>
    `${echo(repo)} is not a repository: write owner/name:id, like acme/shop:checkout`,
  extraArguments: (verb: Verb, extra: string) =>
    `${verb === "list" || verb === "tick" ? `${verb} takes no arguments` : `too many arguments for ${verb}`}, got ${echo(extra)}`,
  missingTarget: (verb: "advance" | "rollback") => `'to' needs a percentage ${RANGE[verb]}`,
  badTarget: (verb: "advance" | "rollback", word: string) =>
    `${echo(word)} is not a valid target: use a percentage ${RANGE[verb]}, like 25% or 12.5% (at most ${MAX_PERCENT_DECIMALS} decimals)`,
  advanceToZero: (id: string) => `advance never goes to 0%: use rollback ${id} to 0`,
  ambiguousNumber: (word: string) =>
    `${echo(word)} could be a target or the start of a reason: write 'to ${echo(word, false)}%' for a target, or 'reason: …' before the reason`,
  /** The message, and the usage line of the verb it suggests. */
  unknown: (what: "command" | "help topic", word: string): [string, string?] => {
    // The kill switch is two words; its one-word spellings get pointed there rather than to `rollback`.
    if (what === "command" && /^rollback-?all$/i.test(word)) {
      return [`unknown command ${echo(word)}. Did you mean 'rollback all'?`, ROLLBACK_ALL_USAGE];
    }
    const guess = suggestVerb(word);
    if (guess === undefined) return [`unknown ${what} ${echo(word)}. Commands: ${VERBS.join(", ")}`];
    return [`unknown ${what} ${echo(word)}. Did you mean '${guess}'?`, USAGE[guess]];
  },
};

/** Words people bring from other tools. Only ever suggested, never run: a guess must not act. */
const SYNONYMS = new Map<string, Verb>([
  ["revert", "rollback"],
  ["undo", "rollback"],
  ["promote", "advance"],
  ["bump", "advance"],
  ["unpause", "resume"],
  ["ls", "list"],
  ["log", "history"],
  ["lint", "validate"],
  ["check", "validate"],
]);

/** The verb a mistyped word most likely meant (`rolback`, `stauts`, `hist`, `revert`), if any is close. */
export function suggestVerb(word: string): Verb | undefined {
  const lower = word.toLowerCase().slice(0, 32); // bounds the edit-distance work on hostile input
  const synonym = SYNONYMS.get(lower);
  if (synonym !== undefined) return synonym;
  const prefixed = VERBS.filter((verb) => lower.length >= 3 && verb.startsWith(lower));
  if (prefixed.length === 1) return prefixed[0];
  let best: Verb | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const verb of VERBS) {
    const distance = editDistance(lower, verb);
    // Two edits on a short word reach unrelated verbs (`lost` → `list` is fine, `tock` → `lock` not).
    if (distance <= (verb.length >= 6 ? 2 : 1) && distance < bestDistance)
      [best, bestDistance] = [verb, distance];
  }
  return best;
}
