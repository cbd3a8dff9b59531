"""Triage of monitoring's alerts: the queue, an alert's evidence and the person's activity
against their baseline, and the verbs a security analyst acts with (each a custody event)."""
