"""Who may do what: roles, the current user, and the check every action makes."""

from access.roles import (
    ACTIONS,
    ROLES,
    AccessDenied,
    User,
    as_user,
    can,
    local_user,
    require,
)

__all__ = [
    "ACTIONS",
    "ROLES",
    "AccessDenied",
    "User",
    "as_user",
    "can",
    "local_user",
    "require",
]
