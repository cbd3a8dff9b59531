"""What every seeding step shares: the session, the seeding actor, the company's name, the
demo data of company.yaml, and what earlier steps made (organisation ids, the logins' actors)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from crownjewels.core.actor import Actor
from crownjewels.core.permissions import Role
from crownjewels.demo import dataset
from crownjewels.settings import Settings
from crownjewels.vault import service as vault_service


@dataclass
class Seeding:
    """One seeding run; `orgs` (key -> id) and `users` (role -> actor) fill in as it goes."""

    session: Session
    actor: Actor
    company_name: str
    secret_key: str
    password: str
    vault: Callable[[], vault_service.Vault] | None = None
    #: the installation's settings (leak scans read their limits and the watermark key)
    settings: Settings | None = None
    company: dataset.Company = field(default_factory=dataset.company)
    orgs: dict[str, str] = field(default_factory=dict)
    users: dict[Role, Actor] = field(default_factory=dict)

    def email(self, organisation: str, local: str) -> str:
        """A demo person's email from the organisation key and the local part."""
        return self.company.email(organisation, local)
