"""The root `crownjewels` command: set-up (init, upgrade, serve, demo) and each capability's
sub-commands from the registry. Domain errors become one line on stderr and exit code 2."""

from __future__ import annotations

import functools
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

import typer
from pydantic import ValidationError
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.orm import Session

from crownjewels import __version__, registry, worker
from crownjewels import demo as demo_data
from crownjewels.core import logs, migrate
from crownjewels.core.actor import Actor, system_actor
from crownjewels.core.cli import CliState, state
from crownjewels.core.errors import CrownJewelsError, Invalid, NotFound, NotInitialised
from crownjewels.core.files import private_dir, private_umask
from crownjewels.core.migrate import current_revision
from crownjewels.custody import keys as custody_keys
from crownjewels.custody import service as custody
from crownjewels.custody.schemas import EventType
from crownjewels.incidents.reports.schemas import PUBLIC_PATH as REPORT_PATH
from crownjewels.parties import accounts
from crownjewels.parties import service as parties
from crownjewels.settings import Settings
from crownjewels.vault import keyring as vault_keyring
from crownjewels.vault import service as vault_service
from crownjewels.vendors.diligence.sending import LINK_PREFIX

app = typer.Typer(
    name="crownjewels",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    help="Crown Jewels: protect trade secrets shared with vendors, contractors and partners.",
)


def _resolve_actor(session: Session, who: str) -> Actor:
    person = parties.get_person(session, actor=system_actor("cli-lookup"), person_ref=who)
    user_id = accounts.user_for_person(session, person_id=person.id)
    if user_id is None:
        raise NotFound(f"{who} has no login; create one with `crownjewels users create`")
    return accounts.actor_for_user(session, user_id=user_id, mfa=True)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(__version__)
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    acting_as: str | None = typer.Option(
        None,
        "--as",
        envvar="CROWNJEWELS_AS",
        help="Act as this user (email); default: the local operator.",
    ),
    version: bool = typer.Option(
        False,
        "--version",
        callback=_print_version,
        is_eager=True,  # before the group asks for a command
        help="Print the version and exit.",
    ),
) -> None:
    """Settings come from CROWNJEWELS_* environment variables (HOME, DATABASE_URL, ...)."""
    del version  # handled by its eager callback
    ctx.obj = CliState(settings=Settings(), acting_as=acting_as, resolve_actor=_resolve_actor)


@app.command()
def init(ctx: typer.Context) -> None:
    """Create the home folder, the secret key, the custody signing key, the vault key file and
    the database schema (safe to run again)."""
    st = state(ctx)
    with private_umask():  # the home and all in it: owner-only (database, keys, blobs)
        private_dir(st.settings.home).chmod(0o700)
        st.settings.resolved_secret_key()
        custody_keys.ensure_signing_key(st.settings.home)
        new_kek = vault_keyring.ensure_key_file(st.settings)
        if st.settings.blob_store == "local":
            private_dir(st.settings.resolved_blob_dir())
        db = st.database(check=False)
        before = current_revision(db.engine)
        migrate.upgrade(db.url)
    if before is None:
        with db.unit_of_work() as session:
            custody.record(
                session,
                actor=st.actor(session),
                event_type=EventType.INSTALLATION_INITIALISED,
                subject_type="installation",
                subject_id="crownjewels",
                details={"version": __version__, "schema": migrate.head_revision()},
            )
    typer.echo(f"ready: database at {_display_url(db.url)}, schema {migrate.head_revision()}")
    if new_kek is not None:
        path = st.settings.resolved_vault_key_file()
        typer.echo(f"created the vault key {new_kek} at {path} (mode 0600); back it up apart")


demo_app = typer.Typer(
    invoke_without_command=True,
    help="Seed the demo company into an empty installation, or print a demo login's code.",
)
app.add_typer(demo_app, name="demo")


@demo_app.callback()
def demo(ctx: typer.Context) -> None:
    """Seed "Northwind Biologics" (only into an empty register) and print the demo logins."""
    if ctx.invoked_subcommand is not None:
        return
    st = state(ctx)
    explicit = "company_name" in st.settings.model_fields_set
    company = st.settings.company_name if explicit else demo_data.COMPANY
    with st.unit_of_work() as (session, _):
        result = demo_data.seed(
            session,
            actor=system_actor("demo"),
            company=company,
            secret_key=st.settings.resolved_secret_key(),
            vault=lambda: vault_service.open_vault(st.settings),
            settings=st.settings,
        )
    _print_demo(result, base_url=st.settings.base_url, explicit_company=explicit)


@demo_app.command("code")
def demo_code(
    ctx: typer.Context,
    who: str = typer.Argument(..., help="A demo login's email, or its role (e.g. admin)."),
) -> None:
    """Print the 6-digit TOTP code to type now for a demo login (valid about a minute)."""
    typer.echo(demo_data.login_code(state(ctx).settings.resolved_secret_key(), who))


def _print_demo(result: demo_data.DemoResult, *, base_url: str, explicit_company: bool) -> None:
    admin = result.admin
    typer.echo(
        f"{'Seeded' if result.seeded else 'Already seeded (nothing changed):'} the demo company "
        f"{result.company}: {result.organisations} organisations, {result.people} people, "
        f"{len(result.logins)} logins, {result.secrets} trade secrets.\n"
    )
    typer.echo(f"Open {base_url} (start it with `crownjewels serve`) and log in as the admin:")
    typer.echo(f"  email     {admin.email}")
    typer.echo(f"  password  {result.password}")
    typer.echo(f"  code      run `crownjewels demo code {admin.email}` and type the 6 digits\n")
    typer.echo(f"Every demo login uses the password {result.password}:")
    for login in result.logins:
        typer.echo(f"  {login.role.value:<15} {login.email:<38} TOTP key {login.totp_secret}")
    typer.echo(
        "\nThe TOTP keys can also be typed into an authenticator app. "
        "`crownjewels demo code EMAIL` (or ROLE, e.g. `demo code legal`) prints a login's code."
    )
    if not explicit_company:
        typer.echo(
            "Legends on secrets name the company from CROWNJEWELS_COMPANY_NAME; for the demo, "
            f'export CROWNJEWELS_COMPANY_NAME="{result.company}" before `crownjewels serve`.'
        )


