"""inventory: the trade-secret register (the crown jewels): category, tier, owner, value,
secrecy assessment, allowed regions, review cadence, status, legend."""
