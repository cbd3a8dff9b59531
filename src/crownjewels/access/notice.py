"""The confidentiality notice a recipient acknowledges before the first access to a secret: its
exact text under a grant, whether the person acknowledged that very text (the rule the policy
engine's `bound:acknowledgement` asks), and recording the acknowledgement, which only a grant in
force allows."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from sqlalchemy.orm import Session

from crownjewels.access.errors import GrantConflict
from crownjewels.access.schemas import GrantRead
from crownjewels.core.actor import Actor
from crownjewels.inventory.schemas import SecretRead
from crownjewels.training import service as training
from crownjewels.training.schemas import AttestationRead

NOTICE_KIND = "secret-notice"

#: the confidentiality notice, fixed; the acknowledged text is this with the blanks filled in
NOTICE = (
    "CONFIDENTIALITY NOTICE - {ref} {name}\n\n"
    "{legend}\n\n"
    "You are being given access to {name} ({ref}), a trade secret of the company, for this "
    "purpose only: {purpose}\n\n"
    "I acknowledge that the information is confidential and a trade secret; that I will use it "
    "only for the purpose above and under the agreement between my organisation and the company; "
    "that I will not copy, forward or disclose it to anyone not authorised by the company; that "
    "every copy I download is registered and marked with my name; and that I will return or "
    "destroy it when the grant ends or when asked."
)


def notice_text(secret: SecretRead, purpose: str) -> str:
    """The exact notice a person acknowledges for access to the secret for this purpose."""
    return NOTICE.format(
        ref=secret.ref, name=secret.name, legend=secret.legend.strip(), purpose=purpose
    )


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def notice_acknowledgement(
    session: Session, *, person_id: str, secret: SecretRead, purposes: Iterable[str]
) -> AttestationRead | None:
    """The person's newest acknowledgement of the exact current notice of the secret for one
    of these purposes (those of the grants that apply), if any. An acknowledgement of another
    text (an older legend, another grant's purpose) does not count."""
    for purpose in dict.fromkeys(purposes):
        found = training.acknowledgement(
            session,
            person_id=person_id,
            kind=NOTICE_KIND,
            secret_id=secret.id,
            text_sha256=_sha256(notice_text(secret, purpose)),
        )
        if found is not None:
            return found
    return None


def acknowledged(
    session: Session, *, person_id: str, secret: SecretRead, purposes: Iterable[str]
) -> bool:
    """Whether the person acknowledged the exact current notice of the secret for one of these
    purposes (`notice_acknowledgement` as yes or no, in one query whatever the purposes)."""
    return training.acknowledged_any(
        session,
        person_id=person_id,
        kind=NOTICE_KIND,
        secret_id=secret.id,
        text_sha256s=[_sha256(notice_text(secret, p)) for p in dict.fromkeys(purposes)],
    )


def acknowledge_notice(
    session: Session, *, actor: Actor, grant: GrantRead, secret: SecretRead, channel: str
) -> AttestationRead:
    """Record the grantee's acknowledgement of the exact notice of a grant in force
    (ATTESTATION_RECORDED); acknowledging again is a no-op. A grant not yet approved, or no
    longer in force, has no notice to acknowledge (GrantConflict)."""
    if not grant.in_force or grant.person_id is None:
        raise GrantConflict(
            f"{grant.ref} is {grant.status}: its notice can be acknowledged once the grant is "
            "approved; ask your contact at the company"
        )
    done = notice_acknowledgement(
        session, person_id=grant.person_id, secret=secret, purposes=[grant.purpose]
    )
    if done is not None:
        return done
    return training.acknowledge(
        session,
        actor=actor,
        person_id=grant.person_id,
        kind=NOTICE_KIND,
        secret_id=secret.id,
        text=notice_text(secret, grant.purpose),
        channel=channel,
    )
