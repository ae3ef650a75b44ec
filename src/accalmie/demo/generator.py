"""Build the demo workspace from the stories: same anchor, same data, every time.

The demo agency, Atelier Boréal, has seven clients, each following the story in
`stories/<key>.toml`. Week 0 is the Monday 26 weeks before the anchor (by default
the Monday of the current week); nothing is dated after the anchor.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import transaction

from accalmie.accounts.models import Role, Workspace
from accalmie.accounts.services import add_member, create_workspace
from accalmie.clients.models import Client, Contact
from accalmie.clients.services import add_contact, create_client
from accalmie.comms.models import Channel, Direction, Interaction, InteractionParticipant
from accalmie.comms.services import ParticipantSpec, record_interaction, refresh_client_activity
from accalmie.demo.stories import DEMO_WEEKS, Story, load_replies, load_stories
from accalmie.detect.services import analyse_stale
from accalmie.finance.models import Invoice
from accalmie.projects.models import Contract, Milestone, Project, RevisionRound, ScopeItem
from accalmie.team.models import TeamPulse

DEMO_SLUG = "demo"
DEMO_NAME = "Atelier Boréal"
DEMO_DOMAIN = "atelier-boreal.fr"
DEMO_USERNAME = "demo"
DEMO_PASSWORD = "demo"

# username, full name, role
DEMO_TEAM = [
    ("demo", "Camille Roussel", Role.DIRECTOR),
    ("claire", "Claire Martin", Role.ACCOUNT_MANAGER),
    ("hugo", "Hugo Lefèvre", Role.ACCOUNT_MANAGER),
    ("ines", "Inès Benali", Role.TEAM_MEMBER),
    ("theo", "Théo Garnier", Role.TEAM_MEMBER),
    ("lucas", "Lucas Perrin", Role.TEAM_MEMBER),
    ("nora", "Nora Diallo", Role.READ_ONLY),
]

WEEKDAYS = {
    "fr": ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"],
    "en": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
}
OUR_REPLY_SHARE = 0.8


@dataclass
class DemoResult:
    """What `build_demo` made."""

    workspace: Workspace
    anchor: dt.date
    counts: dict[str, int] = field(default_factory=dict)
    turning_points: dict[str, dt.date | None] = field(default_factory=dict)


def monday_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def week_start(anchor: dt.date, week: int) -> dt.date:
    """Return the Monday of demo week `week` for this anchor."""
    return monday_of(anchor) - dt.timedelta(weeks=DEMO_WEEKS - week)


class _Cycle:
    """Deal a phase's messages in the order the story lists them, starting over at the end."""

    def __init__(self, items: list[dict[str, Any]]) -> None:
        self.items = items
        self.position = 0

    def next(self) -> dict[str, Any]:
        item = self.items[self.position % len(self.items)]
        self.position += 1
        return item


