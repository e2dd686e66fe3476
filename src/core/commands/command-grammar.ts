import { ROLLOUT_ID_PATTERN } from "../config/schema.ts";
import {
  type Command,
  type CommandUsageError,
  DOUBLE_QUOTES,
  MAX_COMMAND_LENGTH,
  MAX_PERCENT_DECIMALS,
  normalizeReason,
  type ParsedCommand,
  REASON_MARKER,
  type RollbackTo,
  type RolloutRef,
  SINGLE_QUOTES,
  USAGE,
  VERBS,
  type Verb,
} from "./command.ts";
import { say } from "./command-help.ts";

/**
 * The one parser behind `/rollout …` in Slack and PR comments, `rollout …` on the CLI and the
 * Action's `command:` input. Every loop is a single pass and every regex is anchored with no nested
 * quantifiers, so hostile input costs linear time; error messages quote at most a short excerpt.
 */

type Fail = { ok: false; error: CommandUsageError };
type Result<T> = { ok: true; value: T } | Fail;

const SPACE = /\s/;

/**
 * Shell-like splitting: whitespace separates, quotes group, backslash escapes. A single quote only
 * opens at the start of a word and only if a closing one follows (before a space or the end),
 * because elsewhere it is an apostrophe (don't, it’s) and reasons are full of them. An unterminated
 * double quote runs to the end of the input.
 */
export function tokenize(text: string): string[] {
  // Last place a single quote can close: decided once, so `'a 'a 'a …` does not rescan (quadratic).
  let lastSingleCloser = -1;
  for (let k = 0; k < text.length; k++) {
    const next = text[k + 1];
    if (SINGLE_QUOTES.has(text[k]!) && (next === undefined || SPACE.test(next))) lastSingleCloser = k;
  }
  const tokens: string[] = [];
  let current = "";
  let inToken = false;
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (SPACE.test(ch)) {
      if (inToken) tokens.push(current);
      current = "";
      inToken = false;
      i++;
      continue;
    }
    inToken = true;
    if (ch === "\\") {
      current += text[i + 1] ?? ch; // a trailing backslash stays literal
      i += 2;
    } else if (DOUBLE_QUOTES.has(ch)) {
      for (i++; i < text.length && !DOUBLE_QUOTES.has(text[i]!); i++) {
        if (text[i] === "\\" && i + 1 < text.length) i++;
        current += text[i];
      }
      i++; // past the closing quote, or past the end when there was none
    } else if (SINGLE_QUOTES.has(ch) && current === "" && lastSingleCloser > i) {
      for (i++; !(SINGLE_QUOTES.has(text[i]!) && (i + 1 === text.length || SPACE.test(text[i + 1]!))); i++) {
        current += text[i];
      }
      i++;
    } else {
      current += ch;
      i++;
    }
  }
  if (inToken) tokens.push(current);
  return tokens;
}

/** A whole line as typed: `/rollout rollback checkout to previous “p99 over 2s”`. */
export function parseCommand(text: string): ParsedCommand {
  // Checked before tokenising, so a megabyte of junk is refused without being copied around.
  if (text.length > MAX_COMMAND_LENGTH) return fail(say.tooLong(text.length));
  return parseCommandTokens(tokenize(text));
}

/** Already split, as the CLI's argv positionals are. */
export function parseCommandTokens(tokens: readonly string[]): ParsedCommand {
  const length = tokens.reduce((sum, token) => sum + token.length + 1, 0);
  if (length > MAX_COMMAND_LENGTH) return fail(say.tooLong(length));
  const first = tokens[0]?.toLowerCase();
  const [head, ...args] = first === "/rollout" || first === "rollout" ? tokens.slice(1) : tokens;
  if (head === undefined) return { ok: true, command: { verb: "help" } };
  const verb = head.toLowerCase();
  if (!isVerb(verb)) return unknown("command", head);
  const parsed = PARSERS[verb](args);
  return parsed.ok ? { ok: true, command: parsed.value } : parsed;
}

const PARSERS: Record<Verb, (args: readonly string[]) => Result<Command>> = {
  status: (args) => optionalRollout("status", args, (ref) => ({ verb: "status", ...ref })),
  validate: (args) => optionalRollout("validate", args, (ref) => ({ verb: "validate", ...ref })),
  list: (args) => noMore("list", args, { verb: "list" }),
  tick: (args) => noMore("tick", args, { verb: "tick" }),
  help: ([word, ...rest]) => {
    if (word === undefined) return ok({ verb: "help" });
    const topic = word.toLowerCase();
    return isVerb(topic) ? noMore("help", rest, { verb: "help", topic }) : unknown("help topic", word);
  },
  resume: ([word, ...rest]) =>
    withRollout("resume", word, (rollout) => noMore("resume", rest, { verb: "resume", rollout })),
  history: ([word, ...rest]) =>
    withRollout("history", word, (rollout) => noMore("history", rest, { verb: "history", rollout })),
  pause: ([word, ...rest]) =>
    withRollout("pause", word, (rollout) => ok({ verb: "pause", rollout, ...reasonOf(rest) })),
  advance: ([word, ...args]) =>
    withRollout("advance", word, (rollout) => {
      // advance takes nothing but a target, so its first argument is the target, `to` or not.
      const skip = args[0]?.toLowerCase() === "to" ? 1 : 0;
      const [target, ...rest] = args.slice(skip);
      if (target === undefined)
        return skip ? fail(say.missingTarget("advance"), USAGE.advance) : ok({ verb: "advance", rollout });
      const to = parsePercent(target);
      if (to === undefined) return fail(say.badTarget("advance", target), USAGE.advance);
      // Switching traffic off is a rollback, with its audit trail and workflow; never an advance.
      if (to === 0) return fail(say.advanceToZero(rollout.id), USAGE.advance);
      return noMore("advance", rest, { verb: "advance", rollout, to });
    }),
  rollback: ([word, ...args]) => {
    const lower = word?.toLowerCase();
    if (lower === "all" || lower === "--all") return ok({ verb: "rollback-all", ...reasonOf(args) });
    return withRollout("rollback", word, (rollout) => {
      const split = splitRollbackTarget(args);
      if (!split.ok) return split;
      const { target, rest } = split.value;
      if (target === undefined) return ok({ verb: "rollback", rollout, ...reasonOf(rest) });
      const to: RollbackTo | undefined =
        target.toLowerCase() === "previous" ? "previous" : parsePercent(target);
      if (to === undefined) return fail(say.badTarget("rollback", target), USAGE.rollback);
      return ok({ verb: "rollback", rollout, to, ...reasonOf(rest) });
    });
  },
};

