import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { afterAll, describe, expect, it } from "vitest";

/** `rollout-bot/bucketing` and `rollout-bot/openfeature` as an application imports them: built, by name, typed. */

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const app = mkdtempSync(join(tmpdir(), "bucketing-app-"));
mkdirSync(join(app, "node_modules"));
symlinkSync(ROOT, join(app, "node_modules", "rollout-bot"), "dir");
// The application's own copy of the OpenFeature SDK (a peer dependency of the provider).
symlinkSync(join(ROOT, "node_modules/@openfeature"), join(app, "node_modules/@openfeature"), "dir");
afterAll(() => rmSync(app, { recursive: true, force: true }));

describe("rollout-bot/bucketing", () => {
  it("imports by name from the built package (test/global-setup.ts builds dist/)", () => {
    writeFileSync(
      join(app, "main.mjs"),
      `import { inRollout } from "rollout-bot/bucketing";
console.log(JSON.stringify(["u1", "u2", "u3", "u4"].map((userId) => inRollout({ salt: "s", percent: 50, userId }))));`,
    );
    const out = execFileSync(process.execPath, [join(app, "main.mjs")], { encoding: "utf8" });
    expect(JSON.parse(out)).toHaveLength(4);
  });

  it("ships types an application's tsc accepts, and rejects misuse", () => {
    writeFileSync(
      join(app, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: { module: "nodenext", strict: true, noEmit: true, types: [], skipLibCheck: false },
        files: ["ok.ts", "bad.ts"],
      }),
    );
    writeFileSync(join(app, "package.json"), JSON.stringify({ type: "module" }));
    writeFileSync(
      join(app, "ok.ts"),
      `import { inRollout, type BucketingMode } from "rollout-bot/bucketing";
const mode: BucketingMode = "unleash";
export const yes: boolean = inRollout({ salt: "s", percent: 5, userId: "u", mode });`,
    );
    writeFileSync(
      join(app, "bad.ts"),
      `import { inRollout } from "rollout-bot/bucketing";
export const no = inRollout({ salt: "s", percent: "5", userId: "u", mode: "sha1" });`,
    );
    let output = "";
    try {
      execFileSync(join(ROOT, "node_modules/.bin/tsc"), ["-p", app], { encoding: "utf8", cwd: app });
    } catch (error) {
      output = String((error as { stdout?: string }).stdout);
    }
    // Only the misuse is an error: types resolve, and node:crypto types are not required of the app.
    expect(
      output
        .split("\n")
        .filter((l) => l.includes("error TS"))
        .every((l) => l.startsWith("bad.ts")),
    ).toBe(true);
    expect(output).toMatch(/bad\.ts\(2,\d+\): error TS2322/);
  });

  it("tree-shakes: an application using the default mode bundles no md5 and no node:crypto", async () => {
    writeFileSync(
      join(app, "edge.mjs"),
      `import { inDefaultRollout } from "rollout-bot/bucketing";\nexport const x = inDefaultRollout("s", 5, "u");`,
    );
    const result = await build({
      entryPoints: [join(app, "edge.mjs")],
      bundle: true,
      write: false,
      format: "esm",
      platform: "neutral",
      // What an edge bundler does with Node built-ins it cannot provide: leave them to fail at run time.
      external: ["node:*"],
      absWorkingDir: app,
    });
    const text = result.outputFiles[0]?.text ?? "";
    expect(text).toContain("murmur3");
    expect(text).not.toContain("node:crypto");
    expect(text).not.toContain("md5");
    expect(text.length).toBeLessThan(3000);
  });
});

describe("rollout-bot/openfeature", () => {
  it("imports by name and evaluates a flag through the real SDK", () => {
    mkdirSync(join(app, "repo/.github/rollouts"), { recursive: true });
    writeFileSync(
      join(app, "repo/.github/rollouts/checkout.yml"),
      "stages:\n  - percent: 100\nstate:\n  percent: 100\n",
    );
    writeFileSync(
      join(app, "flags.mjs"),
      `import { OpenFeature } from "@openfeature/server-sdk";
import { RolloutBotProvider, fileRolloutSource } from "rollout-bot/openfeature";
await OpenFeature.setProviderAndWait(new RolloutBotProvider({ source: fileRolloutSource(${JSON.stringify(join(app, "repo"))}) }));
const details = await OpenFeature.getClient().getBooleanDetails("checkout", false, { targetingKey: "u1" });
console.log(JSON.stringify({ value: details.value, reason: details.reason }));`,
    );
    const out = execFileSync(process.execPath, [join(app, "flags.mjs")], { encoding: "utf8", cwd: ROOT });
    expect(JSON.parse(out)).toEqual({ value: true, reason: "STATIC" });
  });
});
