import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { editYaml } from "../../src/core/config/yaml-edit.ts";

const commentText = fc.string({
  unit: fc.constantFrom(..."ab #:-{}[]'\"é%*&!|>9 ".split("")),
  maxLength: 20,
});
const comment = commentText.map((text) => ` # ${text}`);
const maybeComment = fc.option(comment, { nil: "" });
const commentLines = fc.array(
  commentText.map((text) => `# ${text}`),
  { maxLength: 3 },
);
const percent = fc.oneof(fc.integer({ min: 0, max: 100 }), fc.constantFrom(12.5, 0.5, 33.3));

/** A rollout-like file with comments everywhere, and where its `state.percent` line is. */
const rolloutFile = fc
  .record({
    header: commentLines,
    describeComment: maybeComment,
    stateComment: maybeComment,
    inner: commentLines,
    indent: fc.constantFrom(2, 4),
    old: percent,
    percentComment: maybeComment,
    phase: fc.option(maybeComment, { nil: undefined }),
    footer: commentLines,
    blank: fc.boolean(),
    eol: fc.constantFrom("\n", "\r\n"),
  })
  .map((f) => {
    const pad = " ".repeat(f.indent);
    const before = [
      ...f.header,
      `description: "a rollout"${f.describeComment}`,
      ...(f.blank ? [""] : []),
      `stages:`,
      `${pad}- percent: 100`,
      `state:${f.stateComment}`,
      ...f.inner.map((line) => pad + line),
    ];
    const percentLine = `${pad}percent: ${f.old}${f.percentComment}`;
    const after = [...(f.phase === undefined ? [] : [`${pad}phase: baking${f.phase}`]), ...f.footer];
    const lines = [...before, percentLine, ...after];
    return {
      text: lines.join(f.eol) + f.eol,
      eol: f.eol,
      index: before.length,
      pad,
      percentComment: f.percentComment,
    };
  });

describe("editYaml property", () => {
  it("setting state.percent changes that one line and nothing else", () => {
    fc.assert(
      fc.property(rolloutFile, percent, (file, next) => {
        const out = editYaml(file.text, [{ path: ["state", "percent"], value: next }]);
        const a = file.text.split(file.eol);
        const b = out.split(file.eol);
        expect(b).toHaveLength(a.length);
        b.forEach((line, i) => {
          expect(line).toBe(i === file.index ? `${file.pad}percent: ${next}${file.percentComment}` : a[i]);
        });
      }),
      { numRuns: 300 },
    );
  });
});
