import { isScalar, isSeq, parseDocument, type YAMLSeq } from "yaml";
import { walkYamlPath } from "./yaml-path.ts";

/**
 * Keeps an OpenFeature flagd flag definition in step with the percentage: the flag's `fractional`
 * targeting rule `[["on", 25], ["off", 75]]` gets the percentage for its first bucket and the rest
 * for the other. The first bucket takes flagd's lowest hash values, so raising the percentage only
 * adds users to it, and lowering removes the last added first; which is why the variant must come
 * first. Percentages with decimals scale both weights (12.5% → 125/875): flagd wants integers.
 */

export type FlagdResult = { ok: true; text: string } | { ok: false; message: string };

export function flagdWeights(percent: number): [number, number] {
  for (let scale = 1; scale <= 10_000; scale *= 10) {
    const on = percent * scale;
    if (Number.isInteger(on)) return [on, 100 * scale - on];
  }
  const on = Math.round(percent * 10_000);
  return [on, 1_000_000 - on];
}

export function applyFlagd(
  text: string,
  file: string,
  flagKey: string,
  variant: string,
  percent: number,
): FlagdResult {
  const fail = (message: string): FlagdResult => ({
    ok: false,
    message: `${file}: flag '${flagKey}': ${message}`,
  });
  const doc = parseDocument(text);
  if (doc.errors.length > 0)
    return { ok: false, message: `${file}: cannot parse as JSON: ${doc.errors[0]?.message}` };
  const path = ["flags", flagKey, "targeting", "fractional"];
  const steps = walkYamlPath(doc, path);
  if (steps.length < 3) return fail("not found under flags");
  const rule = steps.length === path.length + 1 ? steps.at(-1)?.node : undefined;
  if (!isSeq(rule)) return fail('needs a "fractional" targeting rule, e.g. [["on", 0], ["off", 100]]');
  // An optional first argument says what to bucket by (a string or a JSONLogic expression).
  const buckets = (rule as YAMLSeq).items.filter((item) => isSeq(item));
  const shape = buckets.map((b) => (b as YAMLSeq).items.map((n) => (isScalar(n) ? n.value : undefined)));
  if (buckets.length !== 2 || shape.some((b) => b.length !== 2 || typeof b[1] !== "number")) {
    return fail(`the fractional rule must have two buckets [variant, weight], found ${buckets.length}`);
  }
  if (shape[0]?.[0] !== variant) {
    const where = shape[1]?.[0] === variant ? "second" : "missing";
    return fail(
      `variant '${variant}' must be the first bucket (it is ${where}): flagd gives the first bucket the lowest hashes, so only then does raising the percentage keep the users already in`,
    );
  }
  const [on, off] = flagdWeights(percent);
  const spans = buckets.map((b) => ((b as YAMLSeq).items[1] as { range?: [number, number, number] })?.range);
  // The later span first, so the earlier offsets stay valid.
  let next = text;
  for (const [span, weight] of [
    [spans[1], off],
    [spans[0], on],
  ] as const) {
    if (!span) return fail("cannot locate a weight");
    next = next.slice(0, span[0]) + String(weight) + next.slice(span[1]);
  }
  const check = walkYamlPath(parseDocument(next), path).at(-1)?.node;
  const weights = isSeq(check)
    ? check.items.filter((i) => isSeq(i)).map((b) => ((b as YAMLSeq).items[1] as { value?: unknown })?.value)
    : [];
  if (weights[0] !== on || weights[1] !== off)
    return fail(`writing the weights ${on}/${off} did not produce them`);
  return { ok: true, text: next };
}
