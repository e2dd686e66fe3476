/**
 * Slack sends message and command text HTML-escaped: `&`, `<` and `>` arrive as `&amp;`, `&lt;`
 * and `&gt;` (and nothing else is escaped). Undone in one pass, so `&amp;lt;` gives back `&lt;`, as typed.
 */
const ENTITIES: Readonly<Record<string, string>> = { "&amp;": "&", "&lt;": "<", "&gt;": ">" };

export function unescapeSlackText(text: string): string {
  return text.replace(/&(?:amp|lt|gt);/g, (entity) => ENTITIES[entity] ?? entity);
}
