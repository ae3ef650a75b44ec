"""Who is who in a workspace, to tell where a message comes from and which client it is about."""

from __future__ import annotations

from dataclasses import dataclass

from accalmie.accounts.models import Membership, Workspace, WorkspaceDomain
from accalmie.clients.models import ClientDomain, ContactEmail
from accalmie.comms.models import Direction


@dataclass(frozen=True)
class Party:
    """One address, as the workspace knows it."""

    address: str
    kind: str  # "us", "client" or "unknown"
    client_id: int | None = None
    contact_id: int | None = None
    user_id: int | None = None


@dataclass(frozen=True)
class Resolution:
    """Which way an exchange went, which client it concerns, and whom nobody knows yet."""

    direction: str
    client_id: int | None
    unknown: tuple[str, ...]


class Directory:
    """The workspace's own domains and people, its clients' domains and contacts, loaded once."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self.reload()

    def reload(self) -> None:
        """Read the workspace's people and domains again (after a contact was added)."""
        ws = self.workspace
        self.own_domains = set(
            WorkspaceDomain.objects.filter(workspace=ws).values_list("domain", flat=True)
        )
        self.users = {
            email.lower(): user_id
            for email, user_id in Membership.objects.filter(workspace=ws)
            .exclude(user__email="")
            .values_list("user__email", "user_id")
        }
        self.contacts = {
            address: (contact_id, client_id)
            for address, contact_id, client_id in ContactEmail.objects.filter(
                workspace=ws
            ).values_list("address", "contact_id", "contact__client_id")
        }
        self.client_domains = dict(
            ClientDomain.objects.filter(workspace=ws).values_list("domain", "client_id")
        )

    def _domain_match(self, domain: str, table: dict[str, int] | set[str]) -> str | None:
        # mail.client.fr belongs to client.fr: try the domain, then its parents.
        parts = domain.split(".")
        for i in range(len(parts) - 1):
            candidate = ".".join(parts[i:])
            if candidate in table:
                return candidate
        return None

    def party(self, address: str) -> Party:
        """Return who `address` is for this workspace."""
        address = address.strip().lower()
        if address in self.users:
            return Party(address, "us", user_id=self.users[address])
        if address in self.contacts:
            contact_id, client_id = self.contacts[address]
            return Party(address, "client", client_id=client_id, contact_id=contact_id)
        domain = address.rpartition("@")[2]
        if domain and self._domain_match(domain, self.own_domains):
            return Party(address, "us")
        matched = self._domain_match(domain, self.client_domains) if domain else None
        if matched is not None:
            return Party(address, "client", client_id=self.client_domains[matched])
        return Party(address, "unknown")

    def resolve(self, sender: str, recipients: list[str]) -> Resolution:
        """Return the direction, the client and the unknown addresses of an exchange."""
        origin = self.party(sender) if sender else Party("", "unknown")
        others = [self.party(r) for r in recipients if r]
        unknown = tuple(p.address for p in [origin, *others] if p.kind == "unknown" and p.address)
        if origin.kind == "client":
            return Resolution(Direction.FROM_CLIENT, origin.client_id, unknown)
        if origin.kind == "us":
            client_id = next((p.client_id for p in others if p.kind == "client"), None)
            external = any(p.kind != "us" for p in others)
            direction = Direction.TO_CLIENT if external else Direction.INTERNAL
            return Resolution(direction, client_id, unknown)
        # Someone we do not know yet wrote: it is inbound, waiting for a person to say whose.
        client_id = next((p.client_id for p in others if p.kind == "client"), None)
        return Resolution(Direction.FROM_CLIENT, client_id, unknown)
