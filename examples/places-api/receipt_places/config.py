"""Runtime configuration for the receipt places service."""

import os

# Legacy places service (being replaced by the Places API v1).
LEGACY_PLACES_URL = os.environ.get("LEGACY_PLACES_URL", "http://places-legacy.internal:8080")

# Places API v1.
PLACES_V1_URL = os.environ.get("PLACES_V1_URL", "http://places-api.internal:9000/v1")
PLACES_V1_TIMEOUT_SECONDS = 2.5

# Share of place lookups sent to v1, in percent. Managed by rollout-bot
# (.github/rollouts/places-api-v1.yml): change it with `/rollout advance` or `/rollout rollback`.
v1_traffic_percentage = 0.0

# Whether v1 may create receipt places (writes), not only look them up. Managed by rollout-bot:
# on from the first stage, and False on any rollback so writes stay in the legacy store.
create_receipt_place = False

# Lookups cache.
PLACES_CACHE_TTL_SECONDS = 6 * 60 * 60
PLACES_CACHE_MAX_ENTRIES = 50_000
