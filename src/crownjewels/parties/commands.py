"""CLI sub-commands of parties: `users`, `tokens`, `orgs` and `people`."""

from __future__ import annotations

from pathlib import Path

import typer
from sqlalchemy.orm import Session

from crownjewels.core.actor import Actor
from crownjewels.core.cli import (
    JsonOpt,
    emit_import,
    emit_json,
    emit_record,
    emit_table,
    read_import_file,
    state,
)
from crownjewels.core.errors import Invalid
from crownjewels.core.pagination import Page, PageParams
from crownjewels.core.permissions import Permission, Role, parse_role
from crownjewels.parties import accounts, imports, service
from crownjewels.parties import tokens as api_tokens
from crownjewels.parties.errors import UserNotFound
from crownjewels.parties.schemas import (
    Departure,
    OrganisationCreate,
    OrganisationFilter,
    OrgKind,
    OrgStatus,
    PersonCreate,
    PersonFilter,
    PersonKind,
    PersonStatus,
    TokenCreate,
    UserCreate,
)

users = typer.Typer(
    no_args_is_help=True, help="Logins: create, list, change roles or password, sign out."
)
tokens = typer.Typer(no_args_is_help=True, help="API tokens: create, list, revoke.")
orgs = typer.Typer(no_args_is_help=True, help="Organisations: us, vendors, partners.")
people = typer.Typer(no_args_is_help=True, help="People: employees, contractors, vendor staff.")

_ROLES = ", ".join(r.value for r in Role)
_ORG_KINDS = ", ".join(k.value for k in OrgKind)
_ORG_STATUSES = ", ".join(s.value for s in OrgStatus)
_PERSON_KINDS = ", ".join(k.value for k in PersonKind)
_PERSON_STATUSES = ", ".join(s.value for s in PersonStatus)

LimitOpt = typer.Option(50, "--limit", help="At most this many rows (1-500).")
OffsetOpt = typer.Option(0, "--offset", help="Skip this many rows first.")


def _more(shown: int, total: int, offset: int) -> None:
    """Tell the reader when the table shows only part of the listing."""
    if total > offset + shown:
        typer.echo(f"({offset + 1}-{offset + shown} of {total}; see more with --offset)", err=True)


# --- users -----------------------------------------------------------------------------------


def _roles(values: list[str]) -> list[Role]:
    if not values:
        raise Invalid(f"give the login at least one --role: {_ROLES}", field="roles")
    try:
        return [parse_role(v) for v in values]
    except ValueError as exc:
        raise Invalid(str(exc), field="roles") from None


@users.command("create")
def users_create(
    ctx: typer.Context,
    email: str = typer.Argument(
        ..., help="The person's email (add them first with `crownjewels people add`)."
    ),
    role: list[str] = typer.Option([], "--role", "-r", help=f"A role (repeatable): {_ROLES}."),
    password: str | None = typer.Option(
        None,
        "--password",
        envvar="CROWNJEWELS_NEW_PASSWORD",
        help="The password (12+ characters); asked twice when omitted.",
    ),
) -> None:
    """Give an existing person a login with roles; their email is the username."""
    roles = _roles(role)
    if password is None:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    data = UserCreate(person_id=email, password=password, roles=roles)
    with state(ctx).unit_of_work() as (session, actor):
        user = accounts.create_user(session, actor=actor, data=data)
    note = " (TOTP enrolment at the first web login)" if user.mfa_required else ""
    typer.echo(
        f"created login {user.username} for {user.full_name}: "
        f"{', '.join(r.value for r in user.roles)}{note}"
    )


@users.command("list")
def users_list(ctx: typer.Context, as_json: bool = JsonOpt) -> None:
    """Every login with its roles."""
    with state(ctx).unit_of_work(write=False) as (session, actor):
        rows = accounts.list_users(session, actor=actor)
    if as_json:
        emit_json(rows)
        return
    emit_table(
        rows,
        ["username", "full_name", "roles", "active", "mfa_enrolled", "last_login_at"],
        empty="no logins yet; create one with `crownjewels users create EMAIL --role admin`",
    )


