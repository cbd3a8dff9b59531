"""Microsoft 365 unified audit log exports (CSV, from the Purview portal or
Search-UnifiedAuditLog | Export-Csv) in monitoring's format. Each row's AuditData column is
the record as JSON (the Office 365 Management Activity API schema): CreationTime, UserId,
Operation, ObjectId (the file's URL), ClientIP, SiteUrl/SourceRelativeUrl/SourceFileName."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from typing import Any
from urllib.parse import quote

from crownjewels.monitoring.sources.conversion import Conversion, ip_or_none, nonempty, utc

#: file, sharing and sign-in operations as the format's actions
OPERATIONS = {
    "FileAccessed": "view",
    "FileAccessedExtended": "view",
    "FilePreviewed": "view",
    "FileDownloaded": "download",
    "FileSyncDownloadedFull": "download",
    "FileUploaded": "upload",
    "FileSyncUploadedFull": "upload",
    "FileCopied": "copy",
    "FileCopiedToRemovableMedia": "copy",
    "FilePrinted": "print",
    "FileDeleted": "delete",
    "FileDeletedFirstStageRecycleBin": "delete",
    "FileRecycled": "delete",
    "SharingSet": "share",
    "SharingInvitationCreated": "share",
    "AddedToSecureLink": "share",
    "AnonymousLinkCreated": "share",
    "CompanyLinkCreated": "share",
    "SecureLinkCreated": "share",
    "SharedLinkCreated": "share",
    "AccessInvitationCreated": "share",
    "UserLoggedIn": "login",
    "UserLoginFailed": "failed-login",
}
_LOGINS = {"UserLoggedIn", "UserLoginFailed"}
#: the column names of the two export layouts (the portal's newer one and the older one)
_DATE = ("CreationDate",)
_USER = ("UserIds", "UserId")
_OPERATION = ("Operations", "Operation")
_AUDIT = ("AuditData",)


def read(data: bytes) -> Conversion:
    """The file, sharing and sign-in activity in an audit log export."""
    result = Conversion(unit="line")
    text = data.decode("utf-8-sig", errors="replace")
    lines = text.splitlines(keepends=True)
    skipped_lines = 0
    if lines and lines[0].startswith("#TYPE"):  # Export-Csv without -NoTypeInformation
        lines, skipped_lines = lines[1:], 1
    reader = csv.reader(io.StringIO("".join(lines)))
    try:
        header = next(reader)
    except StopIteration:
        result.reject(1, "the file is empty: expected an audit log export with an "
                      "AuditData column")  # fmt: skip
        return result
    except csv.Error as exc:
        result.reject(1 + skipped_lines, f"not readable as CSV ({exc})")
        return result
    columns = _columns(header)
    if columns is None:
        result.reject(
            1 + skipped_lines,
            "not an audit log export: the header needs CreationDate, UserIds (or UserId), "
            "Operations (or Operation) and AuditData",
        )
        return result
    previous_end = reader.line_num
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:  # the rest of the file cannot be split into rows
            result.reject(previous_end + 1 + skipped_lines, f"not readable as CSV ({exc})")
            break
        at = previous_end + 1 + skipped_lines
        previous_end = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) < len(header):
            result.reject(at, f"{len(row)} column(s) where the header has {len(header)}")
            continue
        convert_row({name: row[i] for name, i in columns.items()}, at=at, into=result)
    return result


def _columns(header: list[str]) -> dict[str, int] | None:
    index = {name.strip().lower(): i for i, name in enumerate(header)}
    found: dict[str, int] = {}
    for key, names in (("date", _DATE), ("user", _USER), ("operation", _OPERATION),
                       ("audit", _AUDIT)):  # fmt: skip
        position = next((index[n.lower()] for n in names if n.lower() in index), None)
        if position is None:
            return None
        found[key] = position
    return found


def convert_row(row: dict[str, str], *, at: int, into: Conversion) -> None:
    """One exported row: an event, a skipped operation, or a problem."""
    try:
        audit = json.loads(row["audit"]) if row["audit"].strip() else {}
    except json.JSONDecodeError as exc:
        into.reject(
            at,
            f"the AuditData column is not complete JSON ({exc.msg}); export the "
            "row again or leave it out",
        )
        return
    if not isinstance(audit, dict):
        into.reject(at, "the AuditData column must be a JSON object")
        return
    operation = nonempty([audit.get("Operation"), row["operation"]]) or ""
    action = OPERATIONS.get(operation)
    if action is None:
        into.skip(operation or "(no operation)")
        return
    moment = _time(audit.get("CreationTime")) or _time(row["date"])
    if moment is None:
        into.reject(at, f"no readable time (CreationDate {row['date']!r})")
        return
    event = {
        "time": moment,
        "actor": nonempty([audit.get("UserId"), row["user"]]),
        "action": action,
        "resource": _resource(audit, operation),
        "ip": ip_or_none(audit.get("ClientIP")) or ip_or_none(audit.get("ActorIpAddress")),
        "device": _device(audit),
        "source": "m365",
    }
    into.add({k: v for k, v in event.items() if v is not None}, at=at)


def _time(value: Any) -> datetime | None:
    """CreationTime (ISO, UTC without a zone) or the export's CreationDate (ISO with seven
    fractional digits, or the portal's M/D/YYYY h:mm:ss AM, both UTC)."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    try:
        return utc(datetime.fromisoformat(text.replace("Z", "+00:00")))
    except ValueError:
        pass
    for fmt in ("%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M"):
        try:
            return utc(datetime.strptime(text, fmt))
        except ValueError:
            continue
    return None


def _resource(audit: dict[str, Any], operation: str) -> str | None:
    """The file's URL. A copy's resource is what was copied (the source), not the new file;
    a sign-in's is the service signed in to."""
    if operation in _LOGINS:
        return f"m365:{audit.get('Workload') or 'AzureActiveDirectory'}"
    site, folder, name = (audit.get(k) for k in ("SiteUrl", "SourceRelativeUrl",
                                                  "SourceFileName"))  # fmt: skip
    if operation == "FileCopied" and all(isinstance(v, str) and v for v in (site, folder, name)):
        return as_url(f"{str(site).rstrip('/')}/{str(folder).strip('/')}/{name}")
    found = nonempty([audit.get("ObjectId"), audit.get("SourceFileName")])
    return as_url(found) if found else None


def as_url(text: str) -> str:
    """An ObjectId as the browser shows it: the audit log writes spaces and other characters
    raw (".../Shared Documents/..."), a location's URL-prefix pattern has them %-encoded."""
    if not text.lower().startswith(("https://", "http://")):
        return text
    return quote(text, safe=":/?#[]@!$&'()*+,;=%~")


def _device(audit: dict[str, Any]) -> str | None:
    """A device id: SharePoint's MachineId, or the Id among a sign-in's DeviceProperties."""
    if isinstance(audit.get("MachineId"), str) and audit["MachineId"]:
        return str(audit["MachineId"])
    properties = audit.get("DeviceProperties")
    for prop in properties if isinstance(properties, list) else []:
        if isinstance(prop, dict) and prop.get("Name") == "Id" and prop.get("Value"):
            return str(prop["Value"])
    return None
