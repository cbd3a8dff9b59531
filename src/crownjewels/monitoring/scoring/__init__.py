"""Scoring: the queue of stored events to the detector, and its findings to grouped alerts,
in one transaction per batch; the continuous scorer that keeps the queue empty."""
