"""Detection: rules as data, per-person and per-peer baselines, explained findings.

The engine is pure and in memory (`engine.Detector`): it sees `Observation`s and returns
`Finding`s, so the same code scores the database's queue (`monitoring.scoring`), the
benchmarks' million-event stream and any evaluation files (`benchmarks/insiders.py`)."""
