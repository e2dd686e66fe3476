import { parseDocument, Scalar } from "yaml";

/** How the bot writes one YAML scalar: plain when that reads back the same, else quoted. */

const INDICATORS = "-?:,[]{}#&*!|>'\"%@`";

/** Plain when yaml reads it back as the same string; otherwise quoted (keeping an existing quote style). */
export function renderScalar(
  value: string | number | boolean,
  oldType?: Scalar.Type,
  inFlow = false,
): string {
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new Error(`cannot write ${value} to YAML`);
    return String(value);
  }
  if (typeof value === "boolean") return String(value);
  if (oldType === Scalar.QUOTE_SINGLE && !hasControlCharacter(value)) {
    return `'${value.replaceAll("'", "''")}'`;
  }
  if (oldType === Scalar.QUOTE_DOUBLE || !isPlainSafe(value, inFlow)) return JSON.stringify(value);
  return value;
}

function isPlainSafe(value: string, inFlow: boolean): boolean {
  if (value === "" || value !== value.trim() || INDICATORS.includes(value[0] ?? "")) return false;
  if (hasControlCharacter(value) || /: |:$| #/.test(value)) return false;
  if (inFlow && /[,[\]{}]/.test(value)) return false;
  if (plainString(value)) return true;
  // The last word goes to yaml itself: numbers, booleans, null, `~`, `0x1F` ... must stay strings.
  const probe = parseDocument(inFlow ? `[${value}]` : `k: ${value}`);
  const read = inFlow ? probe.getIn([0]) : probe.getIn(["k"]);
  return probe.errors.length === 0 && read === value;
}

/**
 * Strings no YAML 1.2 core tag resolves (a reason, a timestamp), known without a parse — a rollback
 * writes several, and a parse per scalar was ≈ 1 ms of its CPU. Printable ASCII only; a letter first
 * and not null/true/false in any case, or a digit first and a character no number has (`T`, `:`, a
 * space). Anything else goes to yaml.
 */
const PLAIN_ASCII = /^[\x20-\x7e]+$/;
const KEYWORDS = new Set(["null", "true", "false"]);
function plainString(value: string): boolean {
  if (!PLAIN_ASCII.test(value)) return false;
  if (/^[A-Za-z]/.test(value)) return !KEYWORDS.has(value.toLowerCase());
  return /^[0-9]/.test(value) && /[^0-9a-fA-FxXoO.+_-]/.test(value);
}

function hasControlCharacter(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

export function renderKey(key: string): string {
  return isPlainSafe(key, false) ? key : JSON.stringify(key);
}
