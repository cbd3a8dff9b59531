"""The grant lifecycle: live grants re-checked against the rules, lapsed ones suspended,
and the notices sent to their owners."""
