import type { CommandOutcome } from "../../commands/run-command.ts";
import { renderHuman } from "../cli/cli-render.ts";

/** A command's answer as a PR/issue comment: a one-line verdict, then the same text the CLI prints. */
export function renderCommentReply(command: string, outcome: CommandOutcome): string {
  if (outcome.kind === "denied") return renderCommentError(command, outcome.reason);
  const text = renderHuman(outcome).replace(/```/g, "ʼʼʼ");
  const verdict =
    outcome.kind === "refused"
      ? `😕 \`${command}\` was refused: ${outcome.message}`
      : outcome.kind === "proposed"
        ? `🚀 \`${command}\`: pull request #${outcome.pr.number} is ready for review`
        : outcome.kind === "applied"
          ? `🚀 \`${command}\`: ${outcome.plan.summary}`
          : `\`${command}\``;
  return `${verdict}\n\n\`\`\`text\n${text}\n\`\`\``;
}

export function renderCommentError(
  command: string,
  message: string,
  details: readonly string[] = [],
): string {
  const body =
    details.length > 0 ? `\n\n\`\`\`text\n${details.join("\n").replace(/```/g, "ʼʼʼ")}\n\`\`\`` : "";
  return `😕 \`${command}\`: ${message}${body}`;
}
