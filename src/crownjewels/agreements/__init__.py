"""Agreements: NDAs, MSAs, DPAs, SOWs and staff confidentiality agreements, the rules for when
one is in force and what it covers, and clause analysis with sentence-level evidence."""
