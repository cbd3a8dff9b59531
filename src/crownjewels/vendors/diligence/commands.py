"""CLI of due diligence: `crownjewels questionnaires import|list|send|show`, and `assess_command`
for `crownjewels vendors assess VENDOR` (mounted by the vendors CLI)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer

from crownjewels.core.cli import JsonOpt, emit_json, emit_table, state
from crownjewels.core.pagination import PageParams
from crownjewels.vendors.diligence import catalog, reads, sending
from crownjewels.vendors.diligence.schemas import (
    AssessmentFilter,
    AssessmentRead,
    AssessmentSend,
    Channel,
    RiskScore,
)

app = typer.Typer(no_args_is_help=True, help="Due-diligence questionnaires and assessments.")

TemplateOpt = typer.Option(
    "vendor-security", "--template", help="Template key (newest version) or key:version."
)
ChannelOpt = typer.Option(
    Channel.LINK, "--channel", help="link: a one-time link, no account; account: a vendor user."
)
RecipientOpt = typer.Option(None, "--recipient", help="The vendor user's email (channel account).")
SecretOpt = typer.Option(None, "--secret", help="A secret we plan to share (repeatable).")
DaysOpt = typer.Option(14, "--days", min=1, max=90, help="Days the one-time link is valid.")
DueOpt = typer.Option(None, "--due", help="Answer by this date (YYYY-MM-DD).")


@app.command("import")
def import_(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="A questionnaire YAML file."),
    as_json: bool = JsonOpt,
) -> None:
    """Store a questionnaire version (the same key and version with other content is refused)."""
    with state(ctx).unit_of_work() as (session, actor):
        out = catalog.import_file(session, actor=actor, path=file)
    if as_json:
        emit_json(out)
        return
    verb = "already imported, unchanged" if out.unchanged else "imported"
    typer.echo(
        f"{out.key} version {out.version} {verb}: {out.question_count} questions, "
        f"SHA-256 {out.sha256}"
    )


@app.command("list")
def list_(
    ctx: typer.Context,
    sent: bool = typer.Option(False, "--sent", help="List the assessments sent, not templates."),
    vendor: str | None = typer.Option(None, "--vendor", help="Only this vendor's (with --sent)."),
    limit: int = typer.Option(50, "--limit", min=1, max=500),
    as_json: bool = JsonOpt,
) -> None:
    """The imported questionnaire versions, or (--sent) the assessments."""
    with state(ctx).unit_of_work(write=False) as (session, actor):
        if not sent:
            templates = catalog.list_templates(session, actor=actor)
            if as_json:
                emit_json(templates)
            else:
                emit_table(
                    templates,
                    ["key", "version", "title", "question_count", "imported_at"],
                    empty="no questionnaires: `questionnaires import FILE` stores one",
                )
            return
        items, total = reads.list_assessments(
            session,
            actor=actor,
            filters=AssessmentFilter(vendor=vendor),
            page=PageParams(limit=limit),
        )
    if as_json:
        emit_json({"items": items, "total": total})
        return
    rows = [
        {
            "ref": a.ref,
            "vendor": a.vendor_name,
            "status": a.status,
            "channel": a.channel,
            "recipient": a.recipient_email,
            "answered": f"{a.progress.answered}/{a.progress.required}",
            "sent": a.sent_at.date(),
        }
        for a in items
    ]
    emit_table(
        rows,
        ["ref", "vendor", "status", "channel", "recipient", "answered", "sent"],
        empty="no assessments sent",
    )


def _print_sent(ctx: typer.Context, sent: AssessmentRead) -> None:
    typer.echo(f"{sent.ref} sent to {sent.recipient_name} <{sent.recipient_email}>")
    if sent.link is not None:
        base = state(ctx).settings.base_url.rstrip("/")
        typer.echo(f"one-time link (shown once): {base}{sent.link.path}")
        typer.echo(f"expires {sent.link.expires_at:%Y-%m-%d %H:%M} UTC")
    else:
        typer.echo("the vendor user sees it under Assessments after logging in")


def _send(
    ctx: typer.Context,
    *,
    vendor: str,
    template: str,
    channel: Channel,
    recipient: str | None,
    secrets: list[str] | None,
    days: int,
    due: str | None,
    as_json: bool,
) -> None:
    data = AssessmentSend(
        vendor=vendor,
        template=template,
        channel=channel,
        recipient=recipient,
        secrets=secrets or [],
        link_days=days,
        due_on=date.fromisoformat(due) if due else None,
    )
    with state(ctx).unit_of_work() as (session, actor):
        sent = sending.send(session, actor=actor, data=data)
        risk = reads.risk(session, actor=actor, assessment_ref=sent.id)
    if as_json:
        emit_json({"assessment": sent, "risk": risk})
        return
    _print_sent(ctx, sent)
    _print_score("inherent risk", risk.inherent)


def _print_score(title: str, score: RiskScore) -> None:
    typer.echo(f"{title}: {score.level} ({score.points:g} points)")
    for factor in score.factors:
        typer.echo(f"  {factor.text}")


VendorArg = typer.Argument(..., help="Vendor reference (VN-0001), id or name.")


@app.command("send")
def send(
    ctx: typer.Context,
    vendor: str = VendorArg,
    template: str = TemplateOpt,
    channel: Channel = ChannelOpt,
    recipient: str | None = RecipientOpt,
    secret: list[str] | None = SecretOpt,
    days: int = DaysOpt,
    due: str | None = DueOpt,
    as_json: bool = JsonOpt,
) -> None:
    """Send a questionnaire to a vendor's contact (prints the one-time link once)."""
    _send(
        ctx,
        vendor=vendor,
        template=template,
        channel=channel,
        recipient=recipient,
        secrets=secret,
        days=days,
        due=due,
        as_json=as_json,
    )


@app.command("show")
def show(
    ctx: typer.Context,
    assessment: str = typer.Argument(..., help="Assessment reference (DD-0001) or id."),
    as_json: bool = JsonOpt,
) -> None:
    """One assessment: status, progress and the risk explanation with its factors."""
    with state(ctx).unit_of_work(write=False) as (session, actor):
        d = reads.detail(session, actor=actor, assessment_ref=assessment)
    if as_json:
        emit_json(d)
        return
    a = d.assessment
    typer.echo(f"{a.ref}  {a.vendor_name}  {a.template_title} v{a.template_version}")
    typer.echo(f"status {a.status}, round {a.round}, {a.progress.answered}/{a.progress.required}")
    if d.risk is not None:
        _print_score("inherent risk", d.risk.inherent)
        _print_score("residual risk", d.risk.residual)
    for r in d.remediation:
        typer.echo(f"remediation [{r.status}] {r.title}, {r.owner_name}, due {r.due_on}")


def assess_command(
    ctx: typer.Context,
    vendor: str = VendorArg,
    template: str = TemplateOpt,
    channel: Channel = ChannelOpt,
    recipient: str | None = RecipientOpt,
    secret: list[str] | None = SecretOpt,
    days: int = DaysOpt,
    due: str | None = DueOpt,
    as_json: bool = JsonOpt,
) -> None:
    """Start the due diligence of a vendor: send it the questionnaire, show the inherent risk."""
    _send(
        ctx,
        vendor=vendor,
        template=template,
        channel=channel,
        recipient=recipient,
        secrets=secret,
        days=days,
        due=due,
        as_json=as_json,
    )
