/** Who clicked or typed, from a signed Slack payload. */
export interface SlackUser {
  id: string;
  /** The workspace (team id) the request came from. */
  team: string | undefined;
  name?: string | undefined;
}

const USER_ID = /^[UW][A-Z0-9]{2,20}$/;

/** `<@U012AB3CD>` for a well-formed user id; anything else is shown as plain text, never as markup. */
export function mentionOf(user: SlackUser): string {
  return USER_ID.test(user.id) ? `<@${user.id}>` : "someone";
}
