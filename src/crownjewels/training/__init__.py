"""Training: courses, completions with expiry (recorded or imported from an LMS export) and
attestations (a person's acknowledgement of an exact text, kept with its SHA-256)."""