/**
 * The target is `to X`, or a bare first word that is `previous`, a percentage, `0`, or a lone
 * number. A bare number followed by more words (`rollback x 5 pods crashed`) is refused rather than
 * guessed: rolling back to 5% when the user was starting a reason moves real traffic.
 */
function splitRollbackTarget(args: readonly string[]): Result<{ target?: string; rest: readonly string[] }> {
  const [word, ...rest] = args;
  const lower = word?.toLowerCase();
  if (word === undefined) return ok({ rest });
  if (lower === "to")
    return rest[0] === undefined
      ? fail(say.missingTarget("rollback"), USAGE.rollback)
      : ok({ target: rest[0], rest: rest.slice(1) });
  if (lower === "previous" || /^[\d.]+%$/.test(word) || parsePercent(word) === 0)
    return ok({ target: word, rest });
  if (!/^[\d.]+$/.test(word)) return ok({ rest: args });
  if (rest.length === 0) return ok({ target: word, rest });
  return fail(say.ambiguousNumber(word), USAGE.rollback);
}

/** `12`, `12%`, `12.5%`: 0..100 with at most MAX_PERCENT_DECIMALS decimals. */
function parsePercent(text: string): number | undefined {
  const match = /^\d{1,3}(?:\.(\d+))?%?$/.exec(text);
  if (match === null || (match[1]?.length ?? 0) > MAX_PERCENT_DECIMALS) return undefined;
  const value = Number(text.endsWith("%") ? text.slice(0, -1) : text);
  return value <= 100 ? value : undefined;
}

function reasonOf([first = "", ...rest]: readonly string[]): { reason?: string } {
  const marker = REASON_MARKER.exec(first)?.[0] ?? "";
  const reason = normalizeReason([first.slice(marker.length), ...rest].join(" "));
  return reason === undefined ? {} : { reason };
}

function withRollout(
  verb: Verb,
  word: string | undefined,
  then: (ref: RolloutRef) => Result<Command>,
): Result<Command> {
  const lower = word?.toLowerCase();
  // `advance to 50%`, `rollback previous`, `pause --reason …`: the id was left out, not misspelt.
  if (word === undefined || lower === "to" || lower === "previous" || REASON_MARKER.test(word)) {
    return fail(say.missingId(verb), USAGE[verb]);
  }
  if (lower === "all" || lower === "--all") {
    return fail(say.oneRolloutOnly(verb), USAGE[verb]);
  }
  const ref = parseRef(verb, word);
  return ref.ok ? then(ref.value) : ref;
}

function optionalRollout(
  verb: "status" | "validate",
  [word, ...rest]: readonly string[],
  build: (ref: { rollout?: RolloutRef }) => Command,
): Result<Command> {
  // `status all` is what people type for "status of everything", which is plain `status`.
  if (word === undefined || (word.toLowerCase() === "all" && rest.length === 0)) return ok(build({}));
  return withRollout(verb, word, (rollout) => noMore(verb, rest, build({ rollout })));
}

// GitHub's rules: owners are 1-39 alphanumerics or inner hyphens; names 1-100 of [A-Za-z0-9._-].
const OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,37}[A-Za-z0-9])?$/;
const REPO_NAME = /^[A-Za-z0-9._-]{1,100}$/;

/** `id` or `owner/repo:id`. Ids are lowercased: rollout files are named in lowercase anyway. */
function parseRef(verb: Verb, word: string): Result<RolloutRef> {
  const colon = word.indexOf(":");
  const id = word.slice(colon + 1).toLowerCase();
  const repo = colon === -1 ? undefined : word.slice(0, colon);
  if (repo !== undefined) {
    const [owner = "", name = "", extra] = repo.split("/", 3);
    if (extra !== undefined || !OWNER.test(owner) || !REPO_NAME.test(name) || name === "." || name === "..") {
      return fail(say.badRepo(repo), USAGE[verb]);
    }
  }
  if (!ROLLOUT_ID_PATTERN.test(id)) {
    return fail(say.badId(word.slice(colon + 1)), USAGE[verb]);
  }
  return ok(repo === undefined ? { id } : { id, repo });
}

function noMore(verb: Verb, rest: readonly string[], command: Command): Result<Command> {
  return rest.length === 0 ? ok(command) : fail(say.extraArguments(verb, rest.join(" ")), USAGE[verb]);
}

function unknown(what: "command" | "help topic", word: string): Fail {
  const [message, usage] = say.unknown(what, word);
  return fail(message, usage);
}

function isVerb(word: string): word is Verb {
  return (VERBS as readonly string[]).includes(word);
}

function ok<T>(value: T): { ok: true; value: T } {
  return { ok: true, value };
}

function fail(message: string, usage?: string | undefined): Fail {
  return {
    ok: false,
    error: usage === undefined ? { code: "USAGE", message } : { code: "USAGE", message, usage },
  };
}
