"""The demo company: a realistic register seeded only through the services (so every row has
its custody event), from the YAML files in `data/`, with one login per role whose password
and TOTP keys derive from the secret key. Entry points: `seed`, `login_code`, `COMPANY`."""

from crownjewels.demo import dataset
from crownjewels.demo.credentials import DemoLogin, demo_password, login_code
from crownjewels.demo.service import DemoResult, seed


def __getattr__(name: str) -> str:
    """`COMPANY`: the demo company's default name, read from company.yaml only when asked
    (every CLI command imports this package; only `crownjewels demo` needs the data)."""
    if name == "COMPANY":
        return dataset.company().company.name
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["COMPANY", "DemoLogin", "DemoResult", "demo_password", "login_code", "seed"]
