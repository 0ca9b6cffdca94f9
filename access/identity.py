"""Who is using the app or the command line: the parts that need no Streamlit.

*Local mode* (no ``[auth]`` in ``.streamlit/secrets.toml``): the server listens on
localhost only and the person at the machine has every role. *Sign-in mode*: Streamlit's
own OIDC sign-in; roles come from the ``[lagesbild.roles]`` table of the same secrets file,
by e-mail or group. The Streamlit side (``st.user``, ``st.login``) is ``ui.identity``.

The command line runs as the OS user with every role, unless ``LAGESBILD_CLI_ROLES`` (a
comma-separated list) says otherwise; ``LAGESBILD_CLI_USER`` adds a name to the log, which
always keeps the OS user beside it.
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Mapping
from typing import Any

from access.roles import ROLES, Role, User, roles_from_mapping

CLI_USER_ENV = "LAGESBILD_CLI_USER"
CLI_ROLES_ENV = "LAGESBILD_CLI_ROLES"


def sign_in_configured(secrets: Mapping[str, Any]) -> bool:
    """Sign-in mode is on when the secrets have an ``[auth]`` table."""
    return bool(secrets.get("auth"))


def role_mapping(secrets: Mapping[str, Any]) -> Mapping[str, Any]:
    """``[lagesbild.roles]``: role -> e-mail addresses or groups."""
    return secrets.get("lagesbild", {}).get("roles", {}) or {}


def user_from_claims(claims: Mapping[str, Any], mapping: Mapping[str, Any]) -> User:
    """A signed-in user from the identity provider's claims (``st.user``)."""
    email = claims.get("email") or claims.get("preferred_username") or claims.get("upn")
    groups = claims.get("groups") or []
    if isinstance(groups, str):
        groups = [groups]
    name = str(claims.get("name") or email or claims.get("sub") or "inloggad")
    return User(
        name=name,
        email=str(email) if email else None,
        roles=roles_from_mapping(mapping, str(email) if email else None, groups),
        mode="signin",
    )


def cli_user(environ: Mapping[str, str] | None = None) -> User:
    """The command line's user: the OS user, every role unless ``LAGESBILD_CLI_ROLES``
    lists fewer (an empty list: none).

    ``LAGESBILD_CLI_USER`` names who is acting (a scheduled job, say), but the OS account
    stays in the name, so the log never holds a name nobody can trace.
    """
    env = os.environ if environ is None else environ
    account = _os_user()
    given = (env.get(CLI_USER_ENV) or "").strip()
    name = f"{given} (körd av {account})" if given and given != account else account
    listed = env.get(CLI_ROLES_ENV)
    if listed is None:
        return User(name=name, roles=frozenset(ROLES), mode="cli")
    wanted = {r.strip() for r in listed.split(",")}
    roles: frozenset[Role] = frozenset(r for r in ROLES if r in wanted)
    return User(name=name, roles=roles, mode="cli")


def _os_user() -> str:
    """The account the process runs as, from the OS itself: ``getpass`` would believe
    the ``USER``/``LOGNAME`` variables, which anyone can set."""
    try:
        import pwd

        return pwd.getpwuid(os.getuid()).pw_name
    except (ImportError, KeyError, OSError):  # Windows has no pwd module
        pass
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "lokal"
