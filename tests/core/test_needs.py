"""A refusal for a missing permission in words: every permission has its words, and the
sentence names the roles that hold it (read from the matrix) and what to do."""

from __future__ import annotations

from crownjewels.core.needs import WORDS, holders, missing
from crownjewels.core.permissions import Permission


def test_every_permission_has_its_words() -> None:
    assert set(WORDS) == set(Permission)
    for what, instead in WORDS.values():
        assert what and ":" not in what
        assert instead is None or ":" not in instead


def test_the_sentence_names_the_holders_and_what_to_do() -> None:
    said = missing(["grants:read"])
    assert said is not None
    assert said.headline == "You need the grants:read permission"
    assert said.todo == (
        "Only legal, security, compliance, vendor managers, auditors and admins can see "
        "grants; ask an admin for one of these roles, or open your own secrets' pages."
    )


def test_admins_come_last_and_an_admin_only_permission_names_them_alone() -> None:
    assert holders(Permission.USERS_MANAGE) == ["admins"]
    said = missing(["users:manage"])
    assert said is not None
    assert said.todo == (
        "Only admins can manage logins and roles; ask an admin for one of these roles."
    )


def test_any_of_several_and_unknown_names() -> None:
    said = missing(["grants:manage", "grants:decide"])
    assert said is not None and said.headline == (
        "You need the grants:manage or grants:decide permission"
    )
    assert missing([]) is None
    assert missing(["not-a-permission"]) is None
