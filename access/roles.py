"""The role model: three roles, the actions each may take, and the check that refuses.

The check runs where the action runs (the import service, the store, the goal service, the
command line), not only where a page hides a button, so a forged call is refused too. A
refusal is written to the audit log before it is raised.

This module imports nothing from the store: the store and the services below the pages
call ``require`` with themselves as the audit log.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal, Protocol

Role = Literal["admin", "uploader", "viewer"]
ROLES: tuple[Role, ...] = ("admin", "uploader", "viewer")

ROLE_LABELS: dict[str, str] = {
    "admin": "administratör",
    "uploader": "uppladdare",
    "viewer": "läsare",
}

#: Each action, what it is called in a refusal, and the roles that may take it.
ACTIONS: dict[str, tuple[str, frozenset[str]]] = {
    "view": ("se lägesbilden", frozenset({"admin", "uploader", "viewer"})),
    "import": ("importera en export", frozenset({"admin", "uploader"})),
    "replace": ("ersätta en importerad månad", frozenset({"admin", "uploader"})),
    "restore": ("återställa en tidigare import", frozenset({"admin", "uploader"})),
    "report_export": ("ta ut mötesunderlaget", frozenset({"admin", "uploader"})),
    "mapping_edit": ("spara en koppling för en insats", frozenset({"admin", "uploader"})),
    "goal_edit": ("ändra mål", frozenset({"admin"})),
    "suppression_off": ("stänga av skyddet för små tal", frozenset({"admin"})),
    "purge": ("gallra data", frozenset({"admin"})),
    "view_audit": ("se loggen", frozenset({"admin"})),
    "backup": ("ta eller läsa tillbaka säkerhetskopior", frozenset({"admin"})),
}

#: The audit action written for every refusal.
REFUSED = "refused"


class AuditLog(Protocol):
    """What ``require`` needs of the store: a place to write who was refused what."""

    def audit(self, actor: str, action: str, target: str, detail: dict | None = None) -> None:
        """Write one audit entry."""


@dataclass(frozen=True)
class User:
    """Who is acting: a name for the log and the roles they hold.

    ``mode`` says where the identity came from: ``local`` (no sign-in configured, the
    person at the machine), ``signin`` (the identity provider) or ``cli`` (the OS user).
    """

    name: str
    roles: frozenset[str] = field(default_factory=frozenset)
    email: str | None = None
    mode: Literal["local", "signin", "cli"] = "local"

    @property
    def actor(self) -> str:
        """The name written to the audit log: the e-mail when there is one."""
        return self.email or self.name

    def has_role(self, role: str) -> bool:
        return role in self.roles


class AccessDenied(PermissionError):
    """The user lacks the role for an action; the message is Swedish and shown as is."""

    def __init__(self, user: User, action: str) -> None:
        self.user = user
        self.action = action
        super().__init__(refusal_message(user, action))


def local_user(name: str = "lokal", mode: Literal["local", "cli"] = "local") -> User:
    """The person at the machine in local mode: every role."""
    return User(name=name, roles=frozenset(ROLES), mode=mode)


def as_user(actor: User | str) -> User:
    """A plain name is an in-process caller on the server itself (a script, the demo
    loader): it runs as a local user with every role. The app always passes a ``User``."""
    return actor if isinstance(actor, User) else local_user(actor)


def allowed_roles(action: str) -> frozenset[str]:
    try:
        return ACTIONS[action][1]
    except KeyError:
        raise ValueError(f"Okänd åtgärd '{action}'.") from None


def can(user: User, action: str) -> bool:
    """True when one of the user's roles may take the action."""
    return bool(user.roles & allowed_roles(action))


def refusal_message(user: User, action: str) -> str:
    what = ACTIONS[action][0] if action in ACTIONS else action
    needed = " eller ".join(ROLE_LABELS[r] for r in ROLES if r in allowed_roles(action))
    return (
        f"Du ({user.actor}) har inte behörighet att {what}. Det kräver rollen {needed}; "
        "inget har ändrats. Kontakta förbundets administratör om du behöver behörigheten."
    )


def require(
    user: User | str,
    action: str,
    log: AuditLog,
    target: str = "",
    detail: Mapping[str, object] | None = None,
) -> User:
    """Return the user when they may take ``action``; otherwise log the refusal and raise
    ``AccessDenied``. ``target`` and ``detail`` say what was asked for (never case data)."""
    who = as_user(user)
    if can(who, action):
        return who
    log.audit(
        who.actor,
        REFUSED,
        target or action,
        {"action": action, "roles": sorted(who.roles), "mode": who.mode, **(detail or {})},
    )
    raise AccessDenied(who, action)


def roles_from_mapping(
    mapping: Mapping[str, object], email: str | None, groups: Iterable[str] = ()
) -> frozenset[str]:
    """Roles for a user from a ``role = [e-mails or groups]`` table (``[lagesbild.roles]``).

    An entry with ``@`` is an e-mail address and is compared, without regard to case, with
    the e-mail claim only; any other entry is a group and is compared, as written (Entra ID
    sends object ids), with the groups claim only. So a group that happens to be called
    like an administrator's address gives nobody that administrator's roles. Unknown role
    names are ignored.
    """
    email_claim = email.strip().lower() if email else None
    group_claims = {str(g).strip() for g in groups}
    found: set[str] = set()
    for role, members in mapping.items():
        if role not in ROLES:
            continue
        listed = [members] if isinstance(members, str) else list(members or [])  # type: ignore[call-overload]
        emails, listed_groups = split_members(listed)
        if (email_claim is not None and email_claim in emails) or (group_claims & listed_groups):
            found.add(role)
    return frozenset(found)


def split_members(members: Iterable[object]) -> tuple[set[str], set[str]]:
    """A role's entries as (e-mail addresses in lower case, group ids as written)."""
    emails: set[str] = set()
    groups: set[str] = set()
    for member in members:
        text = str(member).strip()
        if not text:
            continue
        if "@" in text:
            emails.add(text.lower())
        else:
            groups.add(text)
    return emails, groups


def require_suppression(
    user: User | str, threshold: int, default: int, log: AuditLog, target: str
) -> User:
    """Hiding fewer small counts than the product's ``default`` is turning the protection
    (partly) off: only roles that may do so get past."""
    if threshold >= default:
        return as_user(user)
    return require(user, "suppression_off", log, target, {"suppress": threshold})
