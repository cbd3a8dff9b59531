"""Organisations, people, users, roles and API tokens."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, func, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crownjewels.core.models import Base, IdMixin, TimestampMixin


class Organisation(IdMixin, TimestampMixin, Base):
    """A company: our own, a vendor, a partner or a subsidiary."""

    __tablename__ = "organisation"

    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    country: Mapped[str] = mapped_column(String(2))
    status: Mapped[str] = mapped_column(String(20), default="active")
    website: Mapped[str | None] = mapped_column(String(300))
    notes: Mapped[str | None] = mapped_column(String(4000))


class Person(IdMixin, TimestampMixin, Base):
    """An employee, contractor or vendor staff member."""

    __tablename__ = "person"

    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisation.id"), index=True)
    full_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    country: Mapped[str] = mapped_column(String(2))
    title: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default="active", index=True)
    #: the day notice of departure was given (HR); `departing_on` is the last day
    notice_on: Mapped[date | None]
    departing_on: Mapped[date | None]
    departed_on: Mapped[date | None]
    #: an IANA zone (Asia/Kolkata) for judging working hours; None: the country's main zone
    timezone: Mapped[str | None] = mapped_column(String(64))

    organisation: Mapped[Organisation] = relationship(lazy="raise")

    __table_args__ = (
        # a person named by email is looked up case-insensitively (`parties.service._person`)
        Index("ix_person_email_lower", func.lower(text("email"))),
    )


class User(IdMixin, TimestampMixin, Base):
    """A person who can log in: password (argon2), TOTP secret (encrypted), lockout state."""

    __tablename__ = "app_user"

    person_id: Mapped[str] = mapped_column(ForeignKey("person.id"), unique=True)
    username: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)
    mfa_secret: Mapped[str | None] = mapped_column(String(400))
    mfa_enrolled_at: Mapped[datetime | None]
    mfa_last_step: Mapped[int | None]
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    last_login_at: Mapped[datetime | None]

    person: Mapped[Person] = relationship(lazy="raise")
    roles: Mapped[list[UserRole]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by="UserRole.role"
    )


class UserRole(Base):
    """One role held by one user."""

    __tablename__ = "user_role"
    __table_args__ = (UniqueConstraint("user_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(30))


class ApiToken(IdMixin, Base):
    """An API token: only its SHA-256 is stored; scopes `read` or `read`+`write`; an expiry."""

    __tablename__ = "api_token"

    user_id: Mapped[str] = mapped_column(ForeignKey("app_user.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scopes: Mapped[list[str]]
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]


class LoginSession(IdMixin, Base):
    """A web login: only the SHA-256 of its session id is stored; revoked or expired, refused."""

    __tablename__ = "login_session"

    user_id: Mapped[str] = mapped_column(ForeignKey("app_user.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    mfa: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    #: why it ended: logout, password, roles, departure, sign-out-everywhere
    revoked_reason: Mapped[str | None] = mapped_column(String(40))


class LoginAttempt(Base):
    """Failed logins of a username that has no login, keyed by its keyed hash (never the name),
    so that unknown names lock out exactly as real accounts do."""

    __tablename__ = "login_attempt"

    name_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    updated_at: Mapped[datetime]
