"""Keep secrets out of log lines: one-time links carry their token in the URL path, and the
server's access log would write it down. A filter rewrites such paths before any handler
formats the record."""

from __future__ import annotations

import copy
import logging
import re
from collections.abc import Iterable
from typing import Any

REDACTED = "[redacted]"


class RedactSecretPaths(logging.Filter):
    """Replaces what follows each secret path prefix (up to `/`, `?`, `#` or a space) with
    [redacted], in the message and in every string argument of a record."""

    def __init__(self, prefixes: Iterable[str] = ()) -> None:
        super().__init__()
        alternatives = "|".join(re.escape(p) for p in prefixes)
        self._pattern = re.compile(f"({alternatives})[^/?#\\s\"']+") if alternatives else None

    def redact(self, text: str) -> str:
        """The text with every secret path segment replaced."""
        return self._pattern.sub(rf"\1{REDACTED}", text) if self._pattern else text

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record in place; never drops it."""
        if self._pattern is None:
            return True
        if isinstance(record.msg, str):
            record.msg = self.redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(self.redact(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {
                k: self.redact(v) if isinstance(v, str) else v for k, v in record.args.items()
            }
        return True


def server_log_config(base: dict[str, Any], secret_prefixes: Iterable[str]) -> dict[str, Any]:
    """A copy of the web server's logging config (uvicorn's) whose every handler redacts the
    secret paths."""
    config = copy.deepcopy(base)
    config.setdefault("filters", {})["redact_secrets"] = {
        "()": RedactSecretPaths,
        "prefixes": list(secret_prefixes),
    }
    for handler in config.get("handlers", {}).values():
        handler["filters"] = [*handler.get("filters", []), "redact_secrets"]
    return config
