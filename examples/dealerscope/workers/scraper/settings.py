"""Scraper worker settings."""

import os

# Headless Chromium contexts per worker (each ~250 MB). Managed by rollout-bot: 3, then 10 at 100%.
MAX_BROWSER_CONTEXTS = 3

# Page cache shared by the workers: "memory" (per worker) or "redis". Managed by rollout-bot.
CACHE_PROVIDER = "memory"
REDIS_URL = os.environ.get("SCRAPER_REDIS_URL", "redis://scraper-cache.internal:6379/2")

PAGE_TIMEOUT_SECONDS = 30
