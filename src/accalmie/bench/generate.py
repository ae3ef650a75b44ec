"""A large, realistic workspace for the speed benchmarks, built with bulk inserts.

The demo's seven client stories are built once (with `accalmie.demo.generator.build_demo`,
which analyses each of its messages with the real signal engine), read into memory, and
deleted. Each of the bench's clients then follows one of those stories: its exchanges are
copies of the story's exchanges, in one or more *lanes* shifted by up to ±90 minutes
(bigger clients have more lanes), with their threads, participants, analyses and text hits
copied too, so the text hits are the engine's own on the same texts without running it
200,000 times. Contracts, scope, milestones, revision rounds, invoices (some late or
disputed, as in the stories) and team pulses are copied per client; directors, account
managers and team members are created and assigned.

Everything is derived from `BenchParams` (clients, interactions, seed, anchor): the same
parameters give the same workspace. `ensure_workspace` builds it only when the database
does not already hold it (the workspace's own domain carries the parameters' key).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import random
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import F, Model, Q

from accalmie.accounts.models import Membership, Role, Workspace, WorkspaceDomain
from accalmie.clients.models import Client, ClientDomain, Contact, ContactEmail
from accalmie.comms.models import Interaction, InteractionParticipant, Thread
from accalmie.demo.generator import DEMO_SLUG, DEMO_TEAM, build_demo, monday_of
from accalmie.demo.stories import load_stories
from accalmie.detect.models import InteractionAnalysis, SignalHit
from accalmie.finance.models import Invoice
from accalmie.projects.models import Contract, Milestone, Project, RevisionRound, ScopeItem
from accalmie.team.models import TeamPulse

# Bump when the generator's output changes: the cache key changes with it.
GENERATOR_VERSION = 2
BENCH_SLUG = "bench"
BENCH_NAME = "Agence Banc d'essai"
BENCH_USERNAME = "bench"
BENCH_PASSWORD = "bench"  # a throwaway benchmark database
# How often each story is dealt: most clients go well, the others follow one trouble each.
STORY_WEIGHTS = {
    "good": 10,
    "anxious": 2,
    "belittler": 2,
    "late_payer": 2,
    "scope_creep": 2,
    "silent": 2,
    "tone_slide": 2,
}
BATCH = 2000


@dataclass(frozen=True)
class BenchParams:
    clients: int = 500
    interactions: int = 200_000
    seed: int = 1
    anchor: dt.date = field(default_factory=lambda: monday_of(dt.date.today()))  # noqa: DTZ011
    directors: int = 3
    account_managers: int = 25
    team_members: int = 75

    @property
    def key(self) -> str:
        text = (
            f"v{GENERATOR_VERSION}|{self.clients}|{self.interactions}|{self.seed}|"
            f"{self.anchor.isoformat()}|{self.directors}|{self.account_managers}|"
            f"{self.team_members}"
        )
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    @property
    def domain(self) -> str:
        """The bench agency's own e-mail domain: it names the parameters it was built from."""
        return f"banc-{self.key}.example"


@dataclass
class GenerateResult:
    params: BenchParams
    reused: bool
    seconds: float
    counts: dict[str, int]


# -- the template: the demo's stories, in memory -------------------------------------------


def _rows(model: type[Model], **filters: Any) -> list[dict[str, Any]]:
    return list(model._default_manager.filter(**filters).order_by("pk").values())


@dataclass
class _Template:
    key: str
    client: dict[str, Any]
    domains: list[str]
    contacts: list[dict[str, Any]]
    emails: dict[int, list[str]]  # contact id -> addresses
    project: dict[str, Any]
    contract: dict[str, Any]
    scope: list[dict[str, Any]]
    milestones: list[dict[str, Any]]
    revisions: list[dict[str, Any]]
    invoices: list[dict[str, Any]]
    pulses: list[dict[str, Any]]
    threads: list[dict[str, Any]]
    interactions: list[dict[str, Any]]
    participants: dict[int, list[dict[str, Any]]]
    analyses: dict[int, dict[str, Any]]
    hits: dict[int, list[dict[str, Any]]]
    team: list[int] = field(default_factory=list)  # user ids of the story's team, in order


