"""The `public_api` import-linter contract: a capability is reached from outside only through
its public modules.

A module outside capability X may import, of X, only:

- the package itself (`crownjewels.X`, a docstring) and its `service`, `schemas` and `errors`
  (each a module or a package, with whatever is inside it);
- the same three of one of X's sub-packages (`crownjewels.vendors.diligence.service`), which
  are the sub-areas' own public faces;
- a module named in `public_modules`, each declared with the reason beside it in pyproject.toml.

Anything else (models, repository, rules, router, pages, another capability's helper module) is
X's own business. The rule binds every module of the root package except the `exempt` ones: the
wiring that mounts every capability's tables, routers, pages, commands and jobs. Only direct
imports are checked: reaching X's internals through X's own service is the point of a service.
"""

from __future__ import annotations

from dataclasses import dataclass

from grimp import ImportGraph
from importlinter import Contract, ContractCheck, fields, output


@dataclass(frozen=True)
class Violation:
    """One import of a capability's private module from outside it."""

    importer: str
    imported: str
    line_numbers: tuple[int, ...]


def _within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


class PublicApiContract(Contract):
    """Only `service`, `schemas`, `errors` (of a capability or of one of its sub-packages) and
    the declared public modules may be imported from outside a capability."""

    type_name = "public_api"

    capabilities = fields.ListField(subfield=fields.StringField())
    public_names = fields.ListField(subfield=fields.StringField())
    public_modules = fields.ListField(subfield=fields.StringField(), required=False)
    exempt = fields.ListField(subfield=fields.StringField(), required=False)

    def _strings(self, option: str) -> list[str]:
        """A list option's value (the field on the class, the parsed list on the instance)."""
        value: object = self.__dict__.get(option)
        return [str(item) for item in value] if isinstance(value, list) else []

    def _capability(self, module: str) -> str | None:
        """The capability `module` belongs to, or None."""
        for capability in self._strings("capabilities"):
            if _within(module, capability):
                return capability
        return None

    def _is_public(self, module: str, capability: str) -> bool:
        """True when `module` (inside `capability`) may be imported from outside it."""
        if any(_within(module, public) for public in self._strings("public_modules")):
            return True
        parts = module[len(capability) :].lstrip(".").split(".") if module != capability else []
        if not parts:
            return True
        names = self._strings("public_names")
        # X.<public>… or X.<sub>.<public>…
        return parts[0] in names or (len(parts) > 1 and parts[1] in names)

    def check(self, graph: ImportGraph, verbose: bool) -> ContractCheck:
        exempt = self._strings("exempt")
        missing = sorted(m for m in self._strings("public_modules") if m not in graph.modules)
        violations: list[Violation] = []
        for importer in sorted(graph.modules):
            if any(_within(importer, package) for package in exempt):
                continue
            home = self._capability(importer)
            for imported in sorted(graph.find_modules_directly_imported_by(importer)):
                target = self._capability(imported)
                if target is None or target == home or self._is_public(imported, target):
                    continue
                details = graph.get_import_details(importer=importer, imported=imported)
                lines = tuple(sorted({d["line_number"] for d in details}))
                violations.append(Violation(importer, imported, lines))
        return ContractCheck(
            kept=not violations and not missing,
            metadata={"violations": violations, "missing": missing},
        )

    def render_broken_contract(self, check: ContractCheck) -> None:
        for module in check.metadata["missing"]:
            output.print_error(
                f"{module} is declared public but does not exist: remove it from public_modules"
            )
        for violation in check.metadata["violations"]:
            lines = ", ".join(str(n) for n in violation.line_numbers)
            output.print_error(
                f"{violation.importer} imports {violation.imported} (l. {lines}), which is "
                "private to its capability: go through its service or schemas, or declare the "
                "module public in pyproject.toml with the reason",
                bold=False,
            )
        output.new_line()