@users.command("sign-out")
def users_sign_out(
    ctx: typer.Context,
    email: str = typer.Argument(..., help="The login's email."),
) -> None:
    """End every live web session of a login ("sign out everywhere")."""
    with state(ctx).unit_of_work() as (session, actor):
        out = accounts.sign_out_everywhere(session, actor=actor, user_ref=email)
    typer.echo(f"signed {out.username} out everywhere: {out.sessions_ended} session(s) ended")


@users.command("roles")
def users_roles(
    ctx: typer.Context,
    email: str = typer.Argument(..., help="The login's email."),
    role: list[str] = typer.Option([], "--role", "-r", help=f"A role (repeatable): {_ROLES}."),
) -> None:
    """Replace a login's roles; its web sessions end, so the new roles apply at once."""
    roles = _roles(role)
    with state(ctx).unit_of_work() as (session, actor):
        user = accounts.set_roles(session, actor=actor, user_ref=email, roles=roles)
    typer.echo(f"{user.username} now holds: {', '.join(r.value for r in user.roles)}")


@users.command("password")
def users_password(
    ctx: typer.Context,
    email: str = typer.Argument(..., help="The login's email."),
    password: str | None = typer.Option(
        None,
        "--password",
        envvar="CROWNJEWELS_NEW_PASSWORD",
        help="The new password (12+ characters); asked twice when omitted.",
    ),
) -> None:
    """Set a new password for a login; its web sessions end."""
    if password is None:
        password = typer.prompt("New password", hide_input=True, confirmation_prompt=True)
    with state(ctx).unit_of_work() as (session, actor):
        user = accounts.change_password(session, actor=actor, user_ref=email, password=password)
    typer.echo(f"new password set for {user.username}; their web sessions ended")


# --- tokens ----------------------------------------------------------------------------------


def _user_id(session: Session, actor: Actor, email: str) -> str:
    """The id of the login of the person with this email (or id)."""
    person_id = service.resolve_person_id(session, actor=actor, person_ref=email)
    user_id = accounts.user_for_person(session, person_id=person_id)
    if user_id is None:
        raise UserNotFound(f"{email} has no login; create one with `crownjewels users create`")
    return user_id


def _operator_needs_user(actor: Actor, user: str | None) -> None:
    if user is None and actor.kind != "user":
        raise Invalid(
            "the local operator has no login of its own; name the token's owner with "
            "--user EMAIL (or act as a user with `crownjewels --as EMAIL ...`)",
            field="user",
        )


@tokens.command("create")
def tokens_create(
    ctx: typer.Context,
    name: str = typer.Option(..., "--name", help="What the token is for, e.g. 'ci-export'."),
    scope: str = typer.Option(
        "read",
        "--scope",
        help="read, write (which includes read), or ingest (sending monitoring activity only).",
    ),
    days: int | None = typer.Option(None, "--days", help="Days until it expires (1-366)."),
    user: str | None = typer.Option(
        None, "--user", help="Create it for this user (email); needs users:manage."
    ),
    as_json: bool = JsonOpt,
) -> None:
    """Create an API token; it is printed once and never shown again."""
    st = state(ctx)
    data = TokenCreate(name=name, scopes=[scope], days=days or st.settings.token_default_days)
    with st.unit_of_work() as (session, actor):
        _operator_needs_user(actor, user)
        owner = _user_id(session, actor, user) if user else None
        issued = api_tokens.create_token(session, actor=actor, data=data, user_id=owner)
    if as_json:
        emit_json(issued)
        return
    typer.echo(issued.token)
    typer.echo(
        f"token {issued.id} ({issued.name}, scopes {'+'.join(issued.scopes)}, expires "
        f"{issued.expires_at:%Y-%m-%d}): store it now, it is shown only once",
        err=True,
    )


