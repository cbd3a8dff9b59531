"""The fingerprint index in the database: every version of a secret's documents fingerprinted
(right after its upload commits, or by the worker's job), honey strings of canary tokens,
removal with a crypto-shredded document, and the in-memory `Index` a scan queries."""
