# Edge cache in front of farmers-market listings.
edge_cache_enabled = true
edge_cache_ttl_seconds = 300
edge_cache_stale_while_revalidate_seconds = 60

# Share of listing traffic routed through the edge cache, in percent.
# Managed by rollout-bot (.github/rollouts/farmers-market.yml).
edge_cache_traffic_percent = 0
