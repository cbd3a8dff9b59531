"""The disclosure ledger: every time a secret reached someone, under which agreement,
with its CSV and PDF exports."""
