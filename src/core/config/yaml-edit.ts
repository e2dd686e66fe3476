import { Document, isAlias, isMap, isScalar, isSeq, type Node, parseDocument, visit } from "yaml";
import type { State } from "./schema.ts";
import { walkYamlPath, type YamlPath, type YamlStep } from "./yaml-path.ts";
import { renderKey, renderScalar } from "./yaml-scalar.ts";

/**
 * Surgical, comment-preserving edits of YAML text. Each edit splices the original text at the
 * offsets yaml reports, so everything we do not touch stays byte-for-byte the same. Only flow
 * collections (`{percent: 10}`) and other rare shapes fall back to re-printing via yaml's Document.
 */

type Key = string | number;
export type YamlEdit = { path: Key[]; value: string | number | boolean } | { path: Key[]; delete: true };
type SetEdit = Extract<YamlEdit, { value: unknown }>;

export function editYaml(text: string, edits: YamlEdit[]): string {
  return applyEdits(text, edits);
}

/**
 * All edits spliced into the text at once, against one parse, then checked by one more parse; where
 * that cannot be done (a shape re-printed by yaml's Document, edits whose ranges overlap, or a result
 * that does not check out) one edit at a time, re-parsing in between. A rollback's state edit (five or
 * six fields) parsed its file seven times; now twice.
 */
function applyEdits(text: string, edits: YamlEdit[], parsed?: Document): string {
  const doc = parsed ?? (edits.length > 0 ? parse(text) : undefined);
  if (doc && edits.length > 1) {
    const batched = applyAtOnce(text, doc, edits);
    if (batched !== undefined) return batched;
  }
  return applyOneByOne(text, edits, doc);
}

/** One edit at a time, each on the parse that verified the one before: the reference behaviour. */
export function applyOneByOne(text: string, edits: YamlEdit[], parsed?: Document): string {
  let current = text;
  let doc = parsed;
  for (const edit of edits) {
    current = applyEdit(current, doc ?? parse(current), edit);
    doc = verify(current, edit);
  }
  return current;
}

type Splice = { start: number; end: number; insert: string };

function applyAtOnce(text: string, doc: Document, edits: YamlEdit[]): string | undefined {
  const splices: Splice[] = [];
  // A mapping emptied by the deletes changes how what is added to it is indented: one by one, then.
  const deletes = new Map<unknown, number>();
  for (const edit of edits) {
    if (!("delete" in edit)) continue;
    const parent = walkYamlPath(doc, edit.path.slice(0, -1)).at(-1)?.node;
    const count = (deletes.get(parent) ?? 0) + 1;
    if (!isMap(parent) || count >= parent.items.length) return undefined;
    deletes.set(parent, count);
  }
  try {
    for (const edit of edits) {
      const splice = spliceFor(text, doc, edit);
      if (splice === "fallback") return undefined;
      if (splice) splices.push(splice);
    }
  } catch {
    return undefined; // what one-by-one would say (or do, after an earlier edit) is its to say
  }
  // Stable: inserts at one offset stay in edit order, before a replacement starting there.
  splices.sort((a, b) => a.start - b.start || a.end - b.end);
  let out = "";
  let at = 0;
  for (const [i, splice] of splices.entries()) {
    if (splice.start < at) return undefined;
    let insert = splice.insert;
    // A second block appended at the end: the first already ended the text with a newline.
    if (i > 0 && splice.start === text.length && splices[i - 1]?.start === text.length)
      insert = insert.replace(/^\r?\n/, "");
    out += text.slice(at, splice.start) + insert;
    at = splice.end;
  }
  out += text.slice(at);
  try {
    const check = parseDocument(out);
    if (check.errors.length > 0) return undefined;
    for (const edit of edits) if (!tookEffect(check, edit)) return undefined;
  } catch {
    return undefined;
  }
  return out;
}

const STATE_KEYS = [
  "percent",
  "phase",
  "started_at",
  "cooldown_until",
  "reason",
  "paused_at",
  "paused_seconds",
  "rolled_back_from",
] as const;

/** Writes the bot's state under the top-level `state:` mapping, touching only the fields that changed. */
export function renderStateEdit(text: string, next: State): string {
  const doc = parse(text);
  return applyEdits(text, stateEdits(doc, next), doc);
}

/** The edits that make the file's `state:` say `next`: one per field that differs. */
export function stateEdits(doc: Document, next: State): YamlEdit[] {
  const edits: YamlEdit[] = [];
  for (const key of STATE_KEYS) {
    const path = ["state", key];
    const steps = walkYamlPath(doc, path);
    const present = steps.length === path.length + 1;
    const node = steps.at(-1)?.node;
    const want = next[key];
    if (want === undefined) {
      if (present) edits.push({ path, delete: true });
    } else if (!present || !isScalar(node) || node.value !== want) {
      edits.push({ path, value: want });
    }
  }
  return edits;
}