@tokens.command("list")
def tokens_list(
    ctx: typer.Context,
    user: str | None = typer.Option(
        None, "--user", help="List this user's tokens (email); needs users:manage."
    ),
    as_json: bool = JsonOpt,
) -> None:
    """Your API tokens (or, for an admin, another user's), newest first."""
    with state(ctx).unit_of_work(write=False) as (session, actor):
        if user is not None:
            actor.require(Permission.USERS_MANAGE)
            owner = accounts.actor_for_user(
                session, user_id=_user_id(session, actor, user), mfa=True
            )
        else:
            _operator_needs_user(actor, user)
            owner = actor
        rows = api_tokens.list_tokens(session, actor=owner)
    if as_json:
        emit_json(rows)
        return
    emit_table(
        rows,
        ["id", "name", "prefix", "scopes", "expires_at", "revoked_at", "last_used_at"],
        empty="no tokens; create one with `crownjewels tokens create --name NAME`",
    )


@tokens.command("revoke")
def tokens_revoke(
    ctx: typer.Context, token_id: str = typer.Argument(..., help="The token's id.")
) -> None:
    """Revoke a token (your own; an admin's any): it stops working at once."""
    with state(ctx).unit_of_work() as (session, actor):
        token = api_tokens.revoke_token(session, actor=actor, token_id=token_id)
    typer.echo(f"revoked token {token.id} ({token.name})")


# --- organisations ---------------------------------------------------------------------------


@orgs.command("add")
def orgs_add(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="The organisation's name (unique)."),
    kind: str = typer.Option(..., "--kind", help=f"One of: {_ORG_KINDS}."),
    country: str = typer.Option(..., "--country", help="ISO country code, e.g. US, IN, PL."),
    status: str = typer.Option("active", "--status", help=f"One of: {_ORG_STATUSES}."),
    website: str | None = typer.Option(None, "--website", help="Its website."),
    notes: str | None = typer.Option(None, "--notes", help="Free-text notes."),
) -> None:
    """Record an organisation."""
    data = OrganisationCreate.model_validate(
        {
            "name": name,
            "kind": kind,
            "country": country,
            "status": status,
            "website": website,
            "notes": notes,
        }
    )
    with state(ctx).unit_of_work() as (session, actor):
        org = service.create_organisation(session, actor=actor, data=data)
    typer.echo(f"added {org.kind} {org.name} ({org.country}), id {org.id}")


@orgs.command("list")
def orgs_list(
    ctx: typer.Context,
    kind: str | None = typer.Option(None, "--kind", help=f"One of: {_ORG_KINDS}."),
    status: str | None = typer.Option(None, "--status", help=f"One of: {_ORG_STATUSES}."),
    country: str | None = typer.Option(None, "--country", help="ISO country code."),
    q: str | None = typer.Option(None, "--q", help="Text in the name."),
    limit: int = LimitOpt,
    offset: int = OffsetOpt,
    as_json: bool = JsonOpt,
) -> None:
    """Organisations, by name."""
    flt = OrganisationFilter.model_validate(
        {"kind": kind, "status": status, "country": country, "q": q}
    )
    page = PageParams(limit=limit, offset=offset)
    with state(ctx).unit_of_work(write=False) as (session, actor):
        rows, total = service.list_organisations(session, actor=actor, filters=flt, page=page)
    if as_json:
        emit_json(Page(items=rows, total=total, limit=page.limit, offset=page.offset))
        return
    emit_table(rows, ["id", "name", "kind", "country", "status", "website"])
    _more(len(rows), total, offset)


@orgs.command("show")
def orgs_show(
    ctx: typer.Context,
    ref: str = typer.Argument(..., help="The organisation's id or name."),
    as_json: bool = JsonOpt,
) -> None:
    """One organisation."""
    with state(ctx).unit_of_work(write=False) as (session, actor):
        org = service.get_organisation(session, actor=actor, org_ref=ref)
    if as_json:
        emit_json(org)
    else:
        emit_record(org)


# --- people ----------------------------------------------------------------------------------


