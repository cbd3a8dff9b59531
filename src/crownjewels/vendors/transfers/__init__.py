"""A vendor's cross-border transfer mechanisms (SCCs, BCRs, derogations, China's mechanisms)
and transfer impact assessments: the facts the access transfer rule reads."""
