"""Keep secrets out of log lines: one-time links carry their token in the URL path, and the
server's access log would write it down; the report channel's reporters leave no address in
it. Filters rewrite such records before any handler formats them."""

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


#: the client's address in an access-log line of an anonymous path
NO_CLIENT = "-"


class HideClientOf(logging.Filter):
    """Writes the access-log lines of anonymous paths (the report channel, whose reporters
    leave no trace) without the client's address: uvicorn's access record carries (client,
    method, path, HTTP version, status) as its arguments; the first becomes "-"."""

    def __init__(self, paths: Iterable[str] = ()) -> None:
        super().__init__()
        self._paths = tuple(paths)

    def anonymous(self, path: str) -> bool:
        """Whether the path (with its query) is one of the anonymous paths or below one."""
        return any(path == p or path.startswith((p + "/", p + "?")) for p in self._paths)

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record in place; never drops it."""
        args = record.args
        access_line = isinstance(args, tuple) and len(args) == 5 and isinstance(args[2], str)
        if access_line and isinstance(args, tuple) and self.anonymous(str(args[2])):
            record.args = (NO_CLIENT, *args[1:])
        return True


def server_log_config(
    base: dict[str, Any], secret_prefixes: Iterable[str], anonymous_paths: Iterable[str] = ()
) -> dict[str, Any]:
    """A copy of the web server's logging config (uvicorn's) whose every handler redacts the
    secret paths and writes the anonymous paths' lines without the client's address."""
    config = copy.deepcopy(base)
    filters = config.setdefault("filters", {})
    filters["redact_secrets"] = {"()": RedactSecretPaths, "prefixes": list(secret_prefixes)}
    filters["hide_clients"] = {"()": HideClientOf, "paths": list(anonymous_paths)}
    for handler in config.get("handlers", {}).values():
        handler["filters"] = [*handler.get("filters", []), "redact_secrets", "hide_clients"]
    return config
