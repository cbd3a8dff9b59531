"""`crownjewels leaks watchlist|feeds|reviews`: a watchlist set, a feed added and fetched from
a real feed server, the queue listed and marked with --json, failures as one plain line."""

from __future__ import annotations

from pathlib import Path

from tests.cli_helpers import Cli, assert_user_error
from tests.leaks.watchlists.feed_server import feed_server, rss
from tests.leaks.watchlists.test_service import CELL, RELEVANT, UNRELATED


def test_watch_fetch_and_review(tmp_path: Path) -> None:
    cli = Cli(tmp_path / "home")
    cli.ok("init")
    cli.ok("orgs", "add", "Northwind", "--kind", "own", "--country", "US")
    cli.ok(
        "people", "add", "Dana Whitfield", "--email", "dana@example.com", "--org", "Northwind",
        "--country", "US",
    )  # fmt: skip
    cli.ok(
        "secrets", "add", "Cell culture", "--description", CELL, "--category", "process",
        "--tier", "sensitive", "--owner", "dana@example.com",
    )  # fmt: skip
    ref = "TS-0001"
    shown = cli.ok(
        "leaks", "watchlist", "set", ref, "--term", "perfusion culture", "--competitor",
        "Biogenix", "--json",
    ).json()  # fmt: skip
    assert shown["terms"] == ["perfusion culture"] and shown["threshold"] == 0.25
    assert ref in cli.ok("leaks", "watchlist", "show").out
    local = {"CROWNJEWELS_LEAKS_FETCH_PRIVATE_ADDRESSES": "true"}  # the server is on 127.0.0.1
    with feed_server() as server:
        server.documents["/rss"] = (rss([RELEVANT, UNRELATED]), '"v1"')
        assert (
            "added WF-0001 News"
            in cli.ok("leaks", "feeds", "add", server.url("/rss"), "--name", "News").out
        )
        refused = cli("leaks", "feeds", "fetch", "WF-0001")
        assert refused.code == 1 and "CROWNJEWELS_LEAKS_FETCH_PRIVATE_ADDRESSES" in refused.out
        fetched = cli.ok("leaks", "feeds", "fetch", "WF-0001", **local).out
        assert "WF-0001 News: 2 items" in fetched and "queued WR-0001" in fetched
        assert "not modified" in cli.ok("leaks", "feeds", "fetch", "WF-0001", **local).out
        cli.ok("leaks", "feeds", "add", server.url("/missing"), "--name", "Gone")
        failed = cli("leaks", "feeds", "fetch", "WF-0002", **local)
        assert failed.code == 1 and "failed: the feed answered 404 (not found)" in failed.out
    listed = cli.ok("leaks", "feeds", "list", "--json").json()
    assert [(f["ref"], f["status"]) for f in listed] == [("WF-0001", "ok"), ("WF-0002", "failed")]
    queue = cli.ok("leaks", "reviews", "list", "--json").json()
    assert [q["ref"] for q in queue] == ["WR-0001"] and queue[0]["secret_ref"] == ref
    marked = cli.ok(
        "leaks", "reviews", "mark", "WR-0001", "--relevant", "--note", "ours", "--investigate"
    ).out
    assert marked.startswith("WR-0001 marked relevant: investigation IN-0001 opened")
    assert_user_error(
        cli("leaks", "reviews", "mark", "WR-0001", "--not-relevant", "--note", "x"),
        "was marked relevant already",
    )
    assert_user_error(cli("leaks", "reviews", "list", "--status", "maybe"), "no review status")
    assert "removed the feed WF-0002" in cli.ok("leaks", "feeds", "remove", "WF-0002").out
