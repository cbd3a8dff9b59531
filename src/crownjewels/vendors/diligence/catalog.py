"""The questionnaire catalogue: import a validated questionnaire template version (templates
are data, each version immutable) and list the imported versions."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from crownjewels.core.actor import Actor
from crownjewels.core.permissions import Permission
from crownjewels.custody import service as custody
from crownjewels.custody.schemas import EventType
from crownjewels.vendors.diligence import loader, repository
from crownjewels.vendors.diligence.errors import (
    TemplateConflict,
)
from crownjewels.vendors.diligence.models import (
    QuestionnaireTemplate,
)
from crownjewels.vendors.diligence.schemas import (
    TemplateImported,
    TemplateRead,
)

TEMPLATE_SUBJECT = "questionnaire"


def import_template(session: Session, *, actor: Actor, loaded: loader.Loaded) -> TemplateImported:
    """Store a validated questionnaire version; the same key and version with other content is
    refused (a new edition needs a higher version), the same content again changes nothing."""
    actor.require(Permission.VENDORS_WRITE)
    q = loaded.questionnaire
    existing = repository.template(session, q.key, q.version)
    if existing is not None:
        if existing.sha256 != loaded.sha256:
            raise TemplateConflict(
                f"{q.key} version {q.version} was imported before with different content "
                f"(SHA-256 {existing.sha256[:12]}…, this file {loaded.sha256[:12]}…); raise "
                "`version` in the file to import a new edition",
                field="file",
            )
        return TemplateImported.model_validate(existing).model_copy(update={"unchanged": True})
    row = QuestionnaireTemplate(
        key=q.key,
        version=q.version,
        title=q.title,
        sha256=loaded.sha256,
        source=loaded.source,
        definition=q.model_dump(mode="json", by_alias=True),
        question_count=len(q.questions()),
        imported_by=actor.ref,
    )
    session.add(row)
    session.flush()
    custody.record(
        session,
        actor=actor,
        event_type=EventType.QUESTIONNAIRE_IMPORTED,
        subject_type=TEMPLATE_SUBJECT,
        subject_id=row.id,
        details={"key": q.key, "version": q.version, "sha256": loaded.sha256},
    )
    return TemplateImported.model_validate(row)


def import_file(session: Session, *, actor: Actor, path: Path) -> TemplateImported:
    """Validate and store a questionnaire YAML file (errors name the file and line)."""
    return import_template(session, actor=actor, loaded=loader.load(path))


def list_templates(session: Session, *, actor: Actor) -> list[TemplateRead]:
    """Every imported questionnaire version."""
    actor.require(Permission.VENDORS_READ)
    return [TemplateRead.model_validate(t) for t in repository.templates(session)]
