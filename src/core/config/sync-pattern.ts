import { RE2JS } from "re2js";
import { z } from "zod";

/**
 * Sync patterns come from repository files, so they run on RE2 (re2js: a pure-JS port of RE2, linear
 * in the input, no native build, bundled into the Action): no backtracking, so `^x = (a+)+$` cannot
 * freeze the server. Linear still has a constant: RE2's worst case is about (text length) x (program
 * size) steps, so a pattern is refused for a file where that is over MAX_PATTERN_WORK (about 60 ms for
 * the slowest hostile patterns measured; see test/core/sync-pattern.test.ts).
 */

export const MAX_PATTERN_LENGTH = 256;
/** RE2 program size (instructions): a literal character is one, `\s*` two, `[0-9.]+` two. */
export const MAX_PATTERN_PROGRAM = 200;
/**
 * Characters searched x program size, plus LINE_WORK per line searched: a 64 KiB config file allows a
 * program of 35 (a typical pattern), a 16 KiB one 150, a 256 KiB file of 80-character lines 8.
 */
export const MAX_PATTERN_WORK = 2_500_000;
/** What searching one more line costs, in the same steps (measured: ~10 ns a step, ~0.7 µs a line). */
export const LINE_WORK = 64;
/** Longer lines are not searched: shorter ones keep RE2 on its bit-state backtracker (not the slower NFA). */
export const MAX_SYNC_LINE = 1024;

export interface SyncPattern {
  regex: RE2JS;
  program: number;
}

export type CompiledPattern = { ok: true; pattern: SyncPattern } | { ok: false; message: string };

/** Compiles a sync pattern (JavaScript syntax, as written in the file) on RE2, checking its shape. */
export function compileSyncPattern(source: string): CompiledPattern {
  if (source.length > MAX_PATTERN_LENGTH)
    return { ok: false, message: `is ${source.length} characters long; the limit is ${MAX_PATTERN_LENGTH}` };
  let regex: RE2JS;
  try {
    // translateRegExp accepts what people write for JavaScript (`(?<name>…)`, `\u{…}`).
    regex = RE2JS.compile(RE2JS.translateRegExp(source), RE2JS.MULTILINE);
  } catch (error) {
    const reason = (error as Error).message.replace(/^error parsing regexp: /, "");
    const hint = /\\[1-9]|\(\?[=!<]/.test(source)
      ? " (back-references and look-arounds are not supported: patterns run on RE2)"
      : "";
    return { ok: false, message: `is not valid RE2: ${reason}${hint}` };
  }
  const groups = regex.groupCount();
  if (groups !== 1)
    return {
      ok: false,
      message: `must have exactly one capture group around the value, it has ${groups}`,
    };
  const program = regex.matcher("").programSize();
  if (program > MAX_PATTERN_PROGRAM)
    return {
      ok: false,
      message: `is too complex (${program} RE2 instructions; the limit is ${MAX_PATTERN_PROGRAM}): simplify it`,
    };
  if (regex.test("")) return { ok: false, message: "matches empty text: it must match the value's line" };
  return { ok: true, pattern: { regex, program } };
}

/** The rollout file's `sync[].pattern`: refused at validation, with file:line, before anything runs it. */
export const SyncPatternText = z
  .string()
  .min(1)
  .max(MAX_PATTERN_LENGTH)
  .superRefine((source, ctx) => {
    if (source.length > MAX_PATTERN_LENGTH) return; // said by .max()
    const compiled = compileSyncPattern(source);
    if (!compiled.ok) ctx.addIssue({ code: "custom", message: `/${source}/ ${compiled.message}` });
  })
  .meta({
    description:
      "Regex (RE2 syntax: no back-references or look-arounds) matched within one line, with one capture group around the value.",
  });
