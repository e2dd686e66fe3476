import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type Command,
  MAX_COMMAND_LENGTH,
  normalizeReason,
  RESERVED_IDS,
  type RolloutRef,
  renderCommand,
  USAGE,
  VERBS,
  type Verb,
} from "../../src/core/commands/command.ts";
import { parseCommand, parseCommandTokens, tokenize } from "../../src/core/commands/command-grammar.ts";
import { helpText, suggestVerb } from "../../src/core/commands/command-help.ts";
import { editDistance } from "../../src/core/did-you-mean.ts";

const ok = (command: Command) => ({ ok: true, command });
const usageError = (message: string, usage?: string) => ({
  ok: false,
  error: usage === undefined ? { code: "USAGE", message } : { code: "USAGE", message, usage },
});

describe("tokenize", () => {
  it.each<[string, string[]]>([
    ["", []],
    ["   \t \n ", []],
    ["  status   checkout  ", ["status", "checkout"]],
    ["a\u00a0b\tc\nd", ["a", "b", "c", "d"]],
    [`pause x "db is down"`, ["pause", "x", "db is down"]],
    ["pause x 'db is down'", ["pause", "x", "db is down"]],
    ["pause x “db is down”", ["pause", "x", "db is down"]],
    ["pause x ‘db is down’", ["pause", "x", "db is down"]],
    ["pause x „db is down“", ["pause", "x", "db is down"]],
    ["pause x “it’s the DB”", ["pause", "x", "it’s the DB"]],
    ["pause x ‘it’s the DB’", ["pause", "x", "it’s the DB"]],
    ["pause x don't deploy", ["pause", "x", "don't", "deploy"]],
    ["pause x it’s Bob’s call", ["pause", "x", "it’s", "Bob’s", "call"]],
    ["pause x 'tis odd", ["pause", "x", "'tis", "odd"]],
    [`a"b c"d`, ["ab cd"]],
    [`"" x`, ["", "x"]],
    [`say \\"hi\\" a\\ b`, ["say", `"hi"`, "a b"]],
    [`"a \\" b"`, [`a " b`]],
    ["trailing\\", ["trailing\\"]],
    [`pause x "never closed  here`, ["pause", "x", "never closed  here"]],
    ["pause x “never closed", ["pause", "x", "never closed"]],
  ])("%j", (text, tokens) => {
    expect(tokenize(text)).toEqual(tokens);
  });
});