function applyEdit(text: string, doc: Document, edit: YamlEdit): string {
  const splice = spliceFor(text, doc, edit);
  if (splice === "fallback") {
    const steps = walkYamlPath(doc, edit.path);
    const complete = steps.length === edit.path.length + 1;
    return fallback(text, doc, edit, complete ? steps.slice(0, -1) : steps);
  }
  return splice ? text.slice(0, splice.start) + splice.insert + text.slice(splice.end) : text;
}

/** Where in `text` one edit goes (nothing to do: undefined), or "fallback" for yaml's Document to print. */
function spliceFor(text: string, doc: Document, edit: YamlEdit): Splice | "fallback" | undefined {
  const steps = walkYamlPath(doc, edit.path);
  const complete = steps.length === edit.path.length + 1;
  if ("delete" in edit) return complete ? deletePair(text, steps) : undefined;
  return complete ? replaceValue(text, edit, steps) : insertMissing(text, doc, edit, steps);
}

function replaceValue(text: string, edit: SetEdit, steps: YamlStep[]): Splice | "fallback" {
  const { node, pair } = steps.at(-1) ?? { node: null };
  if (!isScalar(node) || !node.range || node.type === "BLOCK_LITERAL" || node.type === "BLOCK_FOLDED") {
    return "fallback";
  }
  const inFlow = steps.some((s) => (isMap(s.node) || isSeq(s.node)) && s.node.flow === true);
  const rendered = renderScalar(edit.value, node.type, inFlow);
  if (node.range[0] === node.range[1] && pair?.key.range) {
    // `reason:` with no value (maybe a comment after it): write right after the colon.
    const colon = text.indexOf(":", pair.key.range[1]) + 1;
    return { start: colon, end: colon, insert: ` ${rendered}` };
  }
  return { start: node.range[0], end: node.range[1], insert: rendered };
}

function insertMissing(text: string, doc: Document, edit: SetEdit, steps: YamlStep[]): Splice | "fallback" {
  const { node: container, pair } = steps.at(-1) ?? { node: null };
  const missing = edit.path.slice(steps.length - 1);
  if (missing.some((k) => typeof k === "number"))
    throw new Error(`cannot add list items: ${show(edit.path)}`);
  if (isAlias(container)) throw new Error(`cannot edit ${show(edit.path)} through an alias`);
  const eol = text.includes("\r\n") ? "\r\n" : "\n";
  const step = indentStep(doc, text);
  const atRoot = steps.length === 1;
  if (isMap(container) && !container.flow && container.items.length > 0) {
    const first = container.items[0]?.key as Node | undefined;
    const indent = column(text, first?.range?.[0] ?? 0);
    const block = renderBlock(missing as string[], edit.value, indent, step, eol);
    const tail = container.range?.[1] ?? text.length;
    if (atRoot && onlyTriviaAfter(text, tail)) return appendAtEnd(text, block, eol);
    const last = container.items.at(-1);
    const end = (last?.value as Node | null)?.range?.[1] ?? (last?.key as Node | undefined)?.range?.[1] ?? 0;
    return insertAfterLine(text, end, block, eol);
  }
  if (atRoot && (container === null || isEmptyScalar(container))) {
    return appendAtEnd(text, renderBlock(missing as string[], edit.value, 0, step, eol), eol);
  }
  if (isEmptyScalar(container) && pair?.key.range && !steps.some((s) => isMap(s.node) && s.node.flow)) {
    // `state:` with nothing under it: the new block goes on the lines below the key.
    const indent = column(text, pair.key.range[0]) + step;
    return insertAfterLine(
      text,
      pair.key.range[1],
      renderBlock(missing as string[], edit.value, indent, step, eol),
      eol,
    );
  }
  if (isMap(container)) return "fallback";
  throw new Error(
    `cannot set ${show(edit.path)}: ${show(edit.path.slice(0, steps.length - 1))} is not a mapping`,
  );
}

function deletePair(text: string, steps: YamlStep[]): Splice | "fallback" {
  const parent = steps.at(-2)?.node;
  const keyRange = steps.at(-1)?.pair?.key.range;
  if (!isMap(parent) || parent.flow || !keyRange) return "fallback";
  const lineStart = text.lastIndexOf("\n", keyRange[0] - 1) + 1;
  // `- key: v` or `? key`: the line holds more than this pair, so whole-line removal would be wrong.
  if (text.slice(lineStart, keyRange[0]).trim() !== "") return "fallback";
  const value = steps.at(-1)?.node;
  const end = Math.max(value?.range?.[1] ?? keyRange[1], keyRange[1]);
  const lineEnd = text.indexOf("\n", end - 1);
  if (lineEnd !== -1) return { start: lineStart, end: lineEnd + 1, insert: "" };
  // Last line without a newline: drop the newline before it so no blank line is left behind.
  const cut = lineStart === 0 ? 0 : text[lineStart - 2] === "\r" ? lineStart - 2 : lineStart - 1;
  return { start: cut, end: text.length, insert: "" };
}

