/** Just enough of a Dockerfile parser for tests that replay its stages without a Docker engine. */

export interface Instruction {
  keyword: string;
  /** Flags such as `--from=build` or `--interval=30s`, by name. */
  flags: Record<string, string>;
  /** The arguments: the JSON array of exec form, or the words of shell form. */
  args: string[];
  /** The text after the flags, as written (shell form of RUN/CMD). */
  text: string;
}

export interface Stage {
  name: string | undefined;
  image: string;
  instructions: Instruction[];
}

export function parseDockerfile(source: string): Stage[] {
  const logical = source
    .replace(/\\\r?\n/g, " ")
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"));
  const stages: Stage[] = [];
  for (const line of logical) {
    const [, keyword = "", rest = ""] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    let text = rest;
    const flags: Record<string, string> = {};
    for (;;) {
      const flag = /^--([a-z-]+)=(\S+)\s*/.exec(text);
      if (!flag) break;
      flags[flag[1]!] = flag[2]!;
      text = text.slice(flag[0].length);
    }
    const upper = keyword.toUpperCase();
    // HEALTHCHECK CMD […]: the command is what follows its own CMD word.
    const command = upper === "HEALTHCHECK" ? text.replace(/^CMD\s+/, "") : text;
    const args = command.startsWith("[") ? (JSON.parse(command) as string[]) : command.split(/\s+/);
    const instruction: Instruction = { keyword: upper, flags, args, text: command };
    if (upper === "FROM") {
      stages.push({ name: /\sAS\s+(\S+)/i.exec(text)?.[1], image: args[0] ?? "", instructions: [] });
    } else {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  return stages;
}