describe("parseCommand: every verb and form", () => {
  it.each<[string, Command]>([
    ["", { verb: "help" }],
    ["   ", { verb: "help" }],
    ["/rollout", { verb: "help" }],
    ["rollout", { verb: "help" }],
    ["help", { verb: "help" }],
    ["help rollback", { verb: "help", topic: "rollback" }],
    ["HELP Advance", { verb: "help", topic: "advance" }],
    ["status", { verb: "status" }],
    ["status all", { verb: "status" }],
    ["status checkout-v2", { verb: "status", rollout: { id: "checkout-v2" } }],
    ["STATUS Checkout-V2", { verb: "status", rollout: { id: "checkout-v2" } }],
    ["status Acme/Shop:checkout", { verb: "status", rollout: { id: "checkout", repo: "Acme/Shop" } }],
    ["list", { verb: "list" }],
    ["tick", { verb: "tick" }],
    ["validate", { verb: "validate" }],
    ["validate all", { verb: "validate" }],
    ["validate checkout", { verb: "validate", rollout: { id: "checkout" } }],
    ["advance checkout", { verb: "advance", rollout: { id: "checkout" } }],
    ["advance checkout to 50%", { verb: "advance", rollout: { id: "checkout" }, to: 50 }],
    ["advance checkout to 50", { verb: "advance", rollout: { id: "checkout" }, to: 50 }],
    ["advance checkout 50%", { verb: "advance", rollout: { id: "checkout" }, to: 50 }],
    ["advance checkout TO 12.5%", { verb: "advance", rollout: { id: "checkout" }, to: 12.5 }],
    ["advance checkout to 0.0001", { verb: "advance", rollout: { id: "checkout" }, to: 0.0001 }],
    ["advance checkout to 100%", { verb: "advance", rollout: { id: "checkout" }, to: 100 }],
    ["rollback checkout", { verb: "rollback", rollout: { id: "checkout" } }],
    ["rollback checkout to 10%", { verb: "rollback", rollout: { id: "checkout" }, to: 10 }],
    ["rollback checkout to 10", { verb: "rollback", rollout: { id: "checkout" }, to: 10 }],
    ["rollback checkout to 0", { verb: "rollback", rollout: { id: "checkout" }, to: 0 }],
    ["rollback checkout to 0%", { verb: "rollback", rollout: { id: "checkout" }, to: 0 }],
    ["rollback checkout to previous", { verb: "rollback", rollout: { id: "checkout" }, to: "previous" }],
    ["rollback checkout to PREVIOUS", { verb: "rollback", rollout: { id: "checkout" }, to: "previous" }],
    ["rollback checkout previous", { verb: "rollback", rollout: { id: "checkout" }, to: "previous" }],
    ["rollback checkout 0", { verb: "rollback", rollout: { id: "checkout" }, to: 0 }],
    ["rollback checkout 10%", { verb: "rollback", rollout: { id: "checkout" }, to: 10 }],
    ["rollback checkout 7.5", { verb: "rollback", rollout: { id: "checkout" }, to: 7.5 }],
    [
      "rollback checkout to previous error rate 6%",
      { verb: "rollback", rollout: { id: "checkout" }, to: "previous", reason: "error rate 6%" },
    ],
    [
      "rollback checkout 0 db down",
      { verb: "rollback", rollout: { id: "checkout" }, to: 0, reason: "db down" },
    ],
    [
      "rollback checkout 10% db down",
      { verb: "rollback", rollout: { id: "checkout" }, to: 10, reason: "db down" },
    ],
    ["rollback checkout db down", { verb: "rollback", rollout: { id: "checkout" }, reason: "db down" }],
    ["rollback checkout 5xx spike", { verb: "rollback", rollout: { id: "checkout" }, reason: "5xx spike" }],
    [
      "rollback checkout reason: db down",
      { verb: "rollback", rollout: { id: "checkout" }, reason: "db down" },
    ],
    [
      "rollback checkout Reason:db down",
      { verb: "rollback", rollout: { id: "checkout" }, reason: "db down" },
    ],
    [
      "rollback checkout --reason db down",
      { verb: "rollback", rollout: { id: "checkout" }, reason: "db down" },
    ],
    [
      "rollback checkout --reason=db down",
      { verb: "rollback", rollout: { id: "checkout" }, reason: "db down" },
    ],
    ["rollback checkout reason: 5 pods", { verb: "rollback", rollout: { id: "checkout" }, reason: "5 pods" }],
    [
      "rollback checkout --reasonable",
      { verb: "rollback", rollout: { id: "checkout" }, reason: "--reasonable" },
    ],
    [
      "rollback checkout to 0 --reason p99 2x",
      { verb: "rollback", rollout: { id: "checkout" }, to: 0, reason: "p99 2x" },
    ],
    ["rollback checkout reason:", { verb: "rollback", rollout: { id: "checkout" } }],
    [
      "rollback acme/shop:checkout to previous",
      { verb: "rollback", rollout: { id: "checkout", repo: "acme/shop" }, to: "previous" },
    ],
    ["rollback acme/shop:all", { verb: "rollback", rollout: { id: "all", repo: "acme/shop" } }],
    ["rollback all", { verb: "rollback-all" }],
    ["rollback --all", { verb: "rollback-all" }],
    ["ROLLBACK ALL fire in prod", { verb: "rollback-all", reason: "fire in prod" }],
    ["rollback --all reason: fire", { verb: "rollback-all", reason: "fire" }],
    ["pause checkout", { verb: "pause", rollout: { id: "checkout" } }],
    [
      "pause checkout waiting for the DB",
      { verb: "pause", rollout: { id: "checkout" }, reason: "waiting for the DB" },
    ],
    ["pause checkout --reason freeze", { verb: "pause", rollout: { id: "checkout" }, reason: "freeze" }],
    ["pause checkout previous 5%", { verb: "pause", rollout: { id: "checkout" }, reason: "previous 5%" }],
    ["resume checkout", { verb: "resume", rollout: { id: "checkout" } }],
    ["history checkout", { verb: "history", rollout: { id: "checkout" } }],
    ["history a-b/c.d_e:x9", { verb: "history", rollout: { id: "x9", repo: "a-b/c.d_e" } }],
  ])("%j", (text, command) => {
    expect(parseCommand(text)).toEqual(ok(command));
  });

  it("strips a leading /rollout or rollout, in any case, once", () => {
    expect(parseCommand("/rollout status x")).toEqual(ok({ verb: "status", rollout: { id: "x" } }));
    expect(parseCommand("/ROLLOUT Status x")).toEqual(ok({ verb: "status", rollout: { id: "x" } }));
    expect(parseCommand("Rollout  status   x ")).toEqual(ok({ verb: "status", rollout: { id: "x" } }));
    expect(parseCommand("status rollout")).toEqual(ok({ verb: "status", rollout: { id: "rollout" } }));
    expect(parseCommand("rollout rollout").ok).toBe(false);
  });

  it("reads Slack's smart quotes and apostrophes in reasons", () => {
    expect(parseCommand("/rollout rollback checkout to previous “p99 over 2s — see #inc-42”")).toEqual(
      ok({
        verb: "rollback",
        rollout: { id: "checkout" },
        to: "previous",
        reason: "p99 over 2s — see #inc-42",
      }),
    );
    expect(parseCommand("/rollout pause checkout ‘it’s the DB’ don’t advance")).toEqual(
      ok({ verb: "pause", rollout: { id: "checkout" }, reason: "it’s the DB don’t advance" }),
    );
    expect(parseCommand("/rollout rollback all “fire in prod")).toEqual(
      ok({ verb: "rollback-all", reason: "fire in prod" }),
    );
  });

  it("normalises reasons: one space, no control or bidi characters", () => {
    expect(parseCommand('pause x "a \n\t b"  c\u0007d \u202eevil')).toEqual(
      ok({ verb: "pause", rollout: { id: "x" }, reason: "a b cd evil" }),
    );
  });
});

