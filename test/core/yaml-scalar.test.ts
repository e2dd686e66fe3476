import { describe, expect, it } from "vitest";
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