def _load_templates(anchor: dt.date) -> list[_Template]:
    """Build the demo, read its seven clients into memory, delete it; return them."""
    demo = build_demo(anchor=anchor)
    templates = []
    story_of = {story.data["name"]: story.key for story in load_stories()}
    for client in _rows(Client, workspace=demo.workspace):
        cid = client["id"]
        project = _rows(Project, client_id=cid)[0]
        contract = _rows(Contract, project_id=project["id"])[0]
        contacts = _rows(Contact, client_id=cid)
        emails: dict[int, list[str]] = defaultdict(list)
        for row in _rows(ContactEmail, contact__client_id=cid):
            emails[row["contact_id"]].append(row["address"])
        participants: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for row in _rows(InteractionParticipant, interaction__client_id=cid):
            participants[row["interaction_id"]].append(row)
        hits: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for row in _rows(SignalHit, client_id=cid):
            hits[row["interaction_id"]].append(row)
        team = list(
            Client.team.through.objects.filter(client_id=cid)
            .order_by("user__username")
            .values_list("user_id", flat=True)
        )
        templates.append(
            _Template(
                key=story_of.get(client["name"], client["name"]),
                client=client,
                domains=list(
                    ClientDomain.objects.filter(client_id=cid).values_list("domain", flat=True)
                ),
                contacts=contacts,
                emails=emails,
                project=project,
                contract=contract,
                scope=_rows(ScopeItem, contract_id=contract["id"]),
                milestones=_rows(Milestone, project_id=project["id"]),
                revisions=_rows(RevisionRound, project_id=project["id"]),
                invoices=_rows(Invoice, client_id=cid),
                pulses=_rows(TeamPulse, client_id=cid),
                threads=_rows(Thread, client_id=cid),
                interactions=_rows(Interaction, client_id=cid),
                participants=participants,
                analyses={
                    row["interaction_id"]: row
                    for row in _rows(InteractionAnalysis, interaction__client_id=cid)
                },
                hits=hits,
                team=team,
            )
        )
    Workspace.objects.filter(slug=DEMO_SLUG).delete()
    get_user_model().objects.filter(username__in=[u for u, _n, _r in DEMO_TEAM]).delete()
    return templates


# -- the bench workspace --------------------------------------------------------------------


def _copy(row: dict[str, Any], **changes: Any) -> dict[str, Any]:
    out = dict(row)
    out.pop("id", None)
    out.update(changes)
    return out


def _split(total: int, weights: list[float]) -> list[int]:
    """Split `total` in proportion to `weights`, exactly (largest remainders)."""
    whole = sum(weights)
    raw = [total * w / whole for w in weights]
    parts = [math.floor(r) for r in raw]
    order = sorted(range(len(raw)), key=lambda i: raw[i] - parts[i], reverse=True)
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


