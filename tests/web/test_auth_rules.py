"""Fast table tests of the login page's small rules: where `next` may lead, the per-IP throttle."""

from __future__ import annotations

import pytest

from crownjewels.core.throttle import FailureThrottle
from crownjewels.web.auth import safe_next


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("/secrets/TS-0001", "/secrets/TS-0001"),
        ("/custody?subject=secret:01J", "/custody?subject=secret:01J"),
        (None, "/"),
        ("", "/"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("/\t/evil.example", "/"),
        ("/\n/evil.example", "/"),
        ("secrets", "/"),
        ("javascript:alert(1)", "/"),
    ],
)
def test_next_leads_only_to_local_paths(value: str | None, expected: str) -> None:
    assert safe_next(value) == expected


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_throttle_blocks_after_the_limit_and_forgets_after_the_window() -> None:
    fake = FakeClock()
    throttle = FailureThrottle(limit=3, window_seconds=60, clock=fake)
    for _ in range(3):
        assert not throttle.blocked("10.0.0.1")
        throttle.fail("10.0.0.1")
    assert throttle.blocked("10.0.0.1")
    assert not throttle.blocked("10.0.0.2")  # per address
    fake.now += 59
    assert throttle.blocked("10.0.0.1")
    fake.now += 1
    assert not throttle.blocked("10.0.0.1")


def test_throttle_memory_is_bounded() -> None:
    fake = FakeClock()
    throttle = FailureThrottle(limit=1, window_seconds=60, max_keys=2, clock=fake)
    for n, key in enumerate(("a", "b", "c")):
        fake.now += n
        throttle.fail(key)
    assert not throttle.blocked("a")  # the oldest was forgotten to make room
    assert throttle.blocked("b")
    assert throttle.blocked("c")
