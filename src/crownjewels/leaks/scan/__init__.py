"""Scans: targets read into files (sources.py), each file compared with the fingerprint index,
its matches stored as evidence and reported."""