def _people(workspace: Workspace, params: BenchParams) -> dict[str, list[Any]]:
    user_model = get_user_model()
    specs: list[tuple[str, str, str, str]] = []
    first = ["Alix", "Basile", "Chloé", "Damien", "Elsa", "Fabien", "Gaëlle", "Hélène", "Ilan"]
    last = ["Aubry", "Barbier", "Carpentier", "Delorme", "Esnault", "Fontaine", "Guérin"]
    for role, count, prefix in (
        (Role.DIRECTOR, params.directors, "direction"),
        (Role.ACCOUNT_MANAGER, params.account_managers, "compte"),
        (Role.TEAM_MEMBER, params.team_members, "equipe"),
    ):
        for n in range(1, count + 1):
            username = BENCH_USERNAME if role == Role.DIRECTOR and n == 1 else f"{prefix}{n:03d}"
            name_first = first[(n + len(prefix)) % len(first)]
            name_last = last[(n * 3 + len(prefix)) % len(last)]
            specs.append((username, name_first, name_last, role))
    users = user_model.objects.bulk_create(
        [
            user_model(
                username=username,
                first_name=f,
                last_name=la,
                email=f"{username}@{params.domain}",
                password="!",  # unusable, like set_unusable_password()
            )
            for username, f, la, _role in specs
        ]
    )
    if not all(u.pk for u in users):
        users = list(user_model.objects.filter(email__endswith=params.domain).order_by("pk"))
    bench = next(u for u in users if u.username == BENCH_USERNAME)
    bench.set_password(BENCH_PASSWORD)
    bench.save(update_fields=["password"])
    Membership.objects.bulk_create(
        Membership(workspace=workspace, user=u, role=spec[3])
        for u, spec in zip(users, specs, strict=True)
    )
    by_role: dict[str, list[Any]] = defaultdict(list)
    for u, spec in zip(users, specs, strict=True):
        by_role[spec[3]].append(u)
    return by_role


class _ClientBuilder:
    """Copy one story's records for one bench client, into lists saved in bulk later."""

    def __init__(
        self,
        number: int,
        template: _Template,
        workspace: Workspace,
        manager: Any,
        team: list[Any],
    ) -> None:
        self.number = number
        self.t = template
        self.workspace = workspace
        self.manager = manager
        self.domain = f"client-{number:03d}.example"
        # The story's account manager and team members become this client's.
        self.user_map: dict[int, int] = {}
        demo_am = template.client["account_manager_id"]
        if demo_am:
            self.user_map[demo_am] = manager.pk
        for old, new in zip(template.team, team, strict=False):
            self.user_map[old] = new.pk
        self.team = team[: len(template.team)]
        self.emails = {u.pk: u.email for u in [manager, *self.team]}

    def client(self) -> Client:
        row = self.t.client
        return Client(
            workspace=self.workspace,
            name=f"{row['name']} {self.number:03d}",
            kind=row["kind"],
            language=row["language"],
            timezone=row["timezone"],
            account_manager=self.manager,
            notes=row["notes"],
        )

    def user(self, old: int | None) -> int | None:
        if old is None:
            return None
        return self.user_map.get(old, self.manager.pk)


def _save(model: type[Model], objs: list[Any]) -> list[Any]:
    return model._default_manager.bulk_create(objs, batch_size=BATCH) if objs else []


def _lanes(
    template: _Template, target: int, cutoff: dt.datetime, rng: random.Random
) -> list[tuple[int, dt.timedelta, dict[str, Any]]]:
    """Return `target` (lane, shift, interaction) copies of the story's exchanges, in order."""
    items: list[tuple[int, dt.timedelta, dict[str, Any]]] = []
    lane = 0
    while len(items) < target:
        shift = dt.timedelta(minutes=0 if lane == 0 else rng.randint(-90, 90))
        items.extend(
            (lane, shift, row)
            for row in template.interactions
            if row["occurred_at"] + shift < cutoff
        )
        lane += 1
        if lane > 10_000:  # a story with no exchange at all
            break
    if len(items) > target:
        # Keep the first lanes whole and trim the last one by whole threads (reply chains
        # stay whole).
        groups: dict[tuple[int, object], list[int]] = defaultdict(list)
        for i, (lane_of, _shift, row) in enumerate(items):
            groups[(lane_of, row["thread_id"] or ("alone", row["id"]))].append(i)
        order = sorted(groups, key=lambda g: (g[0], rng.random()))
        keep: list[int] = []
        for g in order:
            keep += groups[g][: target - len(keep)]
            if len(keep) >= target:
                break
        items = [items[i] for i in sorted(keep)]
    return items


