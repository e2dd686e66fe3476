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
 * One edit at a time, re-parsing in between, so offsets are never stale; the parse that verifies an
 * edit is the one the next edit works on (a rollback's state edit parsed its file 2 × edits + 1 times).
 */
function applyEdits(text: string, edits: YamlEdit[], parsed?: Document): string {
  let current = text;
  let doc = parsed;
  for (const edit of edits) {
    current = applyEdit(current, doc ?? parse(current), edit);
    doc = verify(current, edit);
  }
  return current;
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
  return applyEdits(text, edits, doc);
}

function applyEdit(text: string, doc: Document, edit: YamlEdit): string {
  const steps = walkYamlPath(doc, edit.path);
  const complete = steps.length === edit.path.length + 1;
  if ("delete" in edit) return complete ? deletePair(text, doc, edit, steps) : text;
  return complete ? replaceValue(text, doc, edit, steps) : insertMissing(text, doc, edit, steps);
}

function replaceValue(text: string, doc: Document, edit: SetEdit, steps: YamlStep[]): string {
  const { node, pair } = steps.at(-1) ?? { node: null };
  if (!isScalar(node) || !node.range || node.type === "BLOCK_LITERAL" || node.type === "BLOCK_FOLDED") {
    return fallback(text, doc, edit, steps.slice(0, -1));
  }
  const inFlow = steps.some((s) => (isMap(s.node) || isSeq(s.node)) && s.node.flow === true);
  const rendered = renderScalar(edit.value, node.type, inFlow);
  if (node.range[0] === node.range[1] && pair?.key.range) {
    // `reason:` with no value (maybe a comment after it): write right after the colon.
    const colon = text.indexOf(":", pair.key.range[1]) + 1;
    return `${text.slice(0, colon)} ${rendered}${text.slice(colon)}`;
  }
  return text.slice(0, node.range[0]) + rendered + text.slice(node.range[1]);
}

function insertMissing(text: string, doc: Document, edit: SetEdit, steps: YamlStep[]): string {
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
  if (isMap(container)) return fallback(text, doc, edit, steps);
  throw new Error(
    `cannot set ${show(edit.path)}: ${show(edit.path.slice(0, steps.length - 1))} is not a mapping`,
  );
}

function deletePair(text: string, doc: Document, edit: YamlEdit, steps: YamlStep[]): string {
  const parent = steps.at(-2)?.node;
  const keyRange = steps.at(-1)?.pair?.key.range;
  if (!isMap(parent) || parent.flow || !keyRange) return fallback(text, doc, edit, steps.slice(0, -1));
  const lineStart = text.lastIndexOf("\n", keyRange[0] - 1) + 1;
  // `- key: v` or `? key`: the line holds more than this pair, so whole-line removal would be wrong.
  if (text.slice(lineStart, keyRange[0]).trim() !== "") return fallback(text, doc, edit, steps.slice(0, -1));
  const value = steps.at(-1)?.node;
  const end = Math.max(value?.range?.[1] ?? keyRange[1], keyRange[1]);
  const lineEnd = text.indexOf("\n", end - 1);
  if (lineEnd !== -1) return text.slice(0, lineStart) + text.slice(lineEnd + 1);
  // Last line without a newline: drop the newline before it so no blank line is left behind.
  const cut = lineStart === 0 ? 0 : text[lineStart - 2] === "\r" ? lineStart - 2 : lineStart - 1;
  return text.slice(0, cut);
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
  const steps = walkYamlPath(doc, edit.path);
  const present = steps.length === edit.path.length + 1;
  const node = steps.at(-1)?.node;
  if ("delete" in edit ? present : !present || !isScalar(node) || node.value !== edit.value) {
    throw new Error(`editing ${show(edit.path)} did not take effect`);
  }
  return doc;
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

function insertAfterLine(text: string, offset: number, block: string, eol: string): string {
  const lineEnd = text.indexOf("\n", Math.max(offset - 1, 0));
  if (lineEnd === -1) return `${text}${eol}${block.slice(0, -eol.length)}`;
  return text.slice(0, lineEnd + 1) + block + text.slice(lineEnd + 1);
}

function appendAtEnd(text: string, block: string, eol: string): string {
  return text === "" || text.endsWith("\n") ? text + block : text + eol + block;
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
