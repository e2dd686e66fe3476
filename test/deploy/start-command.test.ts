import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { shippedServerCommand } from "../../bench/lib/server-process.ts";
import { parseDockerfile } from "../helpers/dockerfile.ts";

// The server's node flags (heap sizing: README "Memory") live in package.json's `start`; the image's
// CMD and the benchmarks must run the same command, or the figures measured are not what ships.

const root = join(import.meta.dirname, "../..");

describe("the server's start command", () => {
  it("is the same in npm start, the image's CMD and the benchmarks", () => {
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
      scripts: { start: string };
    };
    const start = pkg.scripts.start.split(/\s+/);
    const stages = parseDockerfile(readFileSync(join(root, "Dockerfile"), "utf8"));
    const cmd = stages
      .at(-1)!
      .instructions.filter((i) => i.keyword === "CMD")
      .at(-1)!.args;
    expect(cmd).toEqual(start);
    expect(shippedServerCommand()).toEqual(start);
    expect(start).toEqual(["node", "--max-semi-space-size=2", "--heap-growing-percent=20", "dist/server.js"]);
  });
});
