/** The embedded default the demo runs: a canary plan like the ones teams keep on wiki pages. */
export const DEMO_ROLLOUT_ID = "checkout-v2";

export const DEMO_ROLLOUT = `# Checkout v2 canary — owned by #team-payments.
# The bot edits only the state block at the bottom; everything else is ours.
description: New checkout service behind the payments gateway
owner: "@acme/payments"

metrics:
  queries:
    error_rate:
      query: sum(rate(http_requests_total{app="checkout",version="v2",code=~"5.."}[5m])) / sum(rate(http_requests_total{app="checkout",version="v2"}[5m]))
      unit: fraction
    p99_latency:
      query: histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{app="checkout",version="v2"}[5m])))
      unit: seconds

stages:
  - percent: 5
    bake: 1h
    criteria:
      - { metric: error_rate, below: 1%, for: stage }
      - { metric: p99_latency, below: 0.8 }
  - percent: 25
    bake: 4h
    criteria:
      - { metric: error_rate, below: 1%, for: stage }
      - { metric: p99_latency, below: 0.8 }
  - percent: 50
    bake: 8h
    approvals: 2 # two reviewers before half the traffic
    criteria:
      - { metric: error_rate, below: 0.5%, for: stage }
      - { metric: p99_latency, below: 0.7 }
  - percent: 100
    bake: 1d

rollback:
  target: previous # step down one stage, not straight to 0%
  cooldown: 3d # no advance for 3 days after a rollback
  triggers:
    - { metric: error_rate, above: 5%, for: 5m }
    - { metric: p99_latency, above: 2, for: 10m }

automation:
  auto_advance: true # the bot opens the bump PR when the gate is open
  auto_merge: true # and merges it once the approvals are in
  auto_rollback: true

workflows:
  rollback: rollback.yml
  on_change: deploy.yml

sync:
  - file: deploy/checkout.env
    pattern: "CHECKOUT_V2_PERCENT=([0-9]+)"

notify:
  slack_channel: "#checkout-rollout"
  schedule: "0 */4 * * *"

# Written by rollout-bot.
state:
  percent: 0
  phase: pending
`;

export const DEMO_SYNC_FILE = `# Traffic split for the checkout service, read by the deploy workflow.
CHECKOUT_V1_IMAGE=registry.example/checkout:1.42.0
CHECKOUT_V2_IMAGE=registry.example/checkout:2.0.0
CHECKOUT_V2_PERCENT=0
`;
