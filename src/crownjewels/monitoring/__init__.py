"""Monitoring: activity from the custody log and from the systems where secrets live,
detection rules and baselines, explained alerts, channels, triage, departure watch and log
reviews (docs/monitoring.md)."""
