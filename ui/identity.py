"""Streamlit glue for identity: the session's user from ``st.user``, sign-in and refusal.

The rules (which secrets switch sign-in on, how claims become roles) are in
``access.identity``; this module only reads Streamlit's secrets and user and draws the
sign-in, refusal and mode banners.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import streamlit as st

from access.identity import role_mapping, sign_in_configured, user_from_claims
from access.roles import ROLE_LABELS, ROLES, User, local_user

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


def _secrets() -> Mapping[str, Any]:
    """The secrets as a mapping; an absent secrets file is an empty one (local mode)."""
    try:
        return st.secrets.to_dict()
    except Exception:  # StreamlitSecretNotFoundError, or an unreadable file
        return {}


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
