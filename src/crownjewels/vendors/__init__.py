"""Vendors: profiles, certifications, due-diligence questionnaires and assessments with explained
risk, and the jurisdiction profiles of the countries where vendors work."""
