"""A seeded synthetic organisation with insiders, for measuring monitoring's detection.

    python benchmarks/insider_data.py OUT_DIR [--seed 12] [--people 300] [--days 120]
                                              [--per-scenario 4] [--end 2026-11-30]

Writes into OUT_DIR the files `benchmarks/insiders.py` evaluates:
- `people.csv`: `email,name,organisation,role,country,timezone,notice_date,last_day`;
- `events.jsonl`: one event a line in monitoring's documented format (time, actor, action,
  resource, bytes, ip, country, device, source), in time order;
- `resources.csv`: `pattern,secret_ref` (URL and `s3://` prefixes, path globs with `*`);
- `labels.csv`: `email,start,end,scenario`, the insiders' malicious windows (dates, inclusive);
- `profiles.csv`: `email,profiles`, the innocent noise each person carries (only to break the
  false-positive rate down; the evaluation does not need it).

The organisation. Northwind Biologics (the largest organisation: our own staff) in New York,
Los Angeles, London, Berlin, Bangalore and Singapore, in teams that each work on two to four
of 20 secrets (a Git server, SharePoint sites, an S3 research bucket, a vendor SFTP exchange);
a support team in Manila on night shifts (22:00-07:00 local); IT administrators who mostly
touch admin consoles; three vendors (Apex Research in India, Helix Manufacturing in Germany,
Orbit Data Labs in Brazil) whose staff pull drops from the SFTP exchange, in bulk on Mondays.
Service accounts (CI, backup) clone repositories at night: unknown actors, as in real logs.

Innocent noise, so that a false-positive rate means something (each person's share is
listed in profiles.csv):
- bursty days: a person's daily volume is a gamma-mixed Poisson around their own rate, with
  personal burst days (3-6x) and team deadlines where a whole team bursts together;
- weekends and holidays: per-country public holidays, vacations of one to two weeks, sick
  days; some people work the odd weekend or late evening;
- travel: business trips to another country (hotel networks, the destination's hours);
- VPN: some staff sometimes egress through the New York VPN (country US) from abroad;
- devices: laptop replacements, phones used for reading;
- home networks: remote days from a home ISP whose address changes now and then;
- night shift: the Manila team works when the rest sleeps (peers look the same);
- leavers: innocent people with a notice date and a last day, who hand over their work;
- joiners: people starting mid-period, new at everything;
- admins: administrators who open the odd secret document for a ticket;
- project moves: someone joins another team's secret and reads into it for a week;
- failed logins: typos, and now and then a forgotten password (a short burst).

Insider scenarios (labels.csv `scenario`), placed after at least 45 days of history:
- `departure-offhours-exfiltration`: after giving notice, on two to four nights or a weekend
  before their last day, an employee downloads 25-70 documents of their team's secrets each
  time, half the time on a personal device. Window: the first of those days to the last.
- `vendor-bulk-download`: a vendor's staff member downloads 80-250 documents of their secrets
  in one or two working days, from their usual place. Window: those days.
- `shared-credential-new-country`: someone's credential is used from a country the person and
  their organisation never used (new network, new device), sometimes while the owner works
  at home, on two to five days, viewing and downloading 5-25 documents. Window: those days.
- `slow-exfiltration`: for three to five weeks, two to five documents a working day more than
  usual, each never touched before, walking through a secret, in working hours, from the
  usual device: every single day looks normal. Window: those weeks.
- `admin-browsing`: an administrator views 15-40 documents across four to eight secrets
  outside their work over a few days, in working hours. Window: those days.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import random
import sys
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

SCENARIOS = (
    "departure-offhours-exfiltration",
    "vendor-bulk-download",
    "shared-credential-new-country",
    "slow-exfiltration",
    "admin-browsing",
)

OWN = "Northwind Biologics"
OWN_DOMAIN = "northwind.example"

#: site: (country, zone, office networks /16 prefix)
SITES = {
    "new-york": ("US", "America/New_York", "198.51"),
    "los-angeles": ("US", "America/Los_Angeles", "192.0"),
    "london": ("GB", "Europe/London", "81.2"),
    "berlin": ("DE", "Europe/Berlin", "85.214"),
    "bangalore": ("IN", "Asia/Kolkata", "49.207"),
    "singapore": ("SG", "Asia/Singapore", "116.12"),
    "manila": ("PH", "Asia/Manila", "112.198"),
}
VENDORS = {
    "Apex Research Services": ("apex-research.example", "IN", "Asia/Kolkata", "117.239"),
    "Helix Manufacturing": ("helix-mfg.example", "DE", "Europe/Berlin", "91.64"),
    "Orbit Data Labs": ("orbit-data.example", "BR", "America/Sao_Paulo", "177.72"),
}
#: business-trip destinations: (country, zone, hotel networks /16)
TRIPS = [
    ("US", "America/Chicago", "64.233"),
    ("GB", "Europe/London", "86.12"),
    ("DE", "Europe/Berlin", "93.184"),
    ("JP", "Asia/Tokyo", "126.78"),
    ("CH", "Europe/Zurich", "178.192"),
    ("SG", "Asia/Singapore", "175.156"),
    ("FR", "Europe/Paris", "90.84"),
]
#: where a shared credential turns up: countries no one in the organisation works from
ABROAD = [
    ("RO", "Europe/Bucharest", "86.120"),
    ("VN", "Asia/Ho_Chi_Minh", "113.161"),
    ("NG", "Africa/Lagos", "105.112"),
    ("UA", "Europe/Kyiv", "176.36"),
    ("TR", "Europe/Istanbul", "88.230"),
]
VPN = ("US", "198.51.100")
#: public holidays by country (month, day)
HOLIDAYS = {
    "US": {(9, 7), (11, 11), (11, 26), (11, 27), (12, 25), (1, 1), (5, 25), (7, 3)},
    "GB": {(8, 31), (12, 25), (12, 28), (1, 1), (5, 4), (5, 25)},
    "DE": {(10, 3), (12, 25), (12, 26), (1, 1), (5, 1), (5, 14)},
    "IN": {(8, 15), (10, 2), (10, 20), (11, 9), (1, 26), (3, 4)},
    "SG": {(8, 10), (11, 9), (12, 25), (1, 1), (5, 1)},
    "PH": {(8, 21), (8, 31), (11, 1), (11, 30), (12, 25), (12, 30)},
    "BR": {(9, 7), (10, 12), (11, 2), (11, 20), (12, 25)},
}
_FIRST = (
    "Rohan Priya Arjun Ananya Vikram Meera Liam Olivia Noah Emma Ava Ethan Sophia Mason "
    "Lukas Hannah Felix Lena Jonas Mia Oliver Amelia Harry Isla Jack Grace Wei Mei Jun Ling "
    "Jose Maria Juan Ana Paolo Bea Lucas Julia Gabriel Larissa Daniel Sarah David Rachel "
    "Kenji Yuki Aisha Omar Fatima Samuel Chloe Leo Nora Ibrahim Zara Tariq Ines Mateo Clara"
)
_LAST = (
    "Gupta Sharma Iyer Reddy Nair Patel Smith Johnson Brown Garcia Miller Davis Wilson "
    "Moore Muller Schmidt Fischer Weber Wagner Becker Taylor Evans Walker Wright Hughes Tan "
    "Lim Ng Wong Lee Santos Reyes Cruz Bautista Mendoza Silva Souza Costa Oliveira Pereira "
    "Cohen Levi Khan Ahmed Ali Sato Suzuki Okafor Haddad Novak Rossi Bianchi Dubois Laurent"
)
FIRST, LAST = _FIRST.split(), _LAST.split()
KINDS = ("git", "sharepoint", "s3", "sftp")
TEAM_NAMES = ["oncology", "vaccines", "bioprocess", "analytics", "formulation", "devices"]
SUFFIX = {"git": "py", "sharepoint": "docx", "s3": "parquet", "sftp": "zip"}


@dataclass
class Secret:
    """A trade secret, its locations' patterns and its documents (resources)."""

    ref: str
    slug: str
    patterns: list[str]
    documents: list[str]
    repo: str | None

    def __post_init__(self) -> None:
        self.index = frozenset(self.documents)