class _StoryBuilder:
    """Turn one story into records for one client."""

    def __init__(
        self,
        story: Story,
        workspace: Workspace,
        users: dict[str, User],
        anchor: dt.date,
        replies: dict[str, list[str]],
    ) -> None:
        self.story = story
        self.data = story.data
        self.workspace = workspace
        self.users = users
        self.anchor = anchor
        # End of the data: the anchor's Monday, midnight in the client's timezone.
        self.tz = ZoneInfo(self.data["timezone"])
        self.cutoff = dt.datetime.combine(monday_of(anchor), dt.time(0), tzinfo=self.tz)
        self.lang = self.data["language"]
        self.replies = replies[self.lang]
        # A str seed is hashed with SHA-512: the same on every run and every machine.
        self.rng = random.Random(f"accalmie-demo:{story.key}")  # noqa: S311 - not security
        self.am = users[self.data["account_manager"]]
        self.team = [users[name] for name in self.data.get("team", [])]
        self.sequence = 0
        self.interactions = 0

    # -- records ---------------------------------------------------------------------------

    def build(self) -> Client:
        data = self.data
        client = create_client(
            workspace=self.workspace,
            name=data["name"],
            kind=data.get("kind", Client.Kind.ORGANISATION),
            language=self.lang,
            timezone=data["timezone"],
            domains=data["domains"],
            account_manager=self.am,
            team=self.team,
            notes=data.get("summary_fr", ""),
        )
        self.client = client
        self.contacts: dict[str, Contact] = {}
        for spec in data["contacts"]:
            self.contacts[spec["key"]] = add_contact(
                client=client, name=spec["name"], emails=[spec["email"]], role=spec.get("role", "")
            )
        self._project_and_contract()
        self._invoices()
        self._pulses()
        self._interactions()
        return client

    def _day(self, week: int, weekday: int) -> dt.date:
        return week_start(self.anchor, week) + dt.timedelta(days=weekday)

    def _project_and_contract(self) -> None:
        spec, terms = self.data["project"], self.data["contract"]
        turning = self.story.turning_point_week
        self.project = Project.objects.create(
            client=self.client,
            name=spec["name"],
            description=spec.get("description", ""),
            starts_on=self._day(spec.get("start_week", 0), 0),
            ends_on=self._day(spec.get("end_week", DEMO_WEEKS), 4),
        )
        contract = Contract.objects.create(
            project=self.project,
            reference=terms.get("reference", ""),
            signed_on=self._day(terms.get("signed_week", 0), 1),
            amount=Decimal(terms["amount"]) if "amount" in terms else None,
            revision_rounds_allowed=terms.get("revision_rounds_allowed", 2),
            payment_terms_days=terms.get("payment_terms_days", 30),
            payment_terms=terms.get("payment_terms", ""),
            termination_clause=terms.get("termination_clause", ""),
            notice_period_days=terms.get("notice_period_days", 30),
            confidentiality=terms.get("confidentiality", ""),
            client_contact=self.contacts[self.story.point_of_contact["key"]],
            agency_contact=self.am,
        )
        ScopeItem.objects.bulk_create(
            [
                ScopeItem(contract=contract, title=t, included=True, position=i)
                for i, t in enumerate(terms.get("scope", []))
            ]
            + [
                ScopeItem(contract=contract, title=t, included=False, position=i)
                for i, t in enumerate(terms.get("exclusions", []))
            ]
        )
        self.milestones = []
        for item in terms.get("milestones", []):
            due = self._day(item["week"], 4)
            reached = due < self.anchor and (turning is None or item["week"] < turning)
            self.milestones.append(
                Milestone.objects.create(
                    project=self.project,
                    title=item["title"],
                    due_on=due,
                    done_on=due if reached else None,
                )
            )
        RevisionRound.objects.bulk_create(
            RevisionRound(
                project=self.project, requested_on=self._day(r["week"], 2), note=r.get("note", "")
            )
            for r in self.data.get("revisions", [])
            if self._day(r["week"], 2) < self.anchor
        )
        self.contract = contract

    def _invoices(self) -> None:
        terms_days = self.contract.payment_terms_days
        for spec in self.data["invoices"]:
            issued = self._day(spec["week"], 1)
            if issued >= self.anchor:
                continue
            paid_on = None
            if "paid_after_days" in spec:
                paid = issued + dt.timedelta(days=int(spec["paid_after_days"]))
                paid_on = paid if paid < self.anchor else None
            Invoice.objects.create(
                client=self.client,
                project=self.project,
                number=spec["number"],
                amount=Decimal(spec["amount"]),
                issued_on=issued,
                due_on=issued + dt.timedelta(days=terms_days),
                paid_on=paid_on,
                disputed=bool(spec.get("disputed", False)),
                dispute_reason=spec.get("dispute_reason", ""),
            )

    def _pulses(self) -> None:
        members = [self.am, *self.team]
        pulses = []
        for span in self.data["pulses"]:
            low, high = span["rating"]
            comments = span.get("comments", [])
            for week in range(*span["weeks"]):
                for member in members:
                    rating = self.rng.randint(low, high)
                    comment = ""
                    if comments and self.rng.random() < 0.35:
                        comment = self.rng.choice(comments)
                    pulses.append(
                        TeamPulse(
                            client=self.client,
                            member=member,
                            week=week_start(self.anchor, week),
                            rating=rating,
                            comment=comment,
                        )
                    )
        TeamPulse.objects.bulk_create(pulses)

    # -- interactions ----------------------------------------------------------------------

    def _fill(self, text: str, week: int, contact: dict[str, Any]) -> str:
        scope = self.data["contract"].get("scope") or [self.data["project"]["name"]]
        upcoming = [m for m in self.data["contract"].get("milestones", []) if m["week"] >= week]
        milestone = (upcoming or self.data["contract"].get("milestones") or [{"title": ""}])[0]
        weekday = WEEKDAYS[self.lang][self.rng.randint(0, 4)]
        return text.strip().format_map(
            {
                "contact_first": contact["name"].split()[0],
                "am_first": self.am.first_name,
                "project": self.data["project"]["name"],
                "deliverable": self.rng.choice(scope),
                "milestone": milestone["title"],
                "weekday": weekday,
            }
        )

    def _moment(self, week: int, after_hours: bool) -> dt.datetime:
        if after_hours:
            if self.rng.random() < 0.5:
                day, hour = self.rng.randint(5, 6), self.rng.randint(9, 22)
            else:
                day, hour = self.rng.randint(0, 4), self.rng.choice([6, 21, 22, 23])
        else:
            day, hour = self.rng.randint(0, 4), self.rng.randint(8, 18)
        local = dt.datetime.combine(
            self._day(week, day), dt.time(hour, self.rng.randint(0, 59)), tzinfo=self.tz
        )
        return local

    def _later(
        self, moment: dt.datetime, hours: list[int], after_hours: bool = False
    ) -> dt.datetime:
        """Return when an answer to `moment` goes out, in working hours unless `after_hours`."""
        delay = dt.timedelta(minutes=self.rng.randint(int(hours[0] * 60), int(hours[1] * 60)))
        later = moment + delay
        if after_hours:
            return later
        # Working people answer in working hours: push night and weekend answers to the
        # next working morning.
        if later.hour >= 20:
            later = dt.datetime.combine(
                later.date() + dt.timedelta(days=1), dt.time(8), tzinfo=self.tz
            )
        elif later.hour < 7:
            later = dt.datetime.combine(later.date(), dt.time(8), tzinfo=self.tz)
        while later.weekday() >= 5:
            later = dt.datetime.combine(
                later.date() + dt.timedelta(days=1), dt.time(8), tzinfo=self.tz
            )
        return later + dt.timedelta(minutes=self.rng.randint(0, 59)) if later.hour == 8 else later

    def _message_id(self, domain: str) -> str:
        self.sequence += 1
        return f"<demo-{self.story.key}-{self.sequence:04d}@{domain}>"

    def _user_spec(self, user: User, role: str) -> ParticipantSpec:
        return ParticipantSpec(
            role=role, address=user.email, name=user.get_full_name(), user_id=user.pk
        )

    def _contact_spec(self, key: str, role: str) -> ParticipantSpec:
        contact = self.contacts[key]
        return ParticipantSpec(
            role=role,
            address=self.story.contact(key)["email"],
            name=contact.name,
            contact_id=contact.pk,
        )

    def _save(self, **kwargs: Any) -> bool:
        if kwargs["occurred_at"] >= self.cutoff:
            return False
        record_interaction(
            workspace=self.workspace,
            client=self.client,
            project=self.project,
            source="demo",
            refresh_activity=False,
            **kwargs,
        )
        self.interactions += 1
        return True

    def _client_email(
        self,
        week: int,
        phase: dict[str, Any],
        message: dict[str, Any],
        at: dt.datetime | None = None,
        reply_to: tuple[str, str] | None = None,
    ) -> tuple[str, str, dt.datetime, str] | None:
        """Save an email from the client; return (message id, subject, time, sender key)."""
        sender_key = message.get("from") or self.story.point_of_contact["key"]
        sender = self.story.contact(sender_key)
        if at is None:
            at = self._moment(week, self.rng.random() < phase.get("after_hours_share", 0.0))
        subject = self._fill(message["subject"], week, sender)
        in_reply_to = ""
        if reply_to is not None:
            in_reply_to, subject = reply_to[0], _reply_subject(reply_to[1], self.lang)
        recipients = [self._user_spec(self.am, InteractionParticipant.Role.TO)]
        bypass = "channel_bypass" in message.get("signals", []) or (
            self.rng.random() < phase.get("bypass_share", 0.0)
        )
        if self.team and bypass:
            # Writing straight to the people doing the work, around the agreed contact:
            # to those the message greets by name, else to the whole team.
            named = [u for u in self.team if u.first_name and u.first_name in message["body"]]
            recipients = [
                self._user_spec(u, InteractionParticipant.Role.TO) for u in (named or self.team)
            ]
            recipients.append(self._user_spec(self.am, InteractionParticipant.Role.CC))
        message_id = self._message_id(self.data["domains"][0])
        saved = self._save(
            channel=Channel.EMAIL,
            direction=Direction.FROM_CLIENT,
            occurred_at=at,
            subject=subject,
            body_text=self._fill(message["body"], week, sender),
            participants=[
                self._contact_spec(sender_key, InteractionParticipant.Role.FROM),
                *recipients,
            ],
            message_id=message_id,
            in_reply_to=in_reply_to,
        )
        return (message_id, subject, at, sender_key) if saved else None

    def _our_email(
        self,
        week: int,
        body: str,
        subject: str,
        at: dt.datetime,
        reply_to: str = "",
        to_key: str | None = None,
    ) -> tuple[str, str, dt.datetime] | None:
        """Save an email of ours to `to_key` (default: the point of contact)."""
        recipient = self.story.contact(to_key)
        message_id = self._message_id(DEMO_DOMAIN)
        saved = self._save(
            channel=Channel.EMAIL,
            direction=Direction.TO_CLIENT,
            occurred_at=at,
            subject=subject,
            body_text=self._fill(body, week, recipient),
            participants=[
                self._user_spec(self.am, InteractionParticipant.Role.FROM),
                self._contact_spec(recipient["key"], InteractionParticipant.Role.TO),
            ],
            message_id=message_id,
            in_reply_to=reply_to,
        )
        return (message_id, subject, at) if saved else None

    def _interactions(self) -> None:
        for phase in self.data["phases"]:
            inbound = _Cycle(phase.get("inbound", []))
            outbound = _Cycle(phase["outbound"])
            calls = _Cycle(phase.get("calls", []))
            for week in range(*phase["weeks"]):
                self._week(week, phase, inbound, outbound, calls)

    def _week(
        self, week: int, phase: dict[str, Any], inbound: _Cycle, outbound: _Cycle, calls: _Cycle
    ) -> None:
        poc = self.story.point_of_contact
        for _ in range(self.rng.randint(*phase["inbound_per_week"])):
            sent = self._client_email(week, phase, inbound.next())
            if sent and self.rng.random() < OUR_REPLY_SHARE:
                message_id, subject, at, sender_key = sent
                answer_at = self._later(at, phase.get("our_reply_hours", [1, 8]))
                self._our_email(
                    week,
                    self.rng.choice(self.replies),
                    _reply_subject(subject, self.lang),
                    answer_at,
                    reply_to=message_id,
                    to_key=sender_key,
                )
        for _ in range(self.rng.randint(*phase.get("outbound_per_week", [0, 0]))):
            message = outbound.next()
            at = self._moment(week, after_hours=False)
            ours = self._our_email(
                week, message["body"], self._fill(message["subject"], week, poc), at
            )
            if (
                ours
                and phase.get("inbound")
                and self.rng.random() < phase.get("client_reply_share", 0.8)
            ):
                answer_at = self._later(
                    at,
                    phase.get("client_reply_hours", [2, 24]),
                    after_hours=self.rng.random() < phase.get("after_hours_share", 0.0),
                )
                self._client_email(
                    week, phase, inbound.next(), at=answer_at, reply_to=(ours[0], ours[1])
                )
        if phase.get("calls"):
            for _ in range(self.rng.randint(*phase.get("calls_per_week", [0, 0]))):
                self._call(week, calls.next())

    def _call(self, week: int, note: dict[str, Any]) -> None:
        channel = note.get("channel", Channel.CALL)
        default_direction = (
            Direction.FROM_CLIENT if channel == Channel.CALL else Direction.TO_CLIENT
        )
        poc = self.story.point_of_contact
        # The team writes its call notes in French, whatever the client's language.
        subject = {"call": "Appel", "meeting": "Réunion"}[channel]
        self._save(
            channel=channel,
            direction=note.get("direction", default_direction),
            occurred_at=self._moment(week, after_hours=False),
            subject=f"{subject} — {poc['name']}",
            body_text=self._fill(note["summary"], week, poc),
            participants=[
                self._contact_spec(poc["key"], InteractionParticipant.Role.ATTENDEE),
                self._user_spec(self.am, InteractionParticipant.Role.ATTENDEE),
            ],
        )


