"""Fingerprinting right after an upload commits: the commit hook the app and the worker
install on their Database (the versions a unit of work queued are indexed in units of work of
their own; whatever fails is left queued for the worker's job)."""

from __future__ import annotations

import logging
from typing import Any

from crownjewels.core.actor import system_actor
from crownjewels.core.db import Database
from crownjewels.leaks.index import service
from crownjewels.settings import Settings
from crownjewels.vault import service as vault_service

log = logging.getLogger(__name__)

#: who the custody log names for fingerprinting done by the installation
ACTOR_NAME = "leaks"


class _PromptIndex:
    """The commit hook: index what the committed unit of work queued."""

    def __init__(self, db: Database, settings: Settings) -> None:
        self.db, self.settings = db, settings

    def __call__(self, info: dict[str, Any]) -> None:
        versions = service.queued(info)
        if not versions:
            return
        vault = vault_service.open_vault(self.settings)
        actor = system_actor(ACTOR_NAME)
        for document_id, number in versions:
            try:
                with self.db.unit_of_work() as session:
                    service.index_version(
                        session,
                        actor=actor,
                        vault=vault,
                        document_id=document_id,
                        version_number=number,
                    )
            except Exception:  # left queued: the worker's job tries again
                log.exception("fingerprinting %s v%d failed", document_id, number)


def install(db: Database, settings: Settings) -> None:
    """Fingerprint queued versions right after each commit on `db`; twice changes nothing."""
    if not any(isinstance(h, _PromptIndex) for h in db.on_commit):
        db.on_commit.append(_PromptIndex(db, settings))