/**
 * The yaml Document API, for shapes we do not splice ourselves. Inside a flow collection only that
 * collection is re-printed and spliced back; elsewhere the whole file is re-printed.
 */
function fallback(text: string, doc: Document, edit: YamlEdit, ancestors: YamlStep[]): string {
  const flow = ancestors.find((s) => (isMap(s.node) || isSeq(s.node)) && s.node.flow)?.node;
  if ("delete" in edit) doc.deleteIn(edit.path);
  else doc.setIn(edit.path, edit.value);
  const padded = flow?.range ? /^[[{]\s/.test(text.slice(flow.range[0])) : true;
  const options = { lineWidth: 0, flowCollectionPadding: padded };
  if (flow?.range && flow !== doc.contents) {
    // The comments around the collection lie outside the spliced range: print them nowhere.
    const copy = flow.clone();
    copy.comment = null;
    copy.commentBefore = null;
    const printed = new Document(copy).toString(options).trimEnd();
    return text.slice(0, flow.range[0]) + printed + text.slice(flow.range[1]);
  }
  const out = doc.toString(options);
  return text.includes("\r\n") ? out.replace(/\r?\n/g, "\r\n") : out;
}

/** The edited text parses, and the edit took effect; returns the parse, for the next edit. */
function verify(text: string, edit: YamlEdit): Document {
  const doc = parseDocument(text);
  const error = doc.errors[0];
  if (error) throw new Error(`editing ${show(edit.path)} broke the YAML: ${error.message}`);
  if (!tookEffect(doc, edit)) throw new Error(`editing ${show(edit.path)} did not take effect`);
  return doc;
}

function tookEffect(doc: Document, edit: YamlEdit): boolean {
  const steps = walkYamlPath(doc, edit.path);
  const present = steps.length === edit.path.length + 1;
  const node = steps.at(-1)?.node;
  return "delete" in edit ? !present : present && isScalar(node) && node.value === edit.value;
}

// --- Rendering ---

function renderBlock(
  keys: string[],
  value: SetEdit["value"],
  indent: number,
  step: number,
  eol: string,
): string {
  return keys
    .map((key, i) => {
      const pad = " ".repeat(indent + i * step);
      return i === keys.length - 1
        ? `${pad}${renderKey(key)}: ${renderScalar(value)}`
        : `${pad}${renderKey(key)}:`;
    })
    .map((line) => line + eol)
    .join("");
}

// --- Positions ---

function insertAfterLine(text: string, offset: number, block: string, eol: string): Splice {
  const lineEnd = text.indexOf("\n", Math.max(offset - 1, 0));
  if (lineEnd === -1)
    return { start: text.length, end: text.length, insert: eol + block.slice(0, -eol.length) };
  return { start: lineEnd + 1, end: lineEnd + 1, insert: block };
}

function appendAtEnd(text: string, block: string, eol: string): Splice {
  const insert = text === "" || text.endsWith("\n") ? block : eol + block;
  return { start: text.length, end: text.length, insert };
}

/** True when only blank lines and comments follow `offset` (no `...` end marker or later document). */
function onlyTriviaAfter(text: string, offset: number): boolean {
  return text
    .slice(offset)
    .split("\n")
    .every((line) => line.trim() === "" || line.trim().startsWith("#"));
}

function column(text: string, offset: number): number {
  return offset - (text.lastIndexOf("\n", offset - 1) + 1);
}

/** The file's own nesting step (2 or 4 spaces ...), taken from its first nested block mapping. */
function indentStep(doc: Document, text: string): number {
  let step = 2;
  visit(doc, {
    Pair(_, pair) {
      const child =
        isMap(pair.value) && !pair.value.flow ? (pair.value.items[0]?.key as Node | undefined) : undefined;
      const parentKey = pair.key as Node | null;
      if (!child?.range || !parentKey?.range) return undefined;
      const diff = column(text, child.range[0]) - column(text, parentKey.range[0]);
      if (diff <= 0) return undefined;
      step = diff;
      return visit.BREAK;
    },
  });
  return step;
}

function isEmptyScalar(node: unknown): boolean {
  return isScalar(node) && node.value === null && node.range?.[0] === node.range?.[1];
}

function parse(text: string): Document {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) throw new Error(`cannot edit invalid YAML: ${doc.errors[0]?.message}`);
  return doc;
}

function show(path: YamlPath): string {
  return path.join(".") || "(root)";
}