def _build(params: BenchParams, progress: Callable[[str], None] | None) -> dict[str, int]:
    say = progress or (lambda _m: None)
    rng = random.Random(f"accalmie-bench:{params.seed}")  # noqa: S311 - not security
    say("building the demo stories once (the engine analyses each text once)…")
    templates = _load_templates(params.anchor)
    by_key = {t.key: t for t in templates}
    keys = [k for k in STORY_WEIGHTS if k in by_key] or [t.key for t in templates]
    weights = [STORY_WEIGHTS.get(k, 1) for k in keys]
    workspace = Workspace.objects.create(slug=BENCH_SLUG, name=BENCH_NAME)
    WorkspaceDomain.objects.create(workspace=workspace, domain=params.domain)
    people = _people(workspace, params)
    managers, members = people[Role.ACCOUNT_MANAGER], people[Role.TEAM_MEMBER]
    stories = rng.choices(keys, weights=weights, k=params.clients)
    # Clients differ in size: volumes drawn around the story's own, split exactly.
    sizes = [rng.lognormvariate(0, 0.45) * len(by_key[k].interactions) for k in stories]
    targets = _split(params.interactions, sizes)
    cutoff = dt.datetime.combine(params.anchor, dt.time(0), tzinfo=dt.UTC) - dt.timedelta(hours=2)
    counts: dict[str, int] = defaultdict(int)
    chunk = 25
    for start in range(0, params.clients, chunk):
        with transaction.atomic():
            _build_chunk(
                range(start, min(start + chunk, params.clients)),
                stories,
                targets,
                by_key,
                workspace,
                managers,
                members,
                cutoff,
                rng,
                counts,
            )
        say(f"{min(start + chunk, params.clients)}/{params.clients} clients")
    return dict(counts)


