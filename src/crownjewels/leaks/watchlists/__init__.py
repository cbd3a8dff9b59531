"""Market surveillance: per-secret watch terms, competitors and threshold, RSS/Atom feeds
fetched on a cadence, each new item scored against the watched secrets and queued for legal."""
