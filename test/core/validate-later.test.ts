import { describe, expect, it } from "vitest";
import { parseRolloutFile, parseSettingsFile } from "../../src/core/config/rollout-file.ts";
import { formatDiagnostic } from "../../src/core/config/yaml-diagnostics.ts";
import { lastOccurrence } from "../../src/core/rollout/status-schedule.ts";

/** What would only break later is refused when the file is validated: schedules and PromQL. */
const file = (queries: string, notify = "") => `metrics:
  queries:
${queries}
stages:
  - percent: 50
    bake: 1h
    criteria:
      - { metric: error_rate, below: 1% }
  - percent: 100
${notify}state:
  percent: 50
`;
const problems = (text: string) => {
  const parsed = parseRolloutFile(".github/rollouts/x.yml", text);
  return parsed.ok ? [] : parsed.diagnostics.map(formatDiagnostic);
};

describe("cron schedules", () => {
  const ok = "    error_rate: up\n";
  it("refuses one the scheduler's parser cannot run (it would never fire), where it is written", () => {
    const text = file(ok, 'notify:\n  schedule: "99 * * * FOO"\n');
    // cron-parser, the parser that decides when a status is due, refuses it: it would never post.
    expect(lastOccurrence({ cron: "99 * * * FOO", timezone: "UTC" }, new Date())).toBeUndefined();
    expect(problems(text)).toEqual([
      expect.stringMatching(/^\.github\/rollouts\/x\.yml:12:13 notify\.schedule: .*99/),
    ]);
  });

  it("refuses an impossible date and a bad weekly report; accepts what runs", () => {
    expect(problems(file(ok, "notify:\n  weekly_report: '0 9 31 2 *'\n"))).toHaveLength(1);
    expect(
      problems(file(ok, "notify:\n  schedule: '0 9,13,17 * * MON-FRI'\n  weekly_report: '0 15 * * FRI'\n")),
    ).toEqual([]);
    const settings = parseSettingsFile(".github/rollout-bot.yml", "notify:\n  schedule: '61 * * * *'\n");
    expect(settings.ok).toBe(false);
  });
});

describe("PromQL", () => {
  it("accepts valid queries in every form: plain, quoted, folded", () => {
    const queries = [
      `    error_rate: 'sum(rate(http_requests_total{code=~"5.."}[5m])) / sum(rate(http_requests_total[5m]))'`,
      "    p99:",
      "      query: >-",
      "        histogram_quantile(0.99,",
      "          sum by (le) (rate(http_request_duration_seconds_bucket[5m])))",
      "      unit: seconds",
    ].join("\n");
    expect(problems(file(`${queries}\n`))).toEqual([]);
  });

  it("locates a syntax error at its line and column in the YAML", () => {
    // A missing closing parenthesis, in a single-quoted one-liner: the end of the query.
    expect(problems(file("    error_rate: 'sum(rate(x[5m]) / 2'\n"))).toEqual([
      ".github/rollouts/x.yml:3:37 metrics.queries.error_rate: PromQL syntax error at the end of the query (column 20 of the query)",
    ]);
    // A bad range unit, on the second line of a folded block scalar.
    const folded = [
      "    error_rate:",
      "      query: >-",
      "        sum(rate(errors[5m]))",
      "        / sum(rate(x[5q]))",
      "      unit: fraction",
    ];
    expect(problems(file(`${folded.join("\n")}\n`))).toEqual([
      expect.stringMatching(
        /^\.github\/rollouts\/x\.yml:6:23 metrics\.queries\.error_rate\.query: PromQL syntax error at 'q\]\)\)'/,
      ),
    ]);
  });
});
