"""Incidents: cases from first report to closure (playbooks, containment, evidence, deadlines,
letters, review) and the anonymous report channel."""
