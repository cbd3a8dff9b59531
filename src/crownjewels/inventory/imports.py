"""The register as a spreadsheet: the export (CSV or XLSX, the listing's filters) and the import
of new secrets, whose columns are the export's, so an exported file imports again.

An import registers each row through `service.register`, the path of the register form (its
checks, its custody event), all in one transaction that is kept only if every row is good.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from crownjewels.core import exports, tables
from crownjewels.core.actor import Actor
from crownjewels.core.errors import Invalid, NotFound
from crownjewels.core.pagination import MAX_LIMIT, PageParams
from crownjewels.inventory import service
from crownjewels.inventory.schemas import Category, SecretCreate, SecretFilter, SecretRead, Tier
from crownjewels.parties import service as parties

#: the columns, as the export writes them and the import reads them: header -> SecretCreate field
COLUMNS = {
    "Name": "name",
    "Description": "description",
    "Category": "category",
    "Tier": "tier",
    "Owner": "owner_id",
    "Business unit": "business_unit",
    "Estimated value": "estimated_value",
    "Development cost": "development_cost",
    "Currency": "currency",
    "Allowed regions": "allowed_regions",
    "Personal data": "personal_data",
    "Data subject regions": "data_subject_regions",
    "Review cadence days": "review_cadence_days",
}
#: columns the export adds that the register sets itself: an import skips them
EXPORT_ONLY = ("Ref", "Status", "Next review", "Last reviewed", "Secrecy score")
REQUIRED = ("name", "description", "category", "tier", "owner_id")
LABELS = {field: header for header, field in COLUMNS.items()}


def _words(value: str) -> str:
    return value.replace("-", " ")


def _money(value: Decimal | None) -> str:
    return "" if value is None else format(value, "f")


def _cells(secret: SecretRead) -> list[object]:
    return [
        secret.ref,
        secret.name,
        secret.description,
        _words(secret.category),
        _words(secret.tier),
        secret.owner_name or "",
        secret.business_unit or "",
        _money(secret.estimated_value),
        _money(secret.development_cost),
        secret.currency or "",
        ", ".join(secret.allowed_regions),
        "yes" if secret.personal_data else "no",
        ", ".join(secret.data_subject_regions),
        secret.review_cadence_days,
        secret.status.value,
        secret.next_review_on.isoformat(),
        secret.last_reviewed_on.isoformat() if secret.last_reviewed_on else "",
        "" if secret.secrecy_score is None else secret.secrecy_score,
    ]


def export(session: Session, *, actor: Actor, filters: SecretFilter, fmt: str) -> tuple[bytes, str]:
    """The register as the actor sees it under `filters`, as CSV or XLSX: (content, media type)."""
    header = ["Ref", *COLUMNS, *EXPORT_ONLY[1:]]
    rows: list[list[object]] = []
    offset = 0
    while True:
        page = PageParams(limit=MAX_LIMIT, offset=offset)
        found, total = service.list_secrets(session, actor=actor, filters=filters, page=page)
        rows.extend(_cells(s) for s in found)
        offset += len(found)
        if not found or offset >= total:
            break
    if fmt == "xlsx":
        return tables.to_xlsx(header, rows, title="Register"), tables.XLSX_TYPE
    return exports.to_csv(header, rows).encode("utf-8"), "text/csv; charset=utf-8"


def _values(session: Session, actor: Actor, row: tables.Row) -> dict[str, Any]:
    values: dict[str, Any] = {f: row.get(f) for f in COLUMNS.values()}
    if values["category"]:
        values["category"] = tables.choice(values["category"], Category, what="category")
    if values["tier"]:
        values["tier"] = tables.choice(values["tier"], Tier, what="tier")
    for field in ("allowed_regions", "data_subject_regions"):
        values[field] = tables.split_list(values[field])
    values["personal_data"] = tables.yes_no(values["personal_data"], what="personal data")
    owner = values["owner_id"]
    if owner:
        try:
            values["owner_id"] = parties.person_id_by_label(session, actor=actor, label=owner)
        except NotFound:
            raise Invalid(
                f"the owner {owner!r} is not a recorded person; give the name or email of "
                "someone on the People page"
            ) from None
    return values


def import_secrets(
    session: Session, *, actor: Actor, data: bytes, source: str, company: str, dry_run: bool
) -> tables.ImportReport:
    """Register every row of a CSV or XLSX file, or none: a dry run (or any bad row) writes
    nothing and reports every bad row by its line."""
    table = tables.read_table(
        data, source=source, columns=COLUMNS, required=REQUIRED, ignored=EXPORT_ONLY
    )

    def register(row: tables.Row) -> str:
        secret_data = tables.model(SecretCreate, _values(session, actor, row))
        return service.register(session, actor=actor, data=secret_data, company=company).ref

    return tables.run_import(session, table, register, labels=LABELS, dry_run=dry_run)
