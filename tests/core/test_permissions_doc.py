"""docs/permissions.md shows exactly the matrix the code enforces."""

from __future__ import annotations

from pathlib import Path

from crownjewels.core.permissions import MATRIX, Permission, Role

DOC = Path(__file__).resolve().parents[2] / "docs" / "permissions.md"


def test_doc_table_matches_matrix() -> None:
    lines = DOC.read_text(encoding="utf-8").splitlines()
    header = next(line for line in lines if line.startswith("| permission |"))
    roles = [Role(c.strip()) for c in header.strip("|").split("|")[1:]]
    assert set(roles) == set(Role), "every role has a column"
    seen: set[Permission] = set()
    for line in lines:
        if not line.startswith("| `") or "/" in line.split("|")[1]:
            continue
        cells = [c.strip() for c in line.strip("|").split("|")]
        permission = Permission(cells[0].strip("`"))
        seen.add(permission)
        for role, cell in zip(roles, cells[1:], strict=True):
            assert (cell == "✓") == (permission in MATRIX[role]), f"{permission} / {role}"
    assert seen == set(Permission), "every permission has a row"
