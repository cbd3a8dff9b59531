"""The `public_api` import contract (tools/layering.py): outside a capability, only its service,
schemas and errors (or a sub-package's) and the declared public modules may be imported."""

from __future__ import annotations

import ast
from pathlib import Path

import grimp
import pytest

import crownjewels
from tools.layering import PublicApiContract

MODULES = [
    "app",
    "app.registry",
    "app.vault",
    "app.vault.service",
    "app.vault.schemas",
    "app.vault.router",
    "app.vault.reading",
    "app.vendors",
    "app.vendors.router",
    "app.vendors.diligence",
    "app.vendors.diligence.service",
    "app.vendors.diligence.models",
    "app.agreements",
    "app.agreements.service",
    "app.agreements.models",
]


def _check(imports: list[tuple[str, str]]) -> list[tuple[str, str]]:
    graph = grimp.ImportGraph()
    for module in MODULES:
        graph.add_module(module)
    for importer, imported in imports:
        graph.add_import(importer=importer, imported=imported, line_number=1, line_contents="")
    contract = PublicApiContract(
        name="public api",
        session_options={"root_packages": ["app"]},
        contract_options={
            "capabilities": ["app.vault", "app.vendors", "app.agreements"],
            "public_names": ["service", "schemas", "errors"],
            "public_modules": ["app.vault.reading"],
            "exempt": ["app.registry"],
        },
    )
    check = contract.check(graph, verbose=False)
    found = [(v.importer, v.imported) for v in check.metadata["violations"]]
    assert check.kept is (not found)
    return found


@pytest.mark.parametrize(
    "imported",
    [
        "app.vault.service",
        "app.vault.schemas",
        "app.vault.reading",  # declared public
        "app.vendors.diligence.service",  # a sub-package's service
        "app.agreements",
    ],
)
def test_public_modules_may_be_imported_from_another_capability(imported: str) -> None:
    assert _check([("app.agreements.service", imported)]) == []


@pytest.mark.parametrize(
    ("importer", "imported"),
    [
        ("app.agreements.service", "app.vault.router"),
        ("app.vendors.router", "app.agreements.models"),
        ("app.agreements.service", "app.vendors.diligence.models"),
    ],
)
def test_private_modules_of_another_capability_are_refused(importer: str, imported: str) -> None:
    assert _check([(importer, imported)]) == [(importer, imported)]


def test_a_capability_and_the_wiring_reach_anything() -> None:
    inside = ("app.vendors.router", "app.vendors.diligence.models")
    wiring = ("app.registry", "app.agreements.models")
    assert _check([inside, wiring]) == []


def test_a_declared_public_module_that_does_not_exist_breaks_the_contract() -> None:
    graph = grimp.ImportGraph()
    graph.add_module("app")
    contract = PublicApiContract(
        name="public api",
        session_options={"root_packages": ["app"]},
        contract_options={
            "capabilities": ["app.vault"],
            "public_names": ["service"],
            "public_modules": ["app.vault.gone"],
        },
    )
    check = contract.check(graph, verbose=False)
    assert not check.kept
    assert check.metadata["missing"] == ["app.vault.gone"]


def test_no_module_imports_a_private_name_of_another() -> None:
    """`_name` is its module's own business: what another module needs is made public (or
    moved to where both may reach it)."""
    root = Path(crownjewels.__file__).parent
    found = []
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("crownjewels"):
                private = [a.name for a in node.names if a.name.startswith("_")]
                private = [n for n in private if not n.endswith("__")]  # __version__ is public
                if private and node.module != "__future__":
                    found.append(f"{path.relative_to(root)}: {node.module} {private}")
    assert found == []
