import { createRequire } from "node:module";
import { npxImport } from "npx-import-light";
import { afterEach, describe, expect, it } from "vitest";

/**
 * Probot loads ioredis for its Redis-backed throttling through npx-import-light
 * (`npxImport("ioredis@5.9.3")`), which may run `npx` to download it at run time. The bot installs
 * ioredis itself, so the import resolves locally — even when started through npx — and never downloads.
 */

const saved = process.env.npm_lifecycle_event;
afterEach(() => {
  if (saved === undefined) delete process.env.npm_lifecycle_event;
  else process.env.npm_lifecycle_event = saved;
});

describe("Probot's ioredis", () => {
  it.each([undefined, "npx"])(
    "resolves the installed ioredis (npm_lifecycle_event=%s), never running npx",
    async (event) => {
      if (event === undefined) delete process.env.npm_lifecycle_event;
      else process.env.npm_lifecycle_event = event;
      const commands: string[] = [];
      const module = (await npxImport("ioredis@5.9.3", {
        onlyPackageRunner: true,
        logger: { log: () => {} },
        exec: (command: string) => {
          commands.push(command);
          throw new Error(`would run ${command}`);
        },
      })) as { Redis: unknown };
      const local = createRequire(import.meta.url)("ioredis") as { Redis: unknown };
      expect(commands).toEqual([]);
      expect(module.Redis).toBe(local.Redis);
    },
  );

  it("the installed ioredis is the major Probot asks for", () => {
    const version = (createRequire(import.meta.url)("ioredis/package.json") as { version: string }).version;
    expect(version.split(".")[0]).toBe("5");
  });
});
