"""Who is using the app or the command line, and in which mode.

*Local mode* (no ``[auth]`` in ``.streamlit/secrets.toml``): the server listens on
localhost only and the person at the machine has every role. *Sign-in mode*: Streamlit's
own OIDC sign-in (``st.login``/``st.user``/``st.logout``); roles come from the
``[lagesbild.roles]`` table of the same secrets file, by e-mail or group.

The command line runs as the OS user with every role, unless ``LAGESBILD_CLI_ROLES`` (a
comma-separated list) says otherwise; ``LAGESBILD_CLI_USER`` adds a name to the log, which
always keeps the OS user beside it.
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Mapping
from typing import Any

import streamlit as st

from access.roles import ROLE_LABELS, ROLES, User, local_user, roles_from_mapping

LOCAL_BANNER = (
    "Lokalt läge: ingen inloggning är inställd, så du har alla roller. Appen nås bara från "
    "den här datorn."
)
SIGN_IN_TEXT = (
    "Lägesbild visar förbundets uppföljning för styrgrupp och styrelse. Logga in med ditt "
    "konto i organisationen för att fortsätta."
)
NO_ROLE_TEXT = (
    "Du är inloggad som {who}, men ditt konto har ingen roll i Lägesbild och får därför "
    "inte se något här. Be förbundets administratör att ge dig rollen läsare, uppladdare "
    "eller administratör."
)

CLI_USER_ENV = "LAGESBILD_CLI_USER"
CLI_ROLES_ENV = "LAGESBILD_CLI_ROLES"


def _secrets() -> Mapping[str, Any]:
    """The secrets as a mapping; an absent secrets file is an empty one (local mode)."""
    try:
        return st.secrets.to_dict()
    except Exception:  # StreamlitSecretNotFoundError, or an unreadable file
        return {}


def sign_in_configured(secrets: Mapping[str, Any] | None = None) -> bool:
    """Sign-in mode is on when the secrets have an ``[auth]`` table."""
    return bool((secrets if secrets is not None else _secrets()).get("auth"))


def role_mapping(secrets: Mapping[str, Any] | None = None) -> Mapping[str, Any]:
    """``[lagesbild.roles]``: role -> e-mail addresses or groups."""
    found = secrets if secrets is not None else _secrets()
    return found.get("lagesbild", {}).get("roles", {}) or {}


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


def current_user() -> User | None:
    """The user of this session: the local user, a signed-in user (perhaps without any
    role), or ``None`` when sign-in is configured and nobody has signed in."""
    secrets = _secrets()
    if not sign_in_configured(secrets):
        return local_user()
    if not st.user.get("is_logged_in"):
        return None
    return user_from_claims(st.user.to_dict(), role_mapping(secrets))


def acting_user() -> User:
    """The user a page acts as: the session's user, or one without roles when nobody has
    signed in (every action then refuses)."""
    return current_user() or User(name="ej inloggad", mode="signin")


def session_user() -> User:
    """The user for this script run, or stop the run.

    Not signed in: a sign-in button and nothing else. Signed in without a role: a clear
    refusal and nothing else. Local mode: a banner says so.
    """
    from ui.text import escape_markdown

    user = current_user()
    if user is None:
        st.title("Lägesbild")
        st.write(SIGN_IN_TEXT)
        st.button("Logga in", type="primary", on_click=st.login, icon=":material/login:")
        st.stop()
    assert user is not None
    if not user.roles:
        st.title("Lägesbild")
        st.error(NO_ROLE_TEXT.format(who=escape_markdown(user.actor)), icon=":material/block:")
        st.button("Logga ut", on_click=st.logout, icon=":material/logout:")
        st.stop()
    if user.mode == "local":
        st.sidebar.info(LOCAL_BANNER, icon=":material/computer:")
    else:
        roles = ", ".join(ROLE_LABELS[r] for r in ROLES if r in user.roles)
        st.sidebar.markdown(f"Inloggad: **{escape_markdown(user.actor)}** ({roles})")
        st.sidebar.button("Logga ut", on_click=st.logout, icon=":material/logout:")
    return user


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
        return local_user(name, mode="cli")
    roles = frozenset(r.strip() for r in listed.split(",") if r.strip() in ROLES)
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