def _build_chunk(
    numbers: range,
    stories: list[str],
    targets: list[int],
    by_key: dict[str, _Template],
    workspace: Workspace,
    managers: list[Any],
    members: list[Any],
    cutoff: dt.datetime,
    rng: random.Random,
    counts: dict[str, int],
) -> None:
    builders = []
    for n in numbers:
        template = by_key[stories[n]]
        size = len(template.team)
        start = rng.randrange(len(members))
        team = [members[(start + k) % len(members)] for k in range(size)]
        builders.append(
            _ClientBuilder(n + 1, template, workspace, managers[n % len(managers)], team)
        )
    clients = _save(Client, [b.client() for b in builders])
    counts["clients"] += len(clients)
    Client.team.through.objects.bulk_create(
        Client.team.through(client_id=c.pk, user_id=u.pk)
        for b, c in zip(builders, clients, strict=True)
        for u in b.team
    )
    _save(
        ClientDomain,
        [
            ClientDomain(workspace=workspace, client=c, domain=b.domain)
            for b, c in zip(builders, clients, strict=True)
        ],
    )
    # Contacts and their addresses.
    contact_rows, contact_keys = [], []
    for b, c in zip(builders, clients, strict=True):
        for row in b.t.contacts:
            contact_rows.append(Contact(**_copy(row, client_id=c.pk, created_at=None)))
            contact_keys.append((b, row["id"]))
    contacts = _save(Contact, contact_rows)
    contact_map: dict[tuple[int, int], int] = {}
    address_map: dict[tuple[int, str], str] = {}
    emails = []
    for (b, old), new in zip(contact_keys, contacts, strict=True):
        contact_map[(b.number, old)] = new.pk
        for address in b.t.emails.get(old, []):
            local = address.split("@")[0]
            address_map[(b.number, address)] = f"{local}@{b.domain}"
            emails.append(
                ContactEmail(workspace=workspace, contact_id=new.pk, address=f"{local}@{b.domain}")
            )
    _save(ContactEmail, emails)
    # Project, contract, scope, milestones, revision rounds.
    projects = _save(
        Project,
        [
            Project(**_copy(b.t.project, client_id=c.pk, created_at=None))
            for b, c in zip(builders, clients, strict=True)
        ],
    )
    contracts = _save(
        Contract,
        [
            Contract(
                **_copy(
                    b.t.contract,
                    project_id=p.pk,
                    client_contact_id=contact_map.get(
                        (b.number, b.t.contract["client_contact_id"])
                    ),
                    agency_contact_id=b.user(b.t.contract["agency_contact_id"]),
                )
            )
            for b, p in zip(builders, projects, strict=True)
        ],
    )
    scope, milestones, revisions, invoices, pulses = [], [], [], [], []
    for b, c, p, k in zip(builders, clients, projects, contracts, strict=True):
        scope += [ScopeItem(**_copy(r, contract_id=k.pk)) for r in b.t.scope]
        milestones += [Milestone(**_copy(r, project_id=p.pk)) for r in b.t.milestones]
        revisions += [RevisionRound(**_copy(r, project_id=p.pk)) for r in b.t.revisions]
        invoices += [
            Invoice(**_copy(r, client_id=c.pk, project_id=p.pk, created_at=None))
            for r in b.t.invoices
        ]
        pulses += [
            TeamPulse(**_copy(r, client_id=c.pk, member_id=b.user(r["member_id"]), created_at=None))
            for r in b.t.pulses
        ]
    _save(ScopeItem, scope)
    _save(Milestone, milestones)
    _save(RevisionRound, revisions)
    counts["invoices"] += len(_save(Invoice, invoices))
    counts["team_pulses"] += len(_save(TeamPulse, pulses))
    # Exchanges, lane by lane: threads, interactions, participants, analyses, hits.
    thread_rows, thread_keys = [], []
    plans = []
    for b, c, p in zip(builders, clients, projects, strict=True):
        items = _lanes(b.t, targets[b.number - 1], cutoff, rng)
        plans.append((b, c, p, items))
        wanted = {(lane, row["thread_id"]) for lane, _s, row in items if row["thread_id"]}
        by_id = {t["id"]: t for t in b.t.threads}
        for lane, old in sorted(wanted):
            thread_rows.append(
                Thread(
                    **_copy(by_id[old], workspace_id=workspace.pk, client_id=c.pk, created_at=None)
                )
            )
            thread_keys.append((b.number, lane, old))
    threads = _save(Thread, thread_rows)
    thread_map = {key: t.pk for key, t in zip(thread_keys, threads, strict=True)}
    counts["threads"] += len(threads)
    rows, sources = [], []
    for b, c, p, items in plans:
        last = None
        for lane, shift, row in items:
            at = row["occurred_at"] + shift
            last = at if last is None or at > last else last
            rows.append(
                Interaction(
                    **_copy(
                        row,
                        workspace_id=workspace.pk,
                        client_id=c.pk,
                        project_id=p.pk,
                        thread_id=thread_map.get((b.number, lane, row["thread_id"])),
                        occurred_at=at,
                        message_id=_mid(row["message_id"], b.number, lane),
                        in_reply_to=_mid(row["in_reply_to"], b.number, lane),
                        references="",
                        source="bench",
                        created_by_id=None,
                        created_at=None,
                    )
                )
            )
            sources.append((b, row["id"]))
        c.last_interaction_at = last
    interactions = _save(Interaction, rows)
    counts["interactions"] += len(interactions)
    Client.objects.bulk_update(clients, ["last_interaction_at"], batch_size=BATCH)
    participants, analyses, hits = [], [], []
    for (b, old), new in zip(sources, interactions, strict=True):
        for r in b.t.participants.get(old, []):
            participants.append(
                InteractionParticipant(
                    **_copy(
                        r,
                        interaction_id=new.pk,
                        contact_id=contact_map.get((b.number, r["contact_id"])),
                        user_id=b.user(r["user_id"]),
                        address=address_map.get(
                            (b.number, r["address"]), _our(r["address"], b.user(r["user_id"]), b)
                        ),
                    )
                )
            )
        analysis = b.t.analyses.get(old)
        if analysis is not None:
            analyses.append(InteractionAnalysis(**_copy(analysis, interaction_id=new.pk)))
        hits += [
            SignalHit(**_copy(r, interaction_id=new.pk, client_id=new.client_id, created_at=None))
            for r in b.t.hits.get(old, [])
        ]
    counts["participants"] += len(_save(InteractionParticipant, participants))
    counts["analyses"] += len(_save(InteractionAnalysis, analyses))
    counts["signal_hits"] += len(_save(SignalHit, hits))