describe("parseCommand: errors", () => {
  const R = USAGE.rollback;
  it.each<[string, string, string | undefined]>([
    ["rolback x", "unknown command 'rolback'. Did you mean 'rollback'?", R],
    ["stauts", "unknown command 'stauts'. Did you mean 'status'?", USAGE.status],
    ["hist x", "unknown command 'hist'. Did you mean 'history'?", USAGE.history],
    ["revert x", "unknown command 'revert'. Did you mean 'rollback'?", R],
    ["Advnace x", "unknown command 'Advnace'. Did you mean 'advance'?", USAGE.advance],
    [
      "deploy x",
      "unknown command 'deploy'. Commands: status, list, help, advance, rollback, pause, resume, history, validate, tick",
      undefined,
    ],
    [
      "rollback-all",
      "unknown command 'rollback-all'. Did you mean 'rollback all'?",
      "rollback all [reason…]",
    ],
    ["help rolback", "unknown help topic 'rolback'. Did you mean 'rollback'?", R],
    [
      "help me",
      "unknown help topic 'me'. Commands: status, list, help, advance, rollback, pause, resume, history, validate, tick",
      undefined,
    ],
    ["advance", "advance needs a rollout id: advance <rollout> [to <N>%]", USAGE.advance],
    ["advance to 50%", "advance needs a rollout id: advance <rollout> [to <N>%]", USAGE.advance],
    ["rollback", `rollback needs a rollout id: ${R}`, R],
    ["rollback previous", `rollback needs a rollout id: ${R}`, R],
    ["rollback to 0", `rollback needs a rollout id: ${R}`, R],
    ["pause", "pause needs a rollout id: pause <rollout> [reason…]", USAGE.pause],
    ["pause --reason freeze", "pause needs a rollout id: pause <rollout> [reason…]", USAGE.pause],
    ["resume", "resume needs a rollout id: resume <rollout>", USAGE.resume],
    ["history", "history needs a rollout id: history <rollout>", USAGE.history],
    [
      "pause all",
      "pause works on one rollout at a time; only 'rollback all' acts on every rollout",
      USAGE.pause,
    ],
    [
      "advance --all",
      "advance works on one rollout at a time; only 'rollback all' acts on every rollout",
      USAGE.advance,
    ],
    [
      "status Foo_Bar",
      "'Foo_Bar' is not a rollout id: ids are lowercase letters, digits and hyphens (at most 63, not starting with a hyphen), or owner/repo:id",
      USAGE.status,
    ],
    [
      "pause -x",
      "'-x' is not a rollout id: ids are lowercase letters, digits and hyphens (at most 63, not starting with a hyphen), or owner/repo:id",
      USAGE.pause,
    ],
    [
      `history ${"a".repeat(64)}`,
      `'${"a".repeat(40)}…' is not a rollout id: ids are lowercase letters, digits and hyphens (at most 63, not starting with a hyphen), or owner/repo:id`,
      USAGE.history,
    ],
    [
      "resume acme/shop",
      "'acme/shop' is not a rollout id: ids are lowercase letters, digits and hyphens (at most 63, not starting with a hyphen), or owner/repo:id",
      USAGE.resume,
    ],
    [
      "resume acme/shop:",
      "'' is not a rollout id: ids are lowercase letters, digits and hyphens (at most 63, not starting with a hyphen), or owner/repo:id",
      USAGE.resume,
    ],
    ["rollback a/b/c:x", "'a/b/c' is not a repository: write owner/name:id, like acme/shop:checkout", R],
    ["rollback acme:x", "'acme' is not a repository: write owner/name:id, like acme/shop:checkout", R],
    [
      "rollback -acme/shop:x",
      "'-acme/shop' is not a repository: write owner/name:id, like acme/shop:checkout",
      R,
    ],
    ["rollback acme/..:x", "'acme/..' is not a repository: write owner/name:id, like acme/shop:checkout", R],
    [
      "advance x to 150%",
      "'150%' is not a valid target: use a percentage above 0 and up to 100, like 25% or 12.5% (at most 4 decimals)",
      USAGE.advance,
    ],
    [
      "advance x to ten",
      "'ten' is not a valid target: use a percentage above 0 and up to 100, like 25% or 12.5% (at most 4 decimals)",
      USAGE.advance,
    ],
    [
      "advance x ten",
      "'ten' is not a valid target: use a percentage above 0 and up to 100, like 25% or 12.5% (at most 4 decimals)",
      USAGE.advance,
    ],
    [
      "advance x to 12.34567%",
      "'12.34567%' is not a valid target: use a percentage above 0 and up to 100, like 25% or 12.5% (at most 4 decimals)",
      USAGE.advance,
    ],
    [
      "advance x to previous",
      "'previous' is not a valid target: use a percentage above 0 and up to 100, like 25% or 12.5% (at most 4 decimals)",
      USAGE.advance,
    ],
    ["advance x to 0", "advance never goes to 0%: use rollback x to 0", USAGE.advance],
    ["advance x 0%", "advance never goes to 0%: use rollback x to 0", USAGE.advance],
    ["advance x to", "'to' needs a percentage above 0 and up to 100", USAGE.advance],
    ["rollback x to", "'to' needs a percentage from 0 to 100, or previous", R],
    [
      "rollback x to 150%",
      "'150%' is not a valid target: use a percentage from 0 to 100, or previous, like 25% or 12.5% (at most 4 decimals)",
      R,
    ],
    [
      "rollback x to ten",
      "'ten' is not a valid target: use a percentage from 0 to 100, or previous, like 25% or 12.5% (at most 4 decimals)",
      R,
    ],
    [
      "rollback x 101%",
      "'101%' is not a valid target: use a percentage from 0 to 100, or previous, like 25% or 12.5% (at most 4 decimals)",
      R,
    ],
    [
      "rollback x 150",
      "'150' is not a valid target: use a percentage from 0 to 100, or previous, like 25% or 12.5% (at most 4 decimals)",
      R,
    ],
    [
      "rollback x 5 pods crashed",
      "'5' could be a target or the start of a reason: write 'to 5%' for a target, or 'reason: …' before the reason",
      R,
    ],
    ["list foo", "list takes no arguments, got 'foo'", USAGE.list],
    ["tick now please", "tick takes no arguments, got 'now please'", USAGE.tick],
    ["resume x y", "too many arguments for resume, got 'y'", USAGE.resume],
    ["history x y z", "too many arguments for history, got 'y z'", USAGE.history],
    ["status x y", "too many arguments for status, got 'y'", USAGE.status],
    ["validate x y", "too many arguments for validate, got 'y'", USAGE.validate],
    ["advance x to 50% now", "too many arguments for advance, got 'now'", USAGE.advance],
    ["help rollback now", "too many arguments for help, got 'now'", USAGE.help],
  ])("%j", (text, message, usage) => {
    expect(parseCommand(text)).toEqual(usageError(message, usage));
  });

  it("refuses a 100 KB input quickly, without echoing it", () => {
    const started = performance.now();
    const result = parseCommand(`rollback x ${"a".repeat(100_000)}`);
    expect(performance.now() - started).toBeLessThan(50);
    expect(result).toEqual(
      usageError(`command is too long (100011 characters; the limit is ${MAX_COMMAND_LENGTH})`),
    );
    expect(parseCommandTokens(Array.from({ length: 100_000 }, () => "x"))).toEqual(
      usageError("command is too long (200000 characters; the limit is 4000)"),
    );
  });

  // Not under Stryker: its instrumentation makes every run ~3x slower, so a wall-clock budget measures
  // the instrumentation; a mutant that made tokenizing quadratic is caught there as a timeout instead.
  it.skipIf(process.env.STRYKER_MUTATOR_WORKER !== undefined)(
    "tokenizes in linear time even on quote-heavy input",
    () => {
      for (const unit of ["'a ", "“a ", "\\", "a’ ", '"'] as const) {
        const started = performance.now();
        tokenize(unit.repeat(300_000));
        expect(performance.now() - started).toBeLessThan(1000);
      }
    },
  );

  it("never echoes more than 40 characters of input, and never control characters", () => {
    const result = parseCommand(`${"x".repeat(500)}\u0007\n`);
    expect(result).toEqual(
      usageError(
        `unknown command '${"x".repeat(40)}…'. Commands: status, list, help, advance, rollback, pause, resume, history, validate, tick`,
      ),
    );
    expect(parseCommand('list "a\u0000b\u202ec"')).toEqual(
      usageError("list takes no arguments, got 'a b c'", "list"),
    );
  });
});

