"""The pure parts of channels: the webhook signature (what a receiver checks, replays and
tampering refused), CEF escaping (any text survives a round trip through a CEF reader), the
RFC 5424 header and RFC 6587 framing, and targets checked in words."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crownjewels.core.errors import Invalid
from crownjewels.monitoring.channels import formats
from crownjewels.monitoring.channels.schemas import ChannelKind
from crownjewels.monitoring.schemas import Severity

MOMENT = datetime(2026, 12, 1, 20, 54, tzinfo=UTC)


def _alert(**kw: object) -> formats.AlertMessage:
    fields: dict[str, object] = {
        "ref": "AL-0007",
        "title": "Bulk download",
        "severity": Severity.HIGH,
        "status": "open",
        "rule": "bulk-download",
        "explanation": "Rohan Gupta downloaded 48 documents of TS-0003",
        "actor": "rohan@acme.example",
        "person": "Rohan Gupta",
        "organisation": "Acme Foods",
        "secrets": ["TS-0003"],
        "hits": 2,
        "first_event_at": MOMENT,
        "last_event_at": MOMENT,
        "url": "https://cj.example.com/alerts/AL-0007",
    }
    fields.update(kw)
    return formats.AlertMessage(**fields)  # type: ignore[arg-type]


def test_the_signature_covers_the_timestamp_and_the_body() -> None:
    body = formats.json_payload(_alert())
    sig = formats.signature("k3y", 1_800_000_000, body)
    assert re.fullmatch(r"sha256=[0-9a-f]{64}", sig)
    ok = {"timestamp": "1800000000", "body": body, "given": sig, "now": 1_800_000_100.0}
    assert formats.verify("k3y", **ok)  # type: ignore[arg-type]
    assert not formats.verify("other", **ok)  # type: ignore[arg-type]
    assert not formats.verify("k3y", **{**ok, "body": body + b" "})  # type: ignore[arg-type]
    # a replay with a fresh timestamp does not match the signature of the old one
    assert not formats.verify("k3y", **{**ok, "timestamp": "1800000090"})  # type: ignore[arg-type]
    # an old request, even correctly signed, is refused outside the window
    late = {**ok, "now": 1_800_000_000.0 + formats.REPLAY_WINDOW_SECONDS + 1}
    assert not formats.verify("k3y", **late)  # type: ignore[arg-type]


def _cef_extension(line: str) -> dict[str, str]:
    """A CEF reader's view of the extension: after the seventh unescaped `|`, keys are the
    words before unescaped `=`; values run to the space before the next key, unescaped."""
    chars: list[tuple[str, bool]] = []  # (character, was escaped)
    i = 0
    while i < len(line):
        if line[i] == "\\" and i + 1 < len(line):
            chars.append(({"n": "\n", "r": "\r"}.get(line[i + 1], line[i + 1]), True))
            i += 2
        else:
            chars.append((line[i], False))
            i += 1
    bars = [n for n, (c, esc) in enumerate(chars) if c == "|" and not esc]
    ext = chars[bars[6] + 1 :]
    equals = [n for n, (c, esc) in enumerate(ext) if c == "=" and not esc]
    starts = []
    for n in equals:
        k = n
        while k > 0 and ext[k - 1][0].isalnum() and not ext[k - 1][1]:
            k -= 1
        starts.append(k)
    out = {}
    for m, n in enumerate(equals):
        end = starts[m + 1] - 1 if m + 1 < len(equals) else len(ext)
        key = "".join(c for c, _ in ext[starts[m] : n])
        out[key] = "".join(c for c, _ in ext[n + 1 : end])
    return out


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1))
def test_any_explanation_survives_cef_escaping(text: str) -> None:
    line = formats.cef_line(_alert(explanation=text, title=text), version="0.1.0")
    assert "\n" not in line and "\r" not in line
    got = _cef_extension(line)["msg"]
    assert got == text


def test_the_cef_header_escapes_bars_and_backslashes() -> None:
    line = formats.cef_line(_alert(title="a|b\\c"), version="0.1.0")
    assert line.startswith("CEF:0|Crown Jewels|crownjewels|0.1.0|bulk-download|a\\|b\\\\c|8|")


def test_the_syslog_header_and_tcp_framing() -> None:
    message = formats.syslog_message(
        _alert(severity=Severity.LOW), hostname="cj host", version="0.1.0", at=MOMENT
    )
    assert message.startswith(
        b"<109>1 2026-12-01T20:54:00.000Z cjhost crownjewels - alert - CEF:0|"
    )
    framed = formats.octet_counted(message)
    length, rest = framed.split(b" ", 1)
    assert int(length) == len(rest) and rest == message


def test_the_mail_names_people_and_refs() -> None:
    body = formats.mail_body(_alert(secret_names=["Brine recipe"]), greeting="Dana Whitfield")
    assert body.startswith("Hello Dana Whitfield,\n")
    assert "Secrets: TS-0003 Brine recipe" in body and "Who: Rohan Gupta, Acme Foods" in body
    assert formats.mail_subject(_alert(event="test")) == "[test] [high] AL-0007 Bulk download"


@pytest.mark.parametrize(
    ("kind", "target", "stored"),
    [
        (
            ChannelKind.EMAIL,
            "A@Example.com;b@example.com, a@example.com",
            "A@example.com, b@example.com",
        ),
        (
            ChannelKind.WEBHOOK,
            "https://soc.example.com:8443/h?x=1",
            "https://soc.example.com:8443/h?x=1",
        ),
        (ChannelKind.SYSLOG, "tcp://[::1]:6514", "tcp://[::1]:6514"),
    ],
)
def test_targets_are_kept_in_their_stored_form(kind: ChannelKind, target: str, stored: str) -> None:
    assert formats.check_target(kind, target, owners=False) == stored


def test_a_port_out_of_range_is_named() -> None:
    with pytest.raises(Invalid, match="names no port"):
        formats.parse_syslog("udp://siem.example.com:70000")
    with pytest.raises(Invalid, match="outside 1-65535"):
        formats.check_webhook("https://soc.example.com:70000/")
