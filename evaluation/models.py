"""Self-evaluation campaigns come with their own issue; dashboards are computed, not stored."""
