import { cleanText } from "../../core/commands/command.ts";

/** Who clicked or typed, from a signed Slack payload. */
export interface SlackUser {
  id: string;
  name?: string | undefined;
}

const USER_ID = /^[UW][A-Z0-9]{2,20}$/;

/** `slack:alice (U012AB3CD)`: the audit trail's actor, readable and still unambiguous. */
export function actorOf(user: SlackUser): string {
  const name =
    user.name === undefined
      ? ""
      : cleanText(user.name)
          .replace(/[()\s]/g, "")
          .slice(0, 80);
  const id = cleanText(user.id).slice(0, 32);
  return name === "" ? `slack:${id}` : `slack:${name} (${id})`;
}

/** `<@U012AB3CD>` for a well-formed user id; anything else is shown as plain text, never as markup. */
export function mentionOf(user: SlackUser): string {
  return USER_ID.test(user.id) ? `<@${user.id}>` : "someone";
}