def _reply_subject(subject: str, lang: str) -> str:
    prefix = "RE : " if lang == "fr" else "Re: "
    if subject.lower().startswith(("re:", "re :")):
        return subject
    return prefix + subject


def _demo_users(workspace: Workspace) -> dict[str, User]:
    """Create (or reuse) the agency's people; only `demo` can log in."""
    user_model = get_user_model()
    users: dict[str, User] = {}
    for username, full_name, role in DEMO_TEAM:
        first, _, last = full_name.partition(" ")
        user, created = user_model.objects.get_or_create(
            username=username,
            defaults={"first_name": first, "last_name": last, "email": f"{username}@{DEMO_DOMAIN}"},
        )
        if created:
            if username == DEMO_USERNAME:
                user.set_password(DEMO_PASSWORD)
            else:
                user.set_unusable_password()
            user.save()
        add_member(workspace=workspace, user=user, role=role)
        users[username] = user
    return users


@transaction.atomic
def build_demo(anchor: dt.date | None = None) -> DemoResult:
    """Replace the demo workspace with a fresh one built from the stories."""
    anchor = anchor or dt.date.today()  # noqa: DTZ011 - a calendar date, not an instant
    stories = load_stories()
    replies = load_replies()
    Workspace.objects.filter(slug=DEMO_SLUG).delete()
    workspace = create_workspace(slug=DEMO_SLUG, name=DEMO_NAME, domains=[DEMO_DOMAIN])
    users = _demo_users(workspace)
    result = DemoResult(workspace=workspace, anchor=monday_of(anchor))
    client_ids = []
    for story in stories:
        builder = _StoryBuilder(story, workspace, users, anchor, replies)
        client = builder.build()
        client_ids.append(client.pk)
        turning = story.turning_point_week
        result.turning_points[story.key] = (
            week_start(anchor, turning) if turning is not None else None
        )
    refresh_client_activity(client_ids)
    # The demo is read at once: analyse its messages now rather than in the background.
    analyse_stale(Interaction.objects.filter(workspace=workspace))
    from accalmie.core.stats import workspace_counts

    result.counts = workspace_counts(workspace)
    return result


def demo_fingerprint(workspace: Workspace) -> str:
    """Return a hash of the demo's content: equal for two loads with the same anchor."""
    return hashlib.sha256("\n".join(_fingerprint_lines(workspace)).encode()).hexdigest()


def _fingerprint_lines(workspace: Workspace) -> Iterator[str]:

    for it in (
        Interaction.objects.filter(workspace=workspace)
        .order_by("client__name", "occurred_at", "subject", "body_text")
        .values_list("client__name", "occurred_at", "channel", "direction", "subject", "body_text")
    ):
        yield "|".join(str(v) for v in it)
    for inv in (
        Invoice.objects.filter(client__workspace=workspace)
        .order_by("client__name", "number")
        .values_list("client__name", "number", "amount", "issued_on", "paid_on", "disputed")
    ):
        yield "|".join(str(v) for v in inv)
    for pulse in (
        TeamPulse.objects.filter(client__workspace=workspace)
        .order_by("client__name", "week", "member__username")
        .values_list("client__name", "week", "member__username", "rating", "comment")
    ):
        yield "|".join(str(v) for v in pulse)