describe("parseCommandTokens", () => {
  it("takes the CLI's argv positionals, a quoted reason arriving as one token", () => {
    expect(parseCommandTokens(["rollback", "checkout", "to", "10%", "db is down"])).toEqual(
      ok({ verb: "rollback", rollout: { id: "checkout" }, to: 10, reason: "db is down" }),
    );
    expect(parseCommandTokens([])).toEqual(ok({ verb: "help" }));
    expect(parseCommandTokens(["rollout", "list"])).toEqual(ok({ verb: "list" }));
    expect(parseCommandTokens(["pause", "x", "reason: two  spaces"])).toEqual(
      ok({ verb: "pause", rollout: { id: "x" }, reason: "two spaces" }),
    );
  });
});

describe("renderCommand", () => {
  it.each<[Command, string]>([
    [{ verb: "help" }, "help"],
    [{ verb: "help", topic: "pause" }, "help pause"],
    [{ verb: "status" }, "status"],
    [{ verb: "status", rollout: { id: "x", repo: "acme/shop" } }, "status acme/shop:x"],
    [{ verb: "advance", rollout: { id: "x" }, to: 12.5 }, "advance x to 12.5%"],
    [
      { verb: "rollback", rollout: { id: "x" }, to: "previous", reason: "p99 “slow”" },
      'rollback x to previous p99 "\\“slow\\”"',
    ],
    [
      { verb: "rollback", rollout: { id: "x" }, reason: "previous deploy broke it" },
      "rollback x --reason previous deploy broke it",
    ],
    [{ verb: "rollback", rollout: { id: "x" }, reason: "5 pods down" }, "rollback x --reason 5 pods down"],
    [
      { verb: "rollback", rollout: { id: "x" }, to: 0, reason: "5 pods down" },
      "rollback x to 0% 5 pods down",
    ],
    [{ verb: "rollback-all", reason: "it's  on\nfire" }, `rollback all "it's" on fire`],
    [{ verb: "pause", rollout: { id: "x" }, reason: "reason: freeze" }, "pause x --reason reason: freeze"],
    [{ verb: "pause", rollout: { id: "x" }, reason: " " }, "pause x"],
  ])("%j → %s", (command, text) => {
    expect(renderCommand(command)).toBe(text);
  });

  it("refuses to write a keyword id without its repository, which would mean something else", () => {
    expect(() => renderCommand({ verb: "rollback", rollout: { id: "all" } })).toThrow(RangeError);
    expect(renderCommand({ verb: "rollback", rollout: { id: "all", repo: "a/b" } })).toBe("rollback a/b:all");
  });
});

