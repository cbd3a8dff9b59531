"""The demo company: a realistic register seeded only through the services (so every row has
its custody event), from the YAML files in `data/`, with one login per role whose password
and TOTP keys derive from the secret key. Entry points: `seed`, `login_code`, `COMPANY`."""

from crownjewels.demo.credentials import DemoLogin, demo_password, login_code
from crownjewels.demo.dataset import company as _company
from crownjewels.demo.service import DemoResult, seed

#: the demo company's default name (CROWNJEWELS_COMPANY_NAME overrides it)
COMPANY = _company().company.name

__all__ = ["COMPANY", "DemoLogin", "DemoResult", "demo_password", "login_code", "seed"]
