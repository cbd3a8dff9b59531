"""Deadline clocks of an incident: which notification duties and limitation periods apply to a
case's facts, each computed as a dated deadline from a cited, reviewed data file."""
