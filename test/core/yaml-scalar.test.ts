import { describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
import { renderKey, renderScalar } from "../../src/core/config/yaml-scalar.ts";

describe("renderScalar", () => {
  it("writes strings plain when yaml reads them back unchanged", () => {
    for (const plain of [
      "baking",
      "2026-11-22T10:00:00Z",
      "2026-11-22",
      "gate passed",
      "a:b",
      "yes",
      "50%",
    ]) {
      expect(renderScalar(plain)).toBe(plain);
    }
  });

  it("quotes strings that would read back as something else", () => {
    const quoted = [
      "",
      "10",
      "1e3",
      "0x1F",
      ".inf",
      "true",
      "null",
      "~",
      "a: b",
      "a #b",
      "#x",
      "-x",
      "@x",
      "*x",
      " x",
      "x\ny",
    ];
    for (const text of quoted) expect(renderScalar(text)).toBe(JSON.stringify(text));
  });

  it("writes plain exactly the strings yaml reads back unchanged (the shortcut agrees with a parse)", () => {
    // The oracle is yaml itself: plain is right when `k: <value>` (or `[<value>]`) reads back as it.
    const readsBack = (value: string, inFlow: boolean) => {
      const probe = parseDocument(inFlow ? `[${value}]` : `k: ${value}`);
      return probe.errors.length === 0 && probe.getIn(inFlow ? [0] : ["k"]) === value;
    };
    const pieces = [
      "a",
      "Z",
      "e",
      "E",
      "x",
      "o",
      "0",
      "7",
      "1",
      ".",
      "+",
      "-",
      "_",
      ":",
      " ",
      "#",
      "T",
      "%",
      "'",
      '"',
      "!",
      "&",
      "*",
      ",",
      "[",
      "}",
      "|",
      ">",
      "~",
      "true",
      "NULL",
      "False",
      "inf",
      "nan",
      "é",
      "\t",
    ];
    let seed = 7;
    const random = () => {
      seed = (seed * 48271) % 2147483647;
      return seed / 2147483647;
    };
    const values = ["2026-12-02T12:00:00Z", "1e3", "0x1F", "0o17", "1_000", "12:30", "1.5.6", "TRUE", "Null"];
    for (let i = 0; i < 5_000; i++) {
      const length = 1 + Math.floor(random() * 5);
      values.push(Array.from({ length }, () => pieces[Math.floor(random() * pieces.length)]).join(""));
    }
    for (const value of values)
      for (const inFlow of [false, true]) {
        const rendered = renderScalar(value, undefined, inFlow);
        if (rendered === value) expect(readsBack(value, inFlow), JSON.stringify(value)).toBe(true);
        else expect(JSON.parse(rendered)).toBe(value);
      }
  });

  it("quotes flow indicators inside flow collections", () => {
    expect(renderScalar("a,b", undefined, true)).toBe('"a,b"');
    expect(renderScalar("a,b")).toBe("a,b");
  });

  it("keeps the quote style of the value it replaces", () => {
    expect(renderScalar("baking", "QUOTE_SINGLE")).toBe("'baking'");
    expect(renderScalar("it's", "QUOTE_SINGLE")).toBe("'it''s'");
    expect(renderScalar("a\nb", "QUOTE_SINGLE")).toBe('"a\\nb"');
    expect(renderScalar("baking", "QUOTE_DOUBLE")).toBe('"baking"');
    expect(renderScalar(25, "QUOTE_DOUBLE")).toBe("25");
  });

  it("quotes keys only when needed", () => {
    expect(renderKey("cooldown_until")).toBe("cooldown_until");
    expect(renderKey("on call: team")).toBe('"on call: team"');
  });

  it("refuses numbers YAML cannot hold", () => {
    expect(() => renderScalar(Number.NaN)).toThrow();
  });
});