describe("helpText", () => {
  it("lists every usage line and the kill switch, as plain text", () => {
    const text = helpText();
    for (const verb of VERBS) expect(text).toContain(USAGE[verb]);
    expect(text).toContain("rollback all [reason…]");
    expect(text).not.toMatch(/^\s*\|/m); // no markdown tables
    expect(text).not.toMatch(/[*_`]/); // nothing mrkdwn would turn into formatting
  });

  it.each(VERBS)("help %s: usage, description and an example that parses to that verb", (verb) => {
    const text = helpText(verb);
    expect(text.split("\n")[0]).toBe(USAGE[verb]);
    expect(text).not.toMatch(/[*_`]/);
    const example = /^Example: (.+)$/m.exec(text)?.[1];
    expect(example).toBeDefined();
    const parsed = parseCommand(example ?? "");
    expect(parsed.ok && parsed.command.verb).toBe(verb);
  });

  it("suggests verbs by edit distance, prefix or synonym, and nothing for far-off words", () => {
    expect(editDistance("stauts", "status")).toBe(1);
    expect(editDistance("", "tick")).toBe(4);
    expect(suggestVerb("ROLBAK")).toBe("rollback");
    expect(suggestVerb("val")).toBe("validate");
    expect(suggestVerb("undo")).toBe("rollback");
    expect(suggestVerb("constructor")).toBeUndefined();
    expect(suggestVerb("re")).toBeUndefined();
  });
});

