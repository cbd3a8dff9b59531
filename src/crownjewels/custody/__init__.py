"""custody: the append-only, hash-chained chain-of-custody log under every write.
Every other capability records here, in the same transaction as its change."""
