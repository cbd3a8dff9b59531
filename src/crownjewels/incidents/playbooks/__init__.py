"""Incident playbooks as data: YAML per kind of case, six steps of tasks with a role, a due time
after discovery and guidance; shipped ones for every kind, an organisation's folder on top."""