def _our(address: str, user_id: int | None, b: _ClientBuilder) -> str:
    """Map an address of the demo agency to the bench agency's user it now stands for."""
    return b.emails.get(user_id, address) if user_id else address


def _mid(message_id: str, number: int, lane: int) -> str:
    if not message_id:
        return ""
    return message_id.replace("<demo-", f"<bench-{number:03d}-{lane}-", 1)


def find_workspace(params: BenchParams) -> Workspace | None:
    """Return the bench workspace when this database holds the one these parameters make."""
    return Workspace.objects.filter(slug=BENCH_SLUG, domains__domain=params.domain).first()


def ensure_workspace(
    params: BenchParams, fresh: bool = False, progress: Callable[[str], None] | None = None
) -> GenerateResult:
    """Return the bench workspace of these parameters, building it unless already there."""
    started = time.perf_counter()
    existing = None if fresh else find_workspace(params)
    if existing is not None:
        return GenerateResult(params, True, time.perf_counter() - started, counts(existing))
    # The users of an earlier bench workspace go with it, even one of other parameters (whose
    # usernames are the same): a PostgreSQL `--database-url` keeps one across parameters.
    get_user_model().objects.filter(
        Q(memberships__workspace__slug=BENCH_SLUG) | Q(email__endswith=f"@{params.domain}")
    ).delete()
    Workspace.objects.filter(slug__in=[BENCH_SLUG, DEMO_SLUG]).delete()
    _build(params, progress)
    # Gather the query planner's statistics after the bulk load, as PostgreSQL's autovacuum
    # does by itself (SQLite's `PRAGMA optimize` would): without them SQLite looks threads up
    # by subject through the workspace index, reading all of the workspace's threads.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    workspace = find_workspace(params)
    assert workspace is not None
    return GenerateResult(params, False, time.perf_counter() - started, counts(workspace))


def counts(workspace: Workspace) -> dict[str, int]:
    """Count what the bench workspace holds."""
    ws = workspace.pk
    return {
        "clients": Client.objects.filter(workspace_id=ws).count(),
        "interactions": Interaction.objects.filter(workspace_id=ws).count(),
        "threads": Thread.objects.filter(workspace_id=ws).count(),
        "participants": InteractionParticipant.objects.filter(interaction__workspace_id=ws).count(),
        "analyses": InteractionAnalysis.objects.filter(interaction__workspace_id=ws).count(),
        "signal_hits": SignalHit.objects.filter(interaction__workspace_id=ws).count(),
        "contacts": Contact.objects.filter(client__workspace_id=ws).count(),
        "contracts": Contract.objects.filter(project__client__workspace_id=ws).count(),
        "invoices": Invoice.objects.filter(client__workspace_id=ws).count(),
        "late_invoices": Invoice.objects.filter(client__workspace_id=ws).filter(_late_q()).count(),
        "team_pulses": TeamPulse.objects.filter(client__workspace_id=ws).count(),
        "members": Membership.objects.filter(workspace_id=ws).count(),
    }


def _late_q() -> Any:
    return Q(paid_on__gt=F("due_on")) | Q(paid_on__isnull=True, due_on__lt=dt.date.today())  # noqa: DTZ011
