"""The demo province: a realistic, deterministic Zhejiang for trying BWQ Lab out.

- ``data``:    the data tables (providers, instruments and lab services they may offer, the
  enterprises' cities and trades, names, the demo logins and their password).
- ``specs``:   the plan's plain frozen records.
- ``plan``:    :func:`build_plan` is pure: from a seed it draws providers, their instruments and
  lab services, and enterprises. Same seed, same plan, every run.
- ``seeding``: :func:`seed_demo` is the operation: it makes sure the region tree exists, turns
  the plan into rows plus one login per role, adds them all and flushes once. It never commits,
  and it adds nothing when the database already has providers.
- ``orders`` and ``history``: lab-service orders and a past year of use, through the use cases.

The demo logins share :data:`DEMO_PASSWORD`. It is printed by ``flask --app app bwq seed-demo``
and is for a local trial only: never seed a database that real people use.
"""

from bwq_lab.demo.data import DEMO_LOGINS, DEMO_PASSWORD, SEED
from bwq_lab.demo.plan import build_plan
from bwq_lab.demo.seeding import SeedResult, demo_logins_present, seed_demo
from bwq_lab.demo.specs import DemoLogin, DemoPlan

__all__ = [
    "DEMO_LOGINS",
    "DEMO_PASSWORD",
    "SEED",
    "DemoLogin",
    "DemoPlan",
    "SeedResult",
    "build_plan",
    "demo_logins_present",
    "seed_demo",
]
