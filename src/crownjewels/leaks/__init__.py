"""Leak detection: fingerprints of every secret's documents and code, scans of files, folders,
archives, repositories, buckets, text and URLs, traitor tracing through watermarks, canary
tokens that call home, and watchlists of the market (docs/leaks.md)."""
