/**
 * What `rollout init` writes: a rollout file, the repository settings and the two workflows the bot
 * dispatches. The workflows take exactly the inputs the bot sends (rollout, from, to, reason) and
 * pass them to the shell only through env variables (never `${{ }}` inside `run:`).
 */

export interface InitAnswers {
  id: string;
  description: string;
  stages: number[];
  bake: string;
  channel: string | undefined;
  /** A Prometheus job label for the starter queries. */
  job: string;
}

export const SCHEMA_URL = "https://rollout-bot.dev/schema/draft-07";
export const ROLLBACK_WORKFLOW = "rollback.yml";
export const ON_CHANGE_WORKFLOW = "rollout-deploy.yml";

export function rolloutTemplate(a: InitAnswers): string {
  const last = a.stages.length - 1;
  const stages = a.stages
    .map((percent, i) =>
      [
        `  - percent: ${percent}`,
        ...(i < last ? [`    bake: ${a.bake}`] : []),
        ...(i < last ? ["    criteria:", "      - { metric: error_rate, below: 1%, for: stage }"] : []),
      ].join("\n"),
    )
    .join("\n");
  return `# yaml-language-server: $schema=${SCHEMA_URL}/rollout.schema.json
#
# ${a.description}
# Written by \`rollout init\`: edit the queries and criteria, then \`rollout validate\`.

description: ${JSON.stringify(a.description)}

metrics:
  # Prometheus, from PROMETHEUS_URL (or a source named in .github/rollout-bot.yml).
  queries:
    error_rate:
      query: sum(rate(http_requests_total{job="${a.job}",code=~"5.."}[5m])) / sum(rate(http_requests_total{job="${a.job}"}[5m]))
      unit: fraction

stages:                     # each stage: its percentage, the minimum bake, the gate to leave it
${stages}

rollback:
  target: previous          # previous stage, or 0
  cooldown: 1d              # no advance for a day after a rollback
  triggers:                 # any of these holding is red: roll back
    - { metric: error_rate, above: 5%, for: 5m }

automation: { auto_advance: false, auto_rollback: true, auto_merge: false }
workflows: { rollback: ${ROLLBACK_WORKFLOW}, on_change: ${ON_CHANGE_WORKFLOW} }
${a.channel ? `notify: { slack_channel: ${JSON.stringify(a.channel)} }\n` : ""}
state:                      # written by rollout-bot
  percent: 0
  phase: pending
`;
}

export function settingsTemplate(a: InitAnswers): string {
  return `# yaml-language-server: $schema=${SCHEMA_URL}/rollout-bot.schema.json
#
# rollout-bot settings for every rollout in this repository (.github/rollouts/*.yml).

notify:
${a.channel ? `  slack_channel: ${JSON.stringify(a.channel)}\n` : ""}  schedule: "0 */4 * * *"   # status every 4 hours
  timezone: UTC

defaults:
  approvals: 1               # approvals on each bump pull request

# Who may do what; an action left out is open to anyone with write access to the repository.
# permissions:
#   advance: { github_teams: [my-org/release-managers] }
#   rollback: { github_teams: [my-org/engineering, my-org/oncall] }
`;
}

function workflowTemplate(kind: "rollback" | "deploy"): string {
  const title = kind === "rollback" ? "Rollback" : "Rollout deploy";
  const what =
    kind === "rollback"
      ? "rollout-bot dispatches this after it has committed a lower percentage (a rollback)"
      : "rollout-bot dispatches this after any percentage change reached the default branch";
  return `# ${what}.
# Replace the placeholder step with your deploy (helm, terraform, a feature-flag API…).
# The inputs come from chat commands and alerts: they reach the shell only through env variables.
name: ${title}
run-name: "${kind} \${{ inputs.rollout }}: \${{ inputs.from }}% → \${{ inputs.to }}%"

on:
  workflow_dispatch:
    inputs:
      rollout: { description: Rollout id, type: string, required: true }
      from: { description: Percentage before, type: string, required: true }
      to: { description: Percentage after, type: string, required: true }
      reason: { description: "Why: alert, command or person", type: string, required: false, default: "" }

permissions:
  contents: read

concurrency:
  group: deploy-\${{ inputs.rollout }}
  cancel-in-progress: false

jobs:
  ${kind}:
    runs-on: ubuntu-latest
    timeout-minutes: 15
    steps:
      - uses: actions/checkout@v5
      - name: Apply the percentage (replace with your deploy)
        env:
          ROLLOUT: \${{ inputs.rollout }}
          FROM_PERCENT: \${{ inputs.from }}
          TO_PERCENT: \${{ inputs.to }}
          REASON: \${{ inputs.reason }}
        run: |
          printf '%s: %s%% -> %s%% (%s)\\n' "$ROLLOUT" "$FROM_PERCENT" "$TO_PERCENT" "$REASON"
          # e.g. helm upgrade my-service ./chart --reuse-values --set canary.weight="$TO_PERCENT"
`;
}

export const rollbackWorkflowTemplate = () => workflowTemplate("rollback");
export const deployWorkflowTemplate = () => workflowTemplate("deploy");
