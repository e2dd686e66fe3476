import { describe, expect, it } from "vitest";
import { commandTokens, parseActionInputs } from "../../src/surfaces/action/action-inputs.ts";

/** The runner's env as the inputs schema reads it: every declared input present, empty when not given. */
const env = (inputs: Record<string, string> = {}, extra: Record<string, string> = {}) => ({
  INPUT_COMMAND: "status",
  INPUT_ROLLOUT: "",
  INPUT_TO: "",
  INPUT_REASON: "",
  "INPUT_DRY-RUN": "false",
  "INPUT_ALLOW-REPO-METRICS-URL": "false",
  "INPUT_GITHUB-TOKEN": "ghs_secret",
  "INPUT_SLACK-TOKEN": "",
  "INPUT_SLACK-CHANNEL": "",
  INPUT_INTERVAL: "15m",
  GITHUB_REPOSITORY: "acme/shop",
  ...Object.fromEntries(Object.entries(inputs).map(([k, v]) => [`INPUT_${k.toUpperCase()}`, v])),
  ...extra,
});

describe("action inputs", () => {
  it("reads the runner's env: empty means not given, defaults apply, the API URL falls back to github.com", () => {
    const parsed = parseActionInputs(
      env({ rollout: " checkout ", "dry-run": "TRUE" }, { GITHUB_ACTOR: "alice" }),
    );
    expect(parsed).toEqual({
      ok: true,
      inputs: {
        command: "status",
        rollout: "checkout",
        to: undefined,
        reason: undefined,
        dryRun: true,
        repoMetricsUrls: false,
        githubToken: "ghs_secret",
        slackToken: undefined,
        slackChannel: undefined,
        intervalSeconds: 900,
        repository: { owner: "acme", repo: "shop" },
        apiUrl: "https://api.github.com",
        slackApiUrl: undefined,
        actor: "alice",
      },
    });
  });

  it("names every problem without echoing values", () => {
    const parsed = parseActionInputs(
      env(
        { command: "deploy", "dry-run": "maybe", "github-token": "", interval: "soon" },
        { GITHUB_REPOSITORY: "nope", GITHUB_API_URL: "not a url" },
      ),
    );
    expect(parsed.ok ? [] : parsed.problems).toEqual([
      "command must be one of status, advance, rollback, pause, resume, validate, tick, list, history",
      "dry-run must be true or false",
      "github-token is empty: its default is the workflow's GITHUB_TOKEN; pass an App token here",
      "interval must be a duration like 15m, 1h or 1h30m",
      "GITHUB_REPOSITORY must be owner/name (the runner sets it)",
      "GITHUB_API_URL must be a URL",
    ]);
  });

  it("a re-run's triggering actor is who acts", () => {
    const parsed = parseActionInputs(env({}, { GITHUB_ACTOR: "alice", GITHUB_TRIGGERING_ACTOR: "bob" }));
    expect(parsed.ok && parsed.inputs.actor).toBe("bob");
  });

  it("builds the grammar's tokens, keeping to/reason only for the commands that take them", () => {
    const tokens = (inputs: Record<string, string>) => {
      const parsed = parseActionInputs(env(inputs));
      if (!parsed.ok) throw new Error(parsed.problems.join("\n"));
      return commandTokens(parsed.inputs);
    };
    expect(tokens({ command: "rollback", rollout: "checkout", to: "0", reason: "p99 over 2s" })).toEqual({
      tokens: ["rollback", "checkout", "to", "0", "--reason", "p99 over 2s"],
      ignored: [],
    });
    expect(tokens({ command: "advance", rollout: "checkout", to: "50%", reason: "go" })).toEqual({
      tokens: ["advance", "checkout", "to", "50%"],
      ignored: ["reason"],
    });
    expect(tokens({ command: "tick", to: "5" })).toEqual({ tokens: ["tick"], ignored: ["to"] });
  });
});
