"""What page tests read off the HTML of a page, beyond a substring."""

from __future__ import annotations

import re


def confirmed(html: str, marker: str) -> bool:
    """Whether the element holding `marker` (e.g. 'id="deny-button"') sits inside a confirm
    step: a `<details class="confirm">` that must be opened before it can be pressed."""
    step = re.compile(r'<details class="confirm">(?:(?!</details>).)*?' + re.escape(marker), re.S)
    return step.search(html) is not None