@people.command("add")
def people_add(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="Full name."),
    email: str = typer.Option(..., "--email", help="Email (unique; the username of a login)."),
    org: str = typer.Option(..., "--org", help="Their organisation's id or name."),
    country: str = typer.Option(..., "--country", help="ISO code of the country they work in."),
    kind: str = typer.Option("employee", "--kind", help=f"One of: {_PERSON_KINDS}."),
    title: str | None = typer.Option(None, "--title", help="Job title."),
) -> None:
    """Record a person in an existing organisation."""
    data = PersonCreate.model_validate(
        {
            "full_name": name,
            "email": email,
            "organisation_id": org,
            "country": country,
            "kind": kind,
            "title": title,
        }
    )
    with state(ctx).unit_of_work() as (session, actor):
        person = service.create_person(session, actor=actor, data=data)
    typer.echo(
        f"added {person.full_name} <{person.email}> at {person.organisation_name}, id {person.id}"
    )


@people.command("list")
def people_list(
    ctx: typer.Context,
    org: str | None = typer.Option(None, "--org", help="Organisation id or name."),
    status: str | None = typer.Option(None, "--status", help=f"One of: {_PERSON_STATUSES}."),
    kind: str | None = typer.Option(None, "--kind", help=f"One of: {_PERSON_KINDS}."),
    q: str | None = typer.Option(None, "--q", help="Text in the name or email."),
    limit: int = LimitOpt,
    offset: int = OffsetOpt,
    as_json: bool = JsonOpt,
) -> None:
    """People, by name."""
    flt = PersonFilter.model_validate({"status": status, "kind": kind, "q": q})
    page = PageParams(limit=limit, offset=offset)
    with state(ctx).unit_of_work(write=False) as (session, actor):
        if org is not None:
            flt.organisation_id = service.get_organisation(session, actor=actor, org_ref=org).id
        rows, total = service.list_people(session, actor=actor, filters=flt, page=page)
    if as_json:
        emit_json(Page(items=rows, total=total, limit=page.limit, offset=page.offset))
        return
    emit_table(rows, ["id", "full_name", "email", "organisation_name", "kind", "country", "status"])
    _more(len(rows), total, offset)


@people.command("show")
def people_show(
    ctx: typer.Context,
    ref: str = typer.Argument(..., help="The person's id or email."),
    as_json: bool = JsonOpt,
) -> None:
    """One person."""
    with state(ctx).unit_of_work(write=False) as (session, actor):
        person = service.get_person(session, actor=actor, person_ref=ref)
    if as_json:
        emit_json(person)
    else:
        emit_record(person)


@people.command("depart")
def people_depart(
    ctx: typer.Context,
    ref: str = typer.Argument(..., help="The person's id or email."),
    on: str | None = typer.Option(
        None, "--on", help="Date YYYY-MM-DD (default today); a future date marks them departing."
    ),
    notice: str | None = typer.Option(
        None, "--notice", help="The day they gave notice (YYYY-MM-DD): opens a departure watch."
    ),
) -> None:
    """Mark a person departing (a future date) or departed (today or earlier)."""
    departure = Departure.model_validate({"on": on, "notice_on": notice})
    with state(ctx).unit_of_work() as (session, actor):
        person = service.depart_person(session, actor=actor, person_ref=ref, departure=departure)
    when = person.departed_on if person.status == PersonStatus.DEPARTED else person.departing_on
    typer.echo(f"{person.full_name} is {person.status.value} (on {when})")


@people.command("import")
def people_import(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="A .csv or .xlsx file: Name, Email, Organisation, …"),
    dry_run: bool = typer.Option(False, "--dry-run", help="Check every row; write nothing."),
) -> None:
    """Record every person of a spreadsheet, or none: each bad row is listed as FILE:LINE."""
    data = read_import_file(file)
    with state(ctx).unit_of_work() as (session, actor):
        report = imports.import_people(
            session, actor=actor, data=data, source=file.name, dry_run=dry_run
        )
    emit_import(report, dry_run=dry_run)