@dataclass
class Person:
    """Someone who acts in the logs, with their habits."""

    email: str
    name: str
    organisation: str
    role: str
    country: str
    zone: str
    network: str  # their office /24 (three octets)
    team: str
    secrets: list[Secret]
    rate: float  # median events on a working day
    devices: list[str]
    notice: date | None = None
    last_day: date | None = None
    starts: date | None = None
    night: bool = False
    weekend_worker: bool = False
    late_worker: bool = False
    remote: bool = False
    vpn: bool = False
    phone: str | None = None
    profiles: set[str] = field(default_factory=set)
    seen: dict[str, None] = field(default_factory=dict)  # documents touched, in order


@dataclass
class World:
    """Everything generated: people, secrets, events (time, dict), labels."""

    people: list[Person]
    secrets: list[Secret]
    events: list[tuple[datetime, dict[str, object]]]
    labels: list[tuple[str, date, date, str]]
    unclassified: list[str]


def _secrets(rng: random.Random, count: int) -> list[Secret]:
    secrets = []
    for n in range(1, count + 1):
        slug = f"{TEAM_NAMES[(n - 1) % len(TEAM_NAMES)]}-{n:02d}"
        kinds = rng.sample(KINDS, rng.choice((1, 2, 2, 3)))
        patterns: list[str] = []
        documents: list[str] = []
        repo = None
        for kind in kinds:
            size = rng.randint(60, 400)
            if kind == "git":
                repo = f"https://git.{OWN_DOMAIN}/rd/{slug}/"
                patterns.append(repo)
                base = f"{repo}blob/main/"
                documents += [f"{base}src/module_{i:03d}.py" for i in range(size)]
            elif kind == "sharepoint":
                base = f"https://northwind.sharepoint.com/sites/{slug}/Shared Documents/"
                patterns.append(base)
                documents += [f"{base}{slug} report {i:03d}.docx" for i in range(size)]
            elif kind == "s3":
                base = f"s3://nw-research-data/{slug}/"
                patterns.append(base)
                documents += [f"{base}batch-{i:04d}.parquet" for i in range(size)]
            else:
                patterns.append(f"/srv/sftp/exchange/*/{slug}/*")
                documents += [
                    f"/srv/sftp/exchange/{vendor.split()[0].lower()}/{slug}/drop-{i:03d}.zip"
                    for vendor in VENDORS
                    for i in range(size // 3)
                ]
        secrets.append(Secret(f"TS-{n:04d}", slug, patterns, documents, repo))
    return secrets


def _unclassified() -> list[str]:
    intranet = [f"https://intranet.{OWN_DOMAIN}/news/{i}" for i in range(40)]
    hr = [f"https://northwind.sharepoint.com/sites/hr/Policies/policy-{i}.pdf" for i in range(20)]
    tools = [f"https://git.{OWN_DOMAIN}/tools/build-scripts/blob/main/f{i}.sh" for i in range(30)]
    return intranet + hr + tools


ADMIN_CONSOLE = [f"https://admin.{OWN_DOMAIN}/{p}" for p in ("users", "groups", "audit", "mdm")]


class _Names:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def new(self, domain: str) -> tuple[str, str]:
        while True:
            first, last = self.rng.choice(FIRST), self.rng.choice(LAST)
            email = f"{first}.{last}@{domain}".lower()
            if email not in self.used:
                self.used.add(email)
                return email, f"{first} {last}"


def _people(
    rng: random.Random, count: int, secrets: list[Secret], start: date, days: int
) -> list[Person]:
    names = _Names(rng)
    by_team: dict[str, list[Secret]] = {}
    for secret in secrets:
        by_team.setdefault(secret.slug.rsplit("-", 1)[0], []).append(secret)
    vendors_share = 0.22
    people: list[Person] = []
    sites = [s for s in SITES if s != "manila"]
    for i in range(count):
        roll = i / count
        if roll < vendors_share:
            organisation = list(VENDORS)[i % len(VENDORS)]
            domain, country, zone, net = VENDORS[organisation]
            email, name = names.new(domain)
            role = rng.choice(("vendor-analyst", "vendor-engineer"))
            team = f"vendor-{i % len(VENDORS)}"
            mine = rng.sample(secrets, rng.randint(1, 2))
            network = f"{net}.{rng.randint(1, 4)}"
            person = Person(
                email,
                name,
                organisation,
                role,
                country,
                zone,
                network,
                team,
                mine,
                rng.lognormvariate(math.log(9), 0.5),
                [f"{domain[:4]}-{i:04d}"],
            )
        else:
            email, name = names.new(OWN_DOMAIN)
            if roll < vendors_share + 0.05:
                site, role, team = "manila", "support", "support"
            elif roll < vendors_share + 0.09:
                site, role, team = rng.choice(sites), "administrator", "it"
            else:
                site = rng.choice(sites)
                role = rng.choices(("engineer", "scientist", "analyst", "manager"), (4, 4, 2, 1))[0]
                team = rng.choice(TEAM_NAMES)
            country, zone, net = SITES[site]
            network = f"{net}.{rng.randint(1, 8)}"
            if team in by_team:
                mine = rng.sample(by_team[team], min(len(by_team[team]), rng.randint(2, 4)))
            elif team == "support":
                mine = rng.sample(secrets, 2)
            else:
                mine = []
            rate = {"manager": 7.0, "administrator": 14.0, "support": 12.0}.get(role, 12.0)
            person = Person(
                email,
                name,
                OWN,
                role,
                country,
                zone,
                network,
                team,
                mine,
                rng.lognormvariate(math.log(rate), 0.5),
                [f"NW-LT-{i:04d}"],
            )
            person.night = role == "support"
            person.remote = rng.random() < 0.35
            person.vpn = country != "US" and rng.random() < 0.08
        person.weekend_worker = rng.random() < 0.08
        person.late_worker = rng.random() < 0.10
        if rng.random() < 0.25:
            person.phone = f"phone-{rng.getrandbits(32):08x}"
        people.append(person)
    for person in people:
        flags = {
            "night-shift": person.night,
            "weekend-worker": person.weekend_worker,
            "late-worker": person.late_worker,
            "remote": person.remote,
            "vpn": person.vpn,
        }
        person.profiles |= {k for k, v in flags.items() if v}
    # joiners and innocent leavers
    for person in rng.sample(people, max(1, count * 3 // 100)):
        person.starts = start + timedelta(days=rng.randint(30, days - 20))
        person.profiles.add("joiner")
    for person in rng.sample(
        [p for p in people if p.organisation == OWN and not p.starts], max(1, count * 4 // 100)
    ):
        person.notice = start + timedelta(days=rng.randint(40, days - 20))
        person.last_day = person.notice + timedelta(days=rng.randint(14, 28))
        person.profiles.add("leaver")
    return people


@dataclass
class _Day:
    """One person's plan for one day: where, how much, when."""

    volume: float
    country: str
    zone: str
    network: str
    device: str
    begin: float  # local hour
    end: float
    extra: list[tuple[str, str]] = field(default_factory=list)  # (action, resource) planted


class Generator:
    """Builds the world day by day from one seed."""

    def __init__(self, seed: int, people: int, days: int, end: date, per_scenario: int) -> None:
        self.rng = random.Random(seed)
        self.seed = seed
        self.days = days
        self.start = end - timedelta(days=days - 1)
        self.secrets = _secrets(self.rng, 20)
        self.people = _people(self.rng, people, self.secrets, self.start, days)
        self.unclassified = _unclassified()
        self.events: list[tuple[datetime, dict[str, object]]] = []
        self.labels: list[tuple[str, date, date, str]] = []
        self.plans: dict[tuple[str, date], _Day] = {}
        self.per_scenario = per_scenario
        self.zones: dict[str, ZoneInfo] = {}

    # ---- the calendar of each person -------------------------------------------------------
    def _zone(self, name: str) -> ZoneInfo:
        if name not in self.zones:
            self.zones[name] = ZoneInfo(name)
        return self.zones[name]

    def _days(self) -> Iterator[date]:
        for n in range(self.days):
            yield self.start + timedelta(days=n)

    def _noise(self) -> None:
        """Vacations, trips, device changes, team deadlines, home address changes."""
        rng = self.rng
        self.away: dict[str, set[date]] = {}
        self.trips: dict[str, dict[date, tuple[str, str, str]]] = {}
        self.device_change: dict[str, date] = {}
        self.bursts: dict[str, set[date]] = {}
        for person in self.people:
            away: set[date] = set()
            for _ in range(rng.choice((0, 1, 1, 2))):
                first = self.start + timedelta(days=rng.randint(0, self.days - 14))
                away |= {first + timedelta(days=d) for d in range(rng.randint(5, 14))}
            away |= {d for d in self._days() if rng.random() < 0.02}
            self.away[person.email] = away
            if rng.random() < 0.07:
                trip = rng.choice([t for t in TRIPS if t[0] != person.country])
                first = self.start + timedelta(days=rng.randint(10, self.days - 10))
                hotel = f"{trip[2]}.{rng.randint(1, 250)}"
                self.trips[person.email] = {
                    first + timedelta(days=d): (trip[0], trip[1], hotel)
                    for d in range(rng.randint(3, 9))
                }
                person.profiles.add("travel")
            if rng.random() < 0.05:
                self.device_change[person.email] = self.start + timedelta(
                    days=rng.randint(20, self.days - 5)
                )
                person.profiles.add("new-device")
        for team in sorted({p.team for p in self.people}):
            self.bursts[team] = {
                self.start + timedelta(days=rng.randint(0, self.days - 1))
                for _ in range(rng.randint(1, 3))
            }
        # project moves: someone joins another team's secret and reads into it for days (a
        # generator of its own, so that adding this noise left every other draw as it was)
        moves = random.Random(self.seed + 1)
        self.moves: dict[str, tuple[date, Secret]] = {}
        staff = [p for p in self.people if p.organisation == OWN and p.secrets]
        for person in moves.sample(staff, max(1, len(staff) * 6 // 100)):
            other = [secret for secret in self.secrets if secret not in person.secrets]
            when = self.start + timedelta(days=moves.randint(40, self.days - 10))
            self.moves[person.email] = (when, moves.choice(other))
            person.profiles.add("project-move")

    def _works(self, person: Person, day: date) -> bool:
        if person.starts and day < person.starts:
            return False
        if person.last_day and day > person.last_day:
            return False
        if day in self.away[person.email]:
            return False
        if (day.month, day.day) in HOLIDAYS.get(person.country, set()):
            return False
        if day.weekday() >= 5:
            return person.weekend_worker and self.rng.random() < 0.15
        return True

    def _plan(self, person: Person, day: date) -> _Day:
        rng = self.rng
        volume = person.rate * rng.gammavariate(2.0, 0.5)
        if rng.random() < 0.04:
            volume *= rng.uniform(3, 6)
        if day in self.bursts.get(person.team, ()):
            volume *= rng.uniform(2.5, 4)
        if day.weekday() >= 5:
            volume *= 0.4
        move = self.moves.get(person.email)
        if move and 0 <= (day - move[0]).days < 7:
            volume *= 2  # reading into the new project
        country, zone, network = person.country, person.zone, person.network
        if person.remote and rng.random() < 0.4:
            # a home ISP: the address moves to another /24 every few weeks
            stable = _stable(person.email)
            epoch = (day - self.start).days // (20 + stable % 30)
            isp = person.network.split(".")[0]
            network = f"{isp}.{(stable + epoch) % 200 + 20}.{(stable + epoch * 37) % 250}"
        trip = self.trips.get(person.email, {}).get(day)
        if trip:
            country, zone, network = trip
            volume *= 0.5
        elif person.vpn and rng.random() < 0.12:
            country, network = VPN
        device = person.devices[-1]
        change = self.device_change.get(person.email)
        if change and day >= change:
            device = f"{device}-r"
        if person.starts and (day - person.starts).days < 3:
            device = f"{device}-new"
        begin = rng.gauss(22.0, 0.5) if person.night else rng.gauss(8.8, 0.8)
        end = begin + max(3.0, rng.gauss(8.5, 1.0))
        if person.late_worker and rng.random() < 0.3:
            end += rng.uniform(2, 4)
        if person.notice and person.last_day and person.notice <= day <= person.last_day:
            volume *= 0.8  # handing over
        return _Day(volume, country, zone, network, device, begin, end)

    # ---- events ------------------------------------------------------------------------------
    def _emit(
        self,
        when: datetime,
        person: Person | str,
        action: str,
        resource: str,
        plan: _Day | None,
        nbytes: int | None = None,
        source: str | None = None,
    ) -> None:
        actor = person.email if isinstance(person, Person) else person
        event: dict[str, object] = {
            "time": when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "actor": actor,
            "action": action,
            "resource": resource,
        }
        if nbytes is not None:
            event["bytes"] = nbytes
        if plan is not None:
            event["ip"] = f"{plan.network}.{self.rng.randint(2, 250)}"
            event["country"] = plan.country
            event["device"] = plan.device
        event["source"] = source or _source(resource)
        self.events.append((when.astimezone(UTC), event))

    def _at(self, day: date, hour: float, zone: str) -> datetime:
        local = datetime(day.year, day.month, day.day, tzinfo=self._zone(zone))
        return local + timedelta(hours=hour)

    def _pick(self, person: Person) -> tuple[str, str]:
        """An innocent action on a resource: mostly the person's recent work."""
        rng = self.rng
        if person.role == "administrator":
            if rng.random() < 0.7:
                return "view", rng.choice(ADMIN_CONSOLE)
            if rng.random() < 0.02:  # a ticket about a secret's permissions
                return "view", rng.choice(rng.choice(self.secrets).documents)
            return "view", rng.choice(self.unclassified)
        if not person.secrets or rng.random() < 0.15:
            return "view", rng.choice(self.unclassified)
        secret = rng.choice(person.secrets)
        pool = [d for d in person.seen if d in secret.index] if rng.random() < 0.7 else []
        document = rng.choice(pool) if pool else _document(rng, secret, person)
        person.seen[document] = None
        weights = {
            "view": 55,
            "download": 25,
            "upload": 8,
            "copy": 2,
            "print": 2,
            "share": 2,
            "push": 6 if document.startswith("https://git.") else 0,
        }
        if person.organisation != OWN:
            weights.update(download=45, upload=5, push=0)
        action = rng.choices(list(weights), list(weights.values()))[0]
        return action, document

    def _day_events(self, person: Person, day: date, plan: _Day) -> None:
        rng = self.rng
        count = max(1, round(plan.volume))
        if person.organisation != OWN and day.weekday() == 0 and person.secrets:
            count += rng.randint(10, 40)  # Monday's drop
        login = plan.begin + rng.uniform(-0.2, 0.1)
        if rng.random() < 0.04:
            for k in range(rng.choice((1, 1, 2, 5))):
                self._emit(
                    self._at(day, login - 0.01 * (k + 1), plan.zone),
                    person,
                    "failed-login",
                    f"https://sso.{OWN_DOMAIN}/",
                    plan,
                )
        self._emit(
            self._at(day, login, plan.zone), person, "login", f"https://sso.{OWN_DOMAIN}/", plan
        )
        phone = person.phone if person.phone and rng.random() < 0.2 else None
        for _ in range(count):
            action, resource = self._pick(person)
            hour = rng.uniform(plan.begin, plan.end)
            nbytes = _size(rng, resource) if action in ("download", "upload", "copy") else None
            repo = _repo_of(person)
            if repo and rng.random() < 0.01:
                action, resource, nbytes = "clone", repo, rng.randint(10**7, 4 * 10**8)
            device_plan = plan
            if phone and action == "view" and rng.random() < 0.3:
                device_plan = _Day(plan.volume, plan.country, plan.zone, "100.64.9", phone, 0, 0)
            self._emit(
                self._at(day, hour, plan.zone), person, action, resource, device_plan, nbytes
            )
        for action, resource in plan.extra:
            hour = rng.uniform(plan.begin, plan.end)
            self._emit(
                self._at(day, hour, plan.zone),
                person,
                action,
                resource,
                plan,
                _size(rng, resource) if action == "download" else None,
            )

    def _service_accounts(self, day: date) -> None:
        repos = [s.repo for s in self.secrets if s.repo]
        for repo in repos:
            when = self._at(day, 2 + self.rng.random(), "UTC")
            self._emit(
                when, "svc-ci@build", "clone", repo, None, self.rng.randint(10**7, 10**8), "github"
            )
        when = self._at(day, 1.0, "UTC")
        self._emit(
            when,
            "AKIAEXAMPLEBACKUP01",
            "download",
            "s3://nw-backups/nightly.tar",
            None,
            self.rng.randint(10**9, 5 * 10**9),
            "s3",
        )

    def build(self) -> World:
        self._noise()
        planted = Planter(self)
        planted.plant()
        for day in self._days():
            self._service_accounts(day)
            for person in self.people:
                move = self.moves.get(person.email)
                if move and move[0] == day:
                    person.secrets.append(move[1])
                if self._works(person, day):
                    plan = self._plan(person, day)
                    self._day_events(person, day, plan)
            planted.emit(day)
        self.events.sort(key=lambda item: item[0])
        return World(self.people, self.secrets, self.events, self.labels, self.unclassified)


def _repo_of(person: Person) -> str | None:
    repos = [s.repo for s in person.secrets if s.repo]
    return repos[0] if repos else None


def _document(rng: random.Random, secret: Secret, person: Person) -> str:
    """A document of the secret in the person's corner of it (people work on parts)."""
    documents = secret.documents
    if person.organisation != OWN:
        prefix = person.email.split("@")[1].split("-")[0].split(".")[0]
        mine = [d for d in documents if "/sftp/" not in d or f"/{prefix}" in d]
        documents = mine or documents
    width = max(10, len(documents) // 4)
    offset = _stable(person.email + secret.ref) % max(1, len(documents) - width)
    return documents[offset + int(rng.triangular(0, width, 0))]


def _stable(text: str) -> int:
    """A hash that is the same in every process (str's hash is salted per process)."""
    return zlib.crc32(text.encode())


def _size(rng: random.Random, resource: str) -> int:
    if resource.endswith(".parquet") or resource.endswith(".zip"):
        return int(rng.lognormvariate(math.log(30e6), 1.0))
    return int(rng.lognormvariate(math.log(400e3), 1.0))


def _source(resource: str) -> str:
    if resource.startswith("s3://"):
        return "s3"
    if resource.startswith("/srv/sftp"):
        return "sftp"
    if resource.startswith("https://git."):
        return "github"
    if "sharepoint" in resource:
        return "m365"
    return "sso" if "sso." in resource else "web"


class Planter:
    """Chooses the insiders, their windows, and plants their behaviour."""

    def __init__(self, gen: Generator) -> None:
        self.gen = gen
        self.rng = gen.rng
        self.by_day: dict[date, list[tuple[Person, str, dict[str, Any]]]] = {}

    def plant(self) -> None:
        gen, rng = self.gen, self.rng
        taken: set[str] = set()
        own = [
            p
            for p in gen.people
            if p.organisation == OWN and p.secrets and not p.notice and not p.starts and not p.night
        ]
        vendors = [p for p in gen.people if p.organisation != OWN and not p.starts]
        admins = [p for p in gen.people if p.role == "administrator" and not p.starts]
        pools = {
            "departure-offhours-exfiltration": own,
            "vendor-bulk-download": vendors,
            "shared-credential-new-country": own + vendors,
            "slow-exfiltration": own + vendors,
            "admin-browsing": admins,
        }
        plant = {
            "departure-offhours-exfiltration": self._departure_offhours_exfiltration,
            "vendor-bulk-download": self._vendor_bulk_download,
            "shared-credential-new-country": self._shared_credential_new_country,
            "slow-exfiltration": self._slow_exfiltration,
            "admin-browsing": self._admin_browsing,
        }
        late = gen.start + timedelta(days=45)
        span = (gen.start + timedelta(days=gen.days - 1) - late).days
        for scenario, pool in pools.items():
            free = [p for p in pool if p.email not in taken]
            for person in rng.sample(free, min(self.gen.per_scenario, len(free))):
                taken.add(person.email)
                first = late + timedelta(days=rng.randint(0, max(0, span - 40)))
                plant[scenario](person, first)
                person.profiles.add("insider")

    def _label(self, person: Person, first: date, last: date, scenario: str) -> None:
        self.gen.labels.append((person.email, first, last, scenario))

    def _add(self, day: date, person: Person, kind: str, **info: Any) -> None:
        self.by_day.setdefault(day, []).append((person, kind, info))

    def _departure_offhours_exfiltration(self, person: Person, first: date) -> None:
        gen, rng = self.gen, self.rng
        person.notice = first
        person.last_day = first + timedelta(days=rng.randint(14, 28))
        gen.away[person.email] = {d for d in gen.away[person.email] if d < first}
        days = rng.sample(range(1, (person.last_day - first).days), rng.randint(2, 4))
        personal = f"personal-{rng.getrandbits(24):06x}" if rng.random() < 0.5 else None
        for offset in days:
            self._add(
                first + timedelta(days=offset),
                person,
                "night-download",
                count=rng.randint(25, 70),
                device=personal,
            )
        # a night session may run past midnight: the window ends the morning after the last
        first_night = first + timedelta(days=min(days))
        last_morning = min(person.last_day, first + timedelta(days=max(days) + 1))
        self._label(person, first_night, last_morning, "departure-offhours-exfiltration")

    def _vendor_bulk_download(self, person: Person, first: date) -> None:
        rng = self.rng
        first = _weekday(first)
        days = [first] if rng.random() < 0.5 else [first, _weekday(first + timedelta(days=1))]
        for day in days:
            self._add(day, person, "bulk", count=rng.randint(80, 250) // len(days))
        self.gen.away[person.email] -= set(days)
        self._label(person, days[0], days[-1], "vendor-bulk-download")

    def _shared_credential_new_country(self, person: Person, first: date) -> None:
        rng = self.rng
        country, zone, net = rng.choice(ABROAD)
        network = f"{net}.{rng.randint(1, 250)}"
        device = f"unknown-{rng.getrandbits(24):06x}"
        days = sorted({first + timedelta(days=rng.randint(0, 9)) for _ in range(rng.randint(2, 5))})
        for day in days:
            self._add(
                day,
                person,
                "foreign",
                country=country,
                zone=zone,
                network=network,
                device=device,
                count=rng.randint(5, 25),
            )
        self._label(person, days[0], days[-1], "shared-credential-new-country")

    def _slow_exfiltration(self, person: Person, first: date) -> None:
        rng = self.rng
        last = first + timedelta(days=rng.randint(21, 35))
        secret = rng.choice(person.secrets)
        day = first
        while day <= last:
            if day.weekday() < 5:
                self._add(day, person, "slow", secret=secret, count=rng.randint(2, 5))
            day += timedelta(days=1)
        self.gen.away[person.email] = {
            d for d in self.gen.away[person.email] if not first <= d <= last
        }
        self._label(person, first, last, "slow-exfiltration")

    def _admin_browsing(self, person: Person, first: date) -> None:
        rng = self.rng
        first = _weekday(first)
        chosen = rng.sample(self.gen.secrets, rng.randint(4, 8))
        total = rng.randint(15, 40)
        days = sorted({_weekday(first + timedelta(days=rng.randint(0, 5))) for _ in range(3)})
        for n, day in enumerate(days):
            docs = [
                rng.choice(rng.choice(chosen).documents)
                for _ in range(total // len(days) + (n == 0))
            ]
            self._add(day, person, "browse", documents=docs)
        self.gen.away[person.email] -= set(days)
        self._label(person, days[0], days[-1], "admin-browsing")

    def emit(self, day: date) -> None:
        """Emit the planted behaviour of the day, on top of the person's ordinary day."""
        gen, rng = self.gen, self.rng
        for person, kind, info in self.by_day.get(day, []):
            if kind == "slow" and not gen._works(person, day):
                continue
            if person.last_day and day > person.last_day:
                continue
            plan = gen._plan(person, day)
            if kind == "night-download":
                begin = rng.uniform(21.5, 24.5) if day.weekday() < 5 else rng.uniform(10, 20)
                plan.device = str(info["device"] or plan.device)
                docs = [d for s in person.secrets for d in s.documents]
                self._session(
                    person,
                    day,
                    plan,
                    begin,
                    "download",
                    rng.sample(docs, min(len(docs), info["count"])),
                )
            elif kind == "bulk":
                docs = [d for s in person.secrets for d in s.documents]
                self._session(
                    person,
                    day,
                    plan,
                    plan.begin + 1,
                    "download",
                    rng.sample(docs, min(len(docs), int(info["count"]))),
                    spread=plan.end - plan.begin - 2,
                )
            elif kind == "foreign":
                plan.country, plan.zone, plan.network, plan.device = (
                    str(info["country"]),
                    str(info["zone"]),
                    str(info["network"]),
                    str(info["device"]),
                )
                docs = [d for s in person.secrets for d in s.documents] or gen.unclassified
                begin = rng.uniform(9, 17)
                gen._emit(
                    gen._at(day, begin - 0.05, plan.zone),
                    person,
                    "failed-login",
                    f"https://sso.{OWN_DOMAIN}/",
                    plan,
                )
                gen._emit(
                    gen._at(day, begin - 0.02, plan.zone),
                    person,
                    "login",
                    f"https://sso.{OWN_DOMAIN}/",
                    plan,
                )
                count = info["count"]
                picks = [rng.choice(docs) for _ in range(count)]
                self._session(person, day, plan, begin, "view", picks[: count // 2], spread=2)
                self._session(
                    person, day, plan, begin + 0.5, "download", picks[count // 2 :], spread=2
                )
            elif kind in ("slow", "browse"):
                if kind == "slow":  # documents never touched before, in the secret's order
                    untouched = [d for d in info["secret"].documents if d not in person.seen]
                    info["documents"] = untouched[: info["count"]]
                for document in info["documents"]:
                    action = "download" if kind == "slow" or rng.random() < 0.15 else "view"
                    hour = rng.uniform(plan.begin + 0.5, plan.end - 0.5)
                    gen._emit(
                        gen._at(day, hour, plan.zone),
                        person,
                        action,
                        document,
                        plan,
                        _size(rng, document) if action == "download" else None,
                    )
                    person.seen[document] = None

    def _session(
        self,
        person: Person,
        day: date,
        plan: _Day,
        begin: float,
        action: str,
        documents: list[str],
        spread: float = 1.5,
    ) -> None:
        gen, rng = self.gen, self.rng
        for document in documents:
            hour = begin + rng.uniform(0, spread)
            gen._emit(
                gen._at(day, hour, plan.zone),
                person,
                action,
                document,
                plan,
                _size(rng, document) if action == "download" else None,
            )
            person.seen[document] = None


def _weekday(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def generate(
    seed: int = 12,
    people: int = 300,
    days: int = 120,
    end: date = date(2026, 11, 30),
    per_scenario: int = 4,
) -> World:
    """The world for a seed, in memory."""
    return Generator(seed, people, days, end, per_scenario).build()


def write(world: World, out: Path) -> dict[str, Path]:
    """Write the five files into `out`; their paths by name."""
    out.mkdir(parents=True, exist_ok=True)
    paths = {
        name: out / name
        for name in ("people.csv", "events.jsonl", "resources.csv", "labels.csv", "profiles.csv")
    }
    with paths["people.csv"].open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "email",
                "name",
                "organisation",
                "role",
                "country",
                "timezone",
                "notice_date",
                "last_day",
            ]
        )
        for p in world.people:
            writer.writerow(
                [
                    p.email,
                    p.name,
                    p.organisation,
                    p.role,
                    p.country,
                    p.zone,
                    p.notice.isoformat() if p.notice else "",
                    p.last_day.isoformat() if p.last_day else "",
                ]
            )
    with paths["events.jsonl"].open("w") as handle:
        for _, event in world.events:
            handle.write(json.dumps(event, separators=(",", ":")) + "\n")
    with paths["resources.csv"].open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["pattern", "secret_ref"])
        for secret in world.secrets:
            for pattern in secret.patterns:
                writer.writerow([pattern, secret.ref])
    with paths["labels.csv"].open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["email", "start", "end", "scenario"])
        for email, first, last, scenario in world.labels:
            writer.writerow([email, first.isoformat(), last.isoformat(), scenario])
    with paths["profiles.csv"].open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["email", "profiles"])
        for p in world.people:
            writer.writerow([p.email, " ".join(sorted(p.profiles))])
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--people", type=int, default=300)
    parser.add_argument("--days", type=int, default=120)
    parser.add_argument("--per-scenario", type=int, default=4)
    parser.add_argument("--end", type=date.fromisoformat, default=date(2026, 11, 30))
    args = parser.parse_args(argv)
    if args.days < 70:
        parser.error("--days must be at least 70: insiders act after 45 days of history")
    world = generate(args.seed, args.people, args.days, args.end, args.per_scenario)
    paths = write(world, args.out)
    print(
        f"{len(world.people)} people, {len(world.secrets)} secrets, {len(world.events):,} events,"
        f" {len(world.labels)} insiders -> {paths['events.jsonl'].parent}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
