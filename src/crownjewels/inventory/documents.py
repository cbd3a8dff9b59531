"""A secret's documents: secrets as owners of vault documents. The vault (below) stores and
encrypts; this module decides which secrets an actor may attach to or read, with the register's
own rules, and hands the vault the secret's legend and tier."""

from __future__ import annotations

from sqlalchemy import Select
from sqlalchemy.orm import Session

from crownjewels.core.actor import Actor
from crownjewels.core.permissions import Permission
from crownjewels.inventory import repository
from crownjewels.inventory.errors import SecretNotFound
from crownjewels.inventory.models import TradeSecret
from crownjewels.inventory.service import require_write
from crownjewels.vault import service as vault
from crownjewels.vault.schemas import DocumentRead, Owner

OWNER_TYPE = "secret"


class SecretOwners:
    """The vault's owner kind for trade secrets."""

    def resolve(self, session: Session, actor: Actor, ref: str, *, write: bool) -> Owner:
        """A visible secret by id, reference or name; with `write`, one the actor may change."""
        secret = repository.find(session, actor, ref)
        if secret is None:
            raise SecretNotFound(
                f"no trade secret {ref!r}; `crownjewels secrets list` shows the register"
            )
        if write:
            require_write(actor, secret.owner_id)
        return Owner(
            owner_type=OWNER_TYPE,
            owner_id=secret.id,
            label=secret.ref,
            legend=secret.legend,
            tier=secret.tier,
        )

    def may_read(self, actor: Actor) -> bool:
        """A secret's documents are read with documents:read (and sight of the secret)."""
        return actor.can(Permission.DOCUMENTS_READ)

    def visible_ids(self, actor: Actor) -> Select[tuple[str]] | None:
        """The ids of the secrets the actor may see (None: all of them)."""
        if actor.can(Permission.SECRETS_READ_ALL):
            return None
        return repository.visible_to(actor).with_only_columns(TradeSecret.id)


SECRET_OWNERS = SecretOwners()


def attach_document(
    session: Session,
    *,
    actor: Actor,
    vault_: vault.Vault,
    secret_ref: str,
    title: str,
    upload: vault.Upload,
    filename: str | None = None,
) -> DocumentRead:
    """Attach a file to a secret the actor may change; it carries the secret's legend."""
    return vault.add_document(
        session,
        actor=actor,
        vault=vault_,
        owner_type=OWNER_TYPE,
        owner_ref=secret_ref,
        title=title,
        upload=upload,
        filename=filename,
    )


def secret_documents(session: Session, *, actor: Actor, secret_ref: str) -> list[DocumentRead]:
    """The documents of one secret the actor may see."""
    return vault.list_documents(session, actor=actor, owner_type=OWNER_TYPE, owner_ref=secret_ref)
