"""A case's evidence and its chain of custody: what the system preserves (kept in the vault
under legal hold) and what was collected outside it, with every hand-over between custodians."""
