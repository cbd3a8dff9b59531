"""An app over the test database and one API token per role."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient

from crownjewels.app import create_app
from crownjewels.core.actor import system_actor
from crownjewels.core.db import Database
from crownjewels.core.permissions import Role
from crownjewels.parties import tokens as api_tokens
from crownjewels.parties.schemas import PersonRead, TokenCreate
from crownjewels.settings import Settings
from tests.parties.factories import make_person, make_user


def make_app(db: Database, home: Path) -> FastAPI:
    settings = Settings(
        home=home, secret_key="test-secret-key-0123456789", company_name="Acme Foods"
    )
    return create_app(settings, db=db, check_schema=False)


@dataclass
class RoleClients:
    """A client per role, each with a read+write token, plus each role's person."""

    app: FastAPI
    tokens: dict[Role, str]
    people: dict[Role, PersonRead]

    def headers(self, role: Role) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}

    def client(self) -> TestClient:
        return TestClient(self.app, raise_server_exceptions=True)


def role_clients(db: Database, home: Path) -> RoleClients:
    tokens: dict[Role, str] = {}
    people: dict[Role, PersonRead] = {}
    with db.unit_of_work() as session:
        admin = system_actor("test")
        for role in Role:
            person = make_person(session, admin, name=f"{role.value} user")
            user = make_user(session, admin, role, person=person)
            # issued by an admin: vendor users may not create tokens themselves
            issued = api_tokens.create_token(
                session,
                actor=admin,
                user_id=user.id,
                data=TokenCreate(name="test", scopes=["read", "write"]),
            )
            tokens[role] = issued.token
            people[role] = person
    return RoleClients(app=make_app(db, home), tokens=tokens, people=people)
