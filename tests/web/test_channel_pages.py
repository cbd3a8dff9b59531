"""The admin's alert channel pages: add a webhook (its signing key shown on that page only),
refused input next to its field, change and pause a channel, test it against a real receiver,
retry a delivery, remove it; other roles are refused."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import select

from crownjewels.core.actor import system_actor
from crownjewels.core.db import Database
from crownjewels.core.permissions import Role
from crownjewels.monitoring.channels import service
from crownjewels.monitoring.channels.schemas import ChannelCreate
from crownjewels.monitoring.models import Channel, Delivery
from crownjewels.settings import Settings
from tests.monitoring.channels.factories import make_alert
from tests.monitoring.channels.receivers import webhook_receiver
from tests.smtp_server import free_port
from tests.web.conftest import csrf_of


def test_only_channel_managers_reach_the_pages(client_for: Callable[..., TestClient]) -> None:
    assert client_for(Role.SECURITY).get("/admin/channels").status_code == 403
    page = client_for(Role.ADMIN).get("/admin/channels")
    assert page.status_code == 200
    assert "No channels yet" in page.text and 'href="/admin/channels"' in page.text


def test_add_change_test_and_remove_a_webhook(
    client_for: Callable[..., TestClient], db: Database
) -> None:
    client = client_for(Role.ADMIN)
    page = client.get("/admin/channels")
    with webhook_receiver() as hook:
        form = {
            "csrf_token": csrf_of(page.text),
            "name": "SOC webhook",
            "kind": "webhook",
            "target": hook.url,
            "format": "slack",
            "min_severity": "high",
        }
        added = client.post("/admin/channels", data=form)
        assert added.status_code == 201
        key = added.text.split('<pre id="signing-key">', 1)[1].split("</pre>", 1)[0]
        hook.key = key
        assert len(key) >= 40
        listing = client.get("/admin/channels")
        assert "SOC webhook" in listing.text and key not in listing.text
        detail = client.get("/admin/channels/SOC webhook")
        assert detail.status_code == 200 and hook.url in detail.text
        tested = client.post(
            "/admin/channels/SOC webhook/test", data={"csrf_token": csrf_of(detail.text)}
        )
        assert "Test of SOC webhook: the test message reached" in tested.text
        assert hook.wait().verified
    renewed = client.post(
        "/admin/channels/SOC webhook/key", data={"csrf_token": csrf_of(detail.text)}
    )
    new_key = renewed.text.split('<pre id="signing-key">', 1)[1].split("</pre>", 1)[0]
    assert len(new_key) >= 40 and new_key != key
    saved = client.post(
        "/admin/channels/SOC webhook",
        data={
            "csrf_token": csrf_of(detail.text),
            "target": hook.url,
            "format": "json",
            "min_severity": "critical",
        },
    )
    assert "The channel SOC webhook is saved." in saved.text
    with db.unit_of_work(write=False) as s:
        row = s.scalars(select(Channel)).one()
        assert (row.format, row.min_severity, row.active) == ("json", "critical", False)
    gone = client.post(
        "/admin/channels/SOC webhook/remove", data={"csrf_token": csrf_of(detail.text)}
    )
    assert "The channel SOC webhook is removed." in gone.text


def test_refused_input_is_shown_by_its_field(client_for: Callable[..., TestClient]) -> None:
    client = client_for(Role.ADMIN)
    page = client.get("/admin/channels")
    form = {"csrf_token": csrf_of(page.text), "name": "SIEM", "kind": "syslog", "target": "x"}
    refused = client.post("/admin/channels", data=form)
    assert refused.status_code == 422
    assert "udp://host:port or tcp://host:port" in refused.text
    assert 'value="SIEM"' in refused.text  # what was typed stays


def test_a_failed_delivery_is_shown_and_retried(
    client_for: Callable[..., TestClient], db: Database
) -> None:
    client = client_for(Role.ADMIN)
    with db.unit_of_work() as s:
        data = ChannelCreate.model_validate(
            {"name": "SIEM", "kind": "syslog", "target": f"tcp://127.0.0.1:{free_port()}"}
        )
        sealer = service.sealer_for(Settings(secret_key="unused-here-0123456789"))
        service.add_channel(s, actor=system_actor("test"), data=data, sealer=sealer)
        alert = make_alert(s, severity="critical")
        service.dispatch(s, alert=alert, new=True)
        row = s.scalars(select(Delivery)).one()
        row.attempts, row.last_error, row.next_attempt_at = 10, "Connection refused", None
        delivery_id = row.id
    page = client.get("/admin/channels/SIEM")
    assert alert.ref in page.text and "Connection refused" in page.text
    done = client.post(
        f"/admin/deliveries/{delivery_id}/retry", data={"csrf_token": csrf_of(page.text)}
    )
    assert f"{alert.ref} will be sent to SIEM again now." in done.text
