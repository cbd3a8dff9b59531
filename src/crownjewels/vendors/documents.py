"""A vendor's documents: vendor profiles as owners of vault documents (certificates now, signed
agreements and due-diligence evidence later). The vault stores and encrypts; this module decides
which profiles an actor may attach to or read, with the vendors capability's own permissions."""

from __future__ import annotations

from sqlalchemy import Select
from sqlalchemy.orm import Session

from crownjewels.core.actor import Actor
from crownjewels.core.permissions import Permission
from crownjewels.vault.schemas import Owner
from crownjewels.vendors import repository
from crownjewels.vendors.errors import VendorNotFound
from crownjewels.vendors.models import VendorProfile

OWNER_TYPE = "vendor"
LEGEND = "CONFIDENTIAL - vendor file {ref}: for vendor management, legal and audit only."


class VendorOwners:
    """The vault's owner kind for vendor profiles."""

    def resolve(self, session: Session, actor: Actor, ref: str, *, write: bool) -> Owner:
        """A visible profile by ref or id; with `write`, one the actor may change."""
        vendor = repository.find(session, actor, ref)
        if vendor is None:
            raise VendorNotFound(f"no vendor {ref!r}; `crownjewels vendors list` shows them")
        if write:
            actor.require(Permission.VENDORS_WRITE, what="changing a vendor's documents")
        return Owner(
            owner_type=OWNER_TYPE,
            owner_id=vendor.id,
            label=vendor.ref,
            legend=LEGEND.format(ref=vendor.ref),
        )

    def may_read(self, actor: Actor) -> bool:
        """A vendor file's certificates: whoever reads documents, and the vendor managers who
        keep the file (they do not read secrets' documents)."""
        return actor.can(Permission.VENDORS_READ) and (
            actor.can(Permission.DOCUMENTS_READ) or actor.can(Permission.VENDORS_WRITE)
        )

    def visible_ids(self, actor: Actor) -> Select[tuple[str]] | None:
        """The ids of the profiles the actor may see (None: all of them)."""
        if actor.can(Permission.VENDORS_READ):
            return None
        return repository.visible_to(actor).with_only_columns(VendorProfile.id)


VENDOR_OWNERS = VendorOwners()
