"""A case's legal side: the legal steps taken (counsel engaged, letters sent, a TRO or seizure
applied for, an injunction, a settlement) and the letters drafted from the case's records."""
