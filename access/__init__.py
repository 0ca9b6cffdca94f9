"""Who may do what: roles, actions, the users who act, and the check every action makes."""

from access.roles import (
    ACTIONS,
    ROLES,
    AccessDenied,
    Action,
    User,
    can,
    local_user,
    require,
    system_user,
)

__all__ = [
    "ACTIONS",
    "ROLES",
    "AccessDenied",
    "Action",
    "User",
    "can",
    "local_user",
    "require",
    "system_user",
]