describe("properties", () => {
  const id = fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,62}$/);
  const owner = fc.stringMatching(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,37}[A-Za-z0-9])?$/);
  const name = fc.stringMatching(/^[A-Za-z0-9._-]{1,100}$/).filter((n) => n !== "." && n !== "..");
  const ref: fc.Arbitrary<RolloutRef> = fc.oneof(
    id.filter((i) => !RESERVED_IDS.includes(i)).map((i) => ({ id: i })),
    fc
      .tuple(owner, name, fc.oneof(id, fc.constantFrom(...RESERVED_IDS)))
      .map(([o, n, i]) => ({ id: i, repo: `${o}/${n}` })),
  );
  const percent = (min: number) => fc.integer({ min, max: 1_000_000 }).map((k) => k / 10_000);
  const tricky = fc.constantFrom(
    ...[
      "previous",
      "to",
      "TO",
      "0",
      "5%",
      "12.5",
      "150",
      "--reason",
      "--reason=x",
      "reason:",
      "Reason:why",
      "--all",
    ],
    ...[
      "all",
      "“quoted”",
      "it’s",
      "'single'",
      "‘",
      "”",
      "\\",
      "back\\slash",
      '"dq"',
      "rollout",
      "/rollout",
      "",
    ],
  );
  const reason = fc
    .option(
      fc.oneof(
        fc.string({ unit: "binary" }),
        fc
          .array(fc.oneof(tricky, fc.string()), { minLength: 1, maxLength: 6 })
          .map((words) => words.join(" ")),
      ),
      { nil: undefined },
    )
    .map((text) => (text === undefined ? undefined : normalizeReason(text)));
  const withReason = <C extends Command>(command: C, r: string | undefined): C =>
    r === undefined ? command : { ...command, reason: r };
  const optionalRef = fc.option(ref, { nil: undefined });
  const command: fc.Arbitrary<Command> = fc.oneof(
    optionalRef.map((r): Command => (r ? { verb: "status", rollout: r } : { verb: "status" })),
    optionalRef.map((r): Command => (r ? { verb: "validate", rollout: r } : { verb: "validate" })),
    fc.constantFrom<Command>({ verb: "list" }, { verb: "tick" }, { verb: "help" }),
    fc.constantFrom(...VERBS).map((topic: Verb): Command => ({ verb: "help", topic })),
    fc
      .tuple(ref, fc.option(percent(1), { nil: undefined }))
      .map(
        ([r, to]): Command =>
          to === undefined ? { verb: "advance", rollout: r } : { verb: "advance", rollout: r, to },
      ),
    fc
      .tuple(
        ref,
        fc.option(fc.oneof(percent(0), fc.constant("previous" as const)), { nil: undefined }),
        reason,
      )
      .map(
        ([r, to, why]): Command =>
          withReason(
            to === undefined ? { verb: "rollback", rollout: r } : { verb: "rollback", rollout: r, to },
            why,
          ),
      ),
    reason.map((why): Command => withReason({ verb: "rollback-all" }, why)),
    fc.tuple(ref, reason).map(([r, why]): Command => withReason({ verb: "pause", rollout: r }, why)),
    ref.map((r): Command => ({ verb: "resume", rollout: r })),
    ref.map((r): Command => ({ verb: "history", rollout: r })),
  );

  it("parseCommand(renderCommand(c)) gives back c", () => {
    fc.assert(
      fc.property(command, (c) => {
        expect(parseCommand(renderCommand(c))).toEqual(ok(c));
        expect(parseCommand(`/rollout ${renderCommand(c)}`)).toEqual(ok(c));
      }),
      { numRuns: 2000 },
    );
  });

  const expectOkOrUsage = (result: ReturnType<typeof parseCommand>) => {
    if (result.ok) return;
    expect(result.error.code).toBe("USAGE");
    expect(result.error.message.length).toBeLessThan(300);
  };
  const anyText = fc.oneof(
    fc.string(),
    fc.string({ unit: "binary" }),
    fc.string({ unit: "grapheme" }),
    fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)) }),
  );

  it("never throws on arbitrary text, and answers ok or a short USAGE error", () => {
    fc.assert(
      fc.property(anyText, (text) => expectOkOrUsage(parseCommand(text))),
      { numRuns: 2000 },
    );
  });

  it("never throws on command-like text built from verbs, keywords and junk", () => {
    const word = fc.oneof(fc.constantFrom(...VERBS, "rollout", "/rollout", "x", "a/b:x"), tricky, anyText);
    fc.assert(
      fc.property(fc.array(word, { maxLength: 8 }), (words) => {
        expectOkOrUsage(parseCommand(words.join(" ")));
        expectOkOrUsage(parseCommandTokens(words));
      }),
      { numRuns: 2000 },
    );
  });

  it("never echoes a long run of the user's input", () => {
    const long = fc
      .string({ unit: "grapheme-ascii", minLength: 60, maxLength: 400 })
      .filter((s) => !/\s/.test(s));
    const position = fc.constantFrom(
      "",
      "status ",
      "rollback ",
      "advance x to ",
      "list ",
      "rollback x 5 ",
      "help ",
    );
    fc.assert(
      fc.property(position, long, (prefix, junk) => {
        const result = parseCommand(prefix + junk);
        if (!result.ok) expect(result.error.message).not.toContain(junk.slice(0, 41));
      }),
    );
  });
});
