"""Offboarding a person or a vendor: every grant revoked in one action, the exit
acknowledgement, the return-or-destruction certificate and the 90-day access report."""
