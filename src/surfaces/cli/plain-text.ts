/**
 * Terminal output without emoji, box characters or typographic punctuation, for `NO_COLOR`,
 * `TERM=dumb` and anything that cannot show them (serial consoles, some CI logs, screen readers).
 */

const ASCII: Readonly<Record<string, string>> = {
  "🟢": "[green]",
  "🟡": "[yellow]",
  "🔴": "[red]",
  "✓": "ok",
  "✗": "x",
  "█": "#",
  "░": ".",
  "→": "->",
  "⇢": "->",
  "⇠": "<-",
  "←": "<-",
  "›": ">",
  "·": "-",
  "—": "--",
  "–": "-",
  "…": "...",
  "⚠": "!",
  "🚨": "!!",
  "≥": ">=",
  "≤": "<=",
  "×": "x",
  "‘": "'",
  "’": "'",
  "“": '"',
  "”": '"',
};

/** Whether the environment asks for plain output (https://no-color.org: any non-empty NO_COLOR). */
export function wantsPlainText(env: NodeJS.ProcessEnv): boolean {
  return (env.NO_COLOR !== undefined && env.NO_COLOR !== "") || env.TERM === "dumb";
}

export function toPlainText(text: string): string {
  let out = "";
  for (const char of text) {
    if (char.charCodeAt(0) < 128) out += char;
    else if (char === "\uFE0F")
      continue; // emoji presentation selector
    else out += ASCII[char] ?? "?";
  }
  return out;
}