@app.command()
def upgrade(ctx: typer.Context) -> None:
    """Apply new migrations to an existing database."""
    db = state(ctx).database(check=False)
    before = current_revision(db.engine)
    if before is None:
        raise NotInitialised(
            "the database has no Crown Jewels schema yet; run `crownjewels init` first"
        )
    migrate.upgrade(db.url)
    after = current_revision(db.engine)
    typer.echo(
        f"schema {before} -> {after}"
        if before != after
        else f"already at the newest schema ({after})"
    )


@app.command()
def serve(
    ctx: typer.Context,
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
    certfile: Path | None = typer.Option(
        None, "--certfile", help="PEM certificate (chain): serve HTTPS (with --keyfile)."
    ),
    keyfile: Path | None = typer.Option(
        None, "--keyfile", help="PEM private key of the certificate."
    ),
) -> None:
    """Run the web UI and the API (over HTTPS with --certfile and --keyfile)."""
    import uvicorn
    import uvicorn.config

    from crownjewels.app import create_app

    st = state(ctx)
    if (certfile is None) != (keyfile is None):
        raise Invalid("HTTPS needs both --certfile and --keyfile (PEM files)", field="certfile")
    for given in (certfile, keyfile):
        if given is not None and not given.is_file():
            raise Invalid(f"no file {given}; give the path of a PEM file", field="certfile")
    settings = st.settings if certfile is None else st.settings.model_copy(update={"tls": True})
    db = st.database()
    run_jobs = settings.resolved_run_jobs_in_process(db.url)
    application = create_app(settings, db=db, run_jobs=run_jobs)
    scheme = "https" if certfile else "http"
    typer.echo(
        f"Crown Jewels on {scheme}://{host}:{port}  (API docs: {scheme}://{host}:{port}/api/v1/docs)"
    )
    uvicorn.run(
        application,
        host=host,
        port=port,
        log_level="info",
        # the login throttle reads X-Forwarded-For itself, from CROWNJEWELS_TRUSTED_PROXIES only
        proxy_headers=False,
        ssl_certfile=str(certfile) if certfile else None,
        ssl_keyfile=str(keyfile) if keyfile else None,
        # one-time links are redacted; the report channel's lines carry no client address
        log_config=logs.server_log_config(
            uvicorn.config.LOGGING_CONFIG, [LINK_PREFIX], anonymous_paths=[REPORT_PATH]
        ),
    )


@app.command("worker")
def run_worker(
    ctx: typer.Context,
    once: bool = typer.Option(False, "--once", help="Run the due jobs once and exit (cron)."),
) -> None:
    """Run the scheduled jobs (custody checkpoints, timestamps ...) until SIGTERM or Ctrl-C;
    safe to run on several machines at once."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    st = state(ctx)
    db = st.database()
    if not once:
        worker.run_forever(db, st.settings)
        return
    runs = worker.run_once(db, st.settings)
    for run in runs:
        outcome = "skipped (running elsewhere)" if not run.ran else run.summary or "done"
        typer.echo(f"{run.name}: {outcome if run.ok else 'FAILED (see the log above)'}")
    if any(not run.ok for run in runs):
        raise typer.Exit(1)


def _display_url(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


for _name, _sub in registry.COMMANDS:
    app.add_typer(_sub, name=_name)


def _usage_error(exc: typer.TyperException) -> NoReturn:
    """A bad option or argument: one line naming the problem and where the help is."""
    ctx = getattr(exc, "ctx", None)
    if type(exc).__name__ == "NoArgsIsHelpError":  # a bare group: its help, as click does
        typer.echo(exc.format_message(), err=True)
    else:
        hint = f" (see `{ctx.command_path} --help`)" if ctx is not None else ""
        typer.echo(f"error: {exc.format_message()}{hint}", err=True)
    sys.exit(2)


@functools.cache
def command() -> Callable[..., Any]:
    """The click command of `app`, built once per process: building it reads the signature of
    every command (about 0.1 s), which a process that runs main() more than once (the tests,
    a shell embedding the CLI) would otherwise pay on every call."""
    return typer.main.get_command(app)  # typer's own click: its Command type is private


def main() -> None:
    """Entry point: run the CLI, turning user errors into one clear line and exit code 2."""
    try:
        code = command()(standalone_mode=False)
    except CrownJewelsError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        sys.exit(2)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'input'}: {e['msg']}" for e in exc.errors()
        )
        typer.echo(f"error: {problems}", err=True)
        sys.exit(2)
    except (OperationalError, ProgrammingError) as exc:
        typer.echo(
            f"error: the database refused the command ({exc.orig}); "
            "check CROWNJEWELS_DATABASE_URL and run `crownjewels upgrade`",
            err=True,
        )
        sys.exit(2)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        typer.echo("aborted", err=True)
        sys.exit(1)
    except typer.TyperException as exc:  # usage errors (typer vendors click: not click's own)
        _usage_error(exc)
    if isinstance(code, int) and code:  # without standalone mode, `typer.Exit(n)` returns n
        sys.exit(code)


__all__ = ["app", "main", "state"]
