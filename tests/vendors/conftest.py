"""Vendor tests: profiles are vault owners (registry.py wires the owner kind)."""

from __future__ import annotations

import crownjewels.registry  # noqa: F401  (registers the vault owner kinds)
