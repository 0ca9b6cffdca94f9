"""The app by role through AppTest with a simulated user: pages, refusals, the Logg page."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from store import Store
from ui.text import WORD_JOINER, escape_markdown

APP = str(Path(__file__).resolve().parent.parent / "app.py")
ROLES = {
    "admin": ["anna@forbund.se"],
    "uploader": ["projektledare"],  # a group
    "viewer": ["ledamot@kommun.se"],
}
AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "test",
    "client_id": "lagesbild",
    "client_secret": "test",
    "server_metadata_url": "https://login.example/.well-known/openid-configuration",
}


@pytest.fixture(scope="module")
def demo_database(tmp_path_factory) -> str:
    return f"sqlite:///{tmp_path_factory.mktemp('access') / 'demo.db'}"


def _app(url: str, monkeypatch: pytest.MonkeyPatch, user: dict | None, sign_in: bool = True):
    monkeypatch.setenv("DATABASE_URL", url)
    st.cache_resource.clear()
    st.cache_data.clear()
    at = AppTest.from_file(APP, default_timeout=120)
    if sign_in:
        at.secrets["auth"] = AUTH
        at.secrets["lagesbild"] = {"roles": ROLES}
    if user is not None:
        at.user = user
    return at.run()


def _signed_in(email: str, groups: list[str] | None = None) -> dict:
    return {"is_logged_in": True, "email": email, "name": email, "groups": groups or []}


def _texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [e.value for e in at.error]
    parts += [i.value for i in at.info] + [t.value for t in at.title]
    return "\n".join(parts)


def test_local_mode_says_so_and_gives_every_page(demo_database, monkeypatch) -> None:
    at = _app(demo_database, monkeypatch, None, sign_in=False)
    assert not at.exception
    assert any(i.value.startswith("Lokalt läge") for i in at.sidebar.info)
    at.switch_page("views/logg.py").run()
    assert not at.exception
    assert [t.value for t in at.title] == ["Logg"]
    assert any(s.value == "Gallring" for s in at.subheader)


def test_not_signed_in_sees_a_sign_in_button_only(demo_database, monkeypatch) -> None:
    at = _app(demo_database, monkeypatch, {"is_logged_in": False})
    assert not at.exception
    assert [b.label for b in at.button] == ["Logga in"]
    assert len(at.metric) == 0 and len(at.dataframe) == 0


def test_signed_in_without_a_role_sees_a_refusal_and_nothing_else(
    demo_database, monkeypatch
) -> None:
    at = _app(demo_database, monkeypatch, _signed_in("okand@annan.se"))
    assert not at.exception
    assert "ingen roll" in at.error[0].value
    assert escape_markdown("okand@annan.se") in at.error[0].value
    assert [b.label for b in at.button] == ["Logga ut"]
    assert len(at.metric) == 0 and len(at.dataframe) == 0


@pytest.mark.parametrize(
    ("user", "upload", "log"),
    [
        (_signed_in("ledamot@kommun.se"), False, False),
        (_signed_in("pl@kommun.se", ["projektledare"]), True, False),
        (_signed_in("Anna@Forbund.se"), True, True),
    ],
    ids=["viewer", "uploader", "admin"],
)
def test_pages_follow_the_role(demo_database, monkeypatch, user, upload, log) -> None:
    at = _app(demo_database, monkeypatch, user)
    assert not at.exception
    assert len(at.metric) > 0  # every role sees the overview
    assert any(
        user["email"] in m.value.replace("\\", "").replace(WORD_JOINER, "")
        for m in at.sidebar.markdown
    )

    for page, allowed in (("views/ladda_upp.py", upload), ("views/logg.py", log)):
        if allowed:
            at.switch_page(page).run()
            assert not at.exception
        else:
            # Not in this user's navigation: the page cannot be reached at all.
            with pytest.raises(ValueError, match="Could not find a navigation page"):
                at.switch_page(page)
    if upload:
        at.switch_page("views/ladda_upp.py").run()
        assert len(at.file_uploader) == 1

    at.switch_page("views/mal.py").run()
    assert not at.exception
    assert any(e.label == "Administrera" for e in at.expander) is log


def test_logg_page_lists_the_entries_and_purge_asks_for_confirmation(tmp_path, monkeypatch) -> None:
    url = f"sqlite:///{tmp_path / 'logg.db'}"
    at = _app(url, monkeypatch, _signed_in("anna@forbund.se"))
    at.switch_page("views/logg.py").run()
    assert not at.exception
    shown = at.dataframe[0].value
    assert "Import" in set(shown["Åtgärd"])

    store = Store(url)
    project = at.selectbox(key="purge_project").value
    before = len(store.history())
    assert "raderas för gott" in at.warning[0].value
    gallra = next(b for b in at.button if b.label == "Gallra")
    assert gallra.disabled
    at.checkbox(key="purge_confirm").check().run()
    next(b for b in at.button if b.label == "Gallra").click().run()
    assert not at.exception
    assert any("Gallrat" in s.value for s in at.success)
    assert len(store.history()) < before
    cutoff = date.today().replace(day=1).strftime("%Y-%m")
    assert all(r.project != project or r.report_month >= cutoff for r in store.history())
    entry = store.audit_entries()[0]
    assert (entry["actor"], entry["action"]) == ("anna@forbund.se", "purge")
