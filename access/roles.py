"""The role model: three roles, the actions each may take, and the check that refuses.

The check runs where the action runs (the services below the pages and the command line:
``store.importer``, ``imports.service``, ``goals.service``, ...), not only where a page
hides a button, so a forged call is refused too. A refusal is written to the audit log
before it is raised.

Actions are ``Action`` members, never strings, and the one acting is always a ``User``: a
page's signed-in user, the command line's user (``access.identity.cli_user``), or a
``system_user`` for the server's own work (loading the demo set, a benchmark).

This module imports nothing from the store: the store and the services below the pages
call ``require`` with themselves as the audit log.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal, Protocol

Role = Literal["admin", "uploader", "viewer"]
Mode = Literal["local", "signin", "cli", "system"]
ROLES: tuple[Role, ...] = ("admin", "uploader", "viewer")

ROLE_LABELS: dict[str, str] = {
    "admin": "administratör",
    "uploader": "uppladdare",
    "viewer": "läsare",
}


class Action(StrEnum):
    """What a user may be allowed to do; ``ACTIONS`` says who may."""

    VIEW = "view"
    IMPORT = "import"
    REPLACE = "replace"
    RESTORE = "restore"
    REPORT_EXPORT = "report_export"
    MAPPING_EDIT = "mapping_edit"
    GOAL_EDIT = "goal_edit"
    BUDGET_EDIT = "budget_edit"
    SUPPRESSION_OFF = "suppression_off"
    PURGE = "purge"
    VIEW_AUDIT = "view_audit"
    BACKUP = "backup"
    LOAD_DEMO = "load_demo"


_EVERYONE: frozenset[Role] = frozenset({"admin", "uploader", "viewer"})
_UPLOADERS: frozenset[Role] = frozenset({"admin", "uploader"})
_ADMINS: frozenset[Role] = frozenset({"admin"})

#: Each action, what it is called in a refusal, and the roles that may take it.
ACTIONS: dict[Action, tuple[str, frozenset[Role]]] = {
    Action.VIEW: ("se lägesbilden", _EVERYONE),
    Action.IMPORT: ("importera en export", _UPLOADERS),
    Action.REPLACE: ("ersätta en importerad månad", _UPLOADERS),
    Action.RESTORE: ("återställa en tidigare import", _UPLOADERS),
    Action.REPORT_EXPORT: ("ta ut mötesunderlaget", _UPLOADERS),
    Action.MAPPING_EDIT: ("spara en koppling för en insats", _UPLOADERS),
    Action.GOAL_EDIT: ("ändra mål", _ADMINS),
    Action.BUDGET_EDIT: ("ändra budget och utfall", _ADMINS),
    Action.SUPPRESSION_OFF: ("stänga av skyddet för små tal", _ADMINS),
    Action.PURGE: ("gallra data", _ADMINS),
    Action.VIEW_AUDIT: ("se loggen", _ADMINS),
    Action.BACKUP: ("ta eller läsa tillbaka säkerhetskopior", _ADMINS),
    Action.LOAD_DEMO: ("läsa in demodatat", _ADMINS),
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
    person at the machine), ``signin`` (the identity provider), ``cli`` (the OS user) or
    ``system`` (the server's own work, see ``system_user``).
    """

    name: str
    roles: frozenset[Role] = field(default_factory=frozenset)
    email: str | None = None
    mode: Mode = "local"

    @property
    def actor(self) -> str:
        """The name written to the audit log: the e-mail when there is one."""
        return self.email or self.name

    def has_role(self, role: Role) -> bool:
        return role in self.roles


class AccessDenied(PermissionError):
    """The user lacks the role for an action; the message is Swedish and shown as is."""

    def __init__(self, user: User, action: Action) -> None:
        self.user = user
        self.action = action
        super().__init__(refusal_message(user, action))


def local_user(name: str = "lokal") -> User:
    """The person at the machine in local mode (no sign-in configured): every role."""
    return User(name=name, roles=frozenset(ROLES), mode="local")


def system_user(name: str, roles: Iterable[Role] = ROLES) -> User:
    """The server acting on its own (loading the demo set, a benchmark, a test's set-up):
    every role unless ``roles`` lists fewer. ``name`` is what the audit log shows."""
    return User(name=name, roles=frozenset(roles), mode="system")


def _checked_action(action: object) -> Action:
    """Only ``Action`` members name actions: a plain string (a typo, say) is refused."""
    if type(action) is not Action:
        raise TypeError(f"En åtgärd anges som Action, inte som {type(action).__name__}.")
    return action


def _checked_user(user: object) -> User:
    """Only a ``User`` acts: a plain name would say nothing of the roles it holds."""
    if not isinstance(user, User):
        raise TypeError(f"Den som agerar anges som User, inte som {type(user).__name__}.")
    return user


def allowed_roles(action: Action) -> frozenset[Role]:
    return ACTIONS[_checked_action(action)][1]


def can(user: User, action: Action) -> bool:
    """True when one of the user's roles may take the action."""
    return bool(_checked_user(user).roles & allowed_roles(action))


def refusal_message(user: User, action: Action) -> str:
    what = ACTIONS[_checked_action(action)][0]
    needed = " eller ".join(ROLE_LABELS[r] for r in ROLES if r in allowed_roles(action))
    return (
        f"Du ({user.actor}) har inte behörighet att {what}. Det kräver rollen {needed}; "
        "inget har ändrats. Kontakta förbundets administratör om du behöver behörigheten."
    )


def require(
    user: User,
    action: Action,
    log: AuditLog,
    target: str = "",
    detail: Mapping[str, object] | None = None,
) -> User:
    """Return the user when they may take ``action``; otherwise log the refusal and raise
    ``AccessDenied``. ``target`` and ``detail`` say what was asked for (never case data)."""
    if can(user, action):
        return user
    log.audit(
        user.actor,
        REFUSED,
        target or action.value,
        {
            "action": action.value,
            "roles": sorted(user.roles),
            "mode": user.mode,
            **(detail or {}),
        },
    )
    raise AccessDenied(user, action)


def roles_from_mapping(
    mapping: Mapping[str, object], email: str | None, groups: Iterable[str] = ()
) -> frozenset[Role]:
    """Roles for a user from a ``role = [e-mails or groups]`` table (``[lagesbild.roles]``).

    An entry with ``@`` is an e-mail address and is compared, without regard to case, with
    the e-mail claim only; any other entry is a group and is compared, as written (Entra ID
    sends object ids), with the groups claim only. So a group that happens to be called
    like an administrator's address gives nobody that administrator's roles. Unknown role
    names are ignored.
    """
    email_claim = email.strip().lower() if email else None
    group_claims = {str(g).strip() for g in groups}
    found: set[Role] = set()
    for role in ROLES:
        if role not in mapping:
            continue
        members = mapping[role]
        listed: list[object]
        if isinstance(members, str):
            listed = [members]
        elif not members:
            listed = []
        elif isinstance(members, Iterable):
            listed = list(members)
        else:
            raise TypeError(f"rollen {role} ska ha en lista med e-postadresser eller grupper")
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
    user: User, threshold: int, default: int, log: AuditLog, target: str
) -> User:
    """Hiding fewer small counts than the product's ``default`` is turning the protection
    (partly) off: only roles that may do so get past."""
    if threshold >= default:
        return _checked_user(user)
    return require(user, Action.SUPPRESSION_OFF, log, target, {"suppress": threshold})
