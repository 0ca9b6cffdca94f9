"""Shared fixtures: a SQLite file per test and a throwaway PostgreSQL database per session."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@pytest.fixture(scope="session", autouse=True)
def snapshot_cache_outside_the_repo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """A PostgreSQL store keeps its Parquet cache in a temporary folder, not in ``data/``."""
    from store.snapshot_cache import CACHE_DIR_SETTING

    before = os.environ.get(CACHE_DIR_SETTING)
    os.environ[CACHE_DIR_SETTING] = str(tmp_path_factory.mktemp("snapshot-cache"))
    yield
    if before is None:
        del os.environ[CACHE_DIR_SETTING]
    else:
        os.environ[CACHE_DIR_SETTING] = before


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    """A SQLite database file of its own for each test."""
    return f"sqlite:///{tmp_path / 'lagesbild.db'}"


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session, dropped afterwards.

    Skips when PostgreSQL cannot be reached, unless ``LAGESBILD_REQUIRE_POSTGRES=1`` says
    the run must cover it (then the tests fail instead).
    """
    base = sa.make_url(os.environ.get("LAGESBILD_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL))
    admin = sa.create_engine(
        base, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5}
    )
    try:
        with admin.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
    except sa.exc.OperationalError as exc:
        admin.dispose()
        reason = f"PostgreSQL nås inte på {base.render_as_string()}: {exc.orig}"
        if os.environ.get("LAGESBILD_REQUIRE_POSTGRES") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    name = f"lagesbild_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _reset_postgres(url: str) -> None:
    """Empty the session database so each test starts from nothing."""
    engine = sa.create_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(sa.text("DROP SCHEMA public CASCADE"))
            connection.execute(sa.text("CREATE SCHEMA public"))
    finally:
        engine.dispose()


@pytest.fixture(
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)],
)
def database_url(request: pytest.FixtureRequest) -> str:
    """An empty database on each backend the store supports, one test at a time."""
    if request.param == "sqlite":
        return request.getfixturevalue("sqlite_url")
    url = request.getfixturevalue("postgres_url")
    _reset_postgres(url)
    return url


@pytest.fixture(scope="session")
def browser_prerequisites() -> None:
    """Chromium and axe-core, or a skip with the reason (a failure in CI)."""
    from tests import browser as harness

    missing = harness.missing_prerequisites()
    if missing:
        reason = "Webbläsartestet kräver: " + "; ".join(missing)
        if os.environ.get("LAGESBILD_REQUIRE_BROWSER") == "1":
            pytest.fail(reason)
        pytest.skip(reason)


@pytest.fixture(scope="session")
def chromium(browser_prerequisites: None) -> Iterator[object]:
    """One headless Chromium for the whole run: Playwright's sync API allows one at a time."""
    from tests import browser as harness

    with harness.chromium() as browser:
        yield browser
