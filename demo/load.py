"""Load the fictitious demo set into an empty store, through the normal import path.

Loading is an explicit step: the app takes it once per run when the database is empty and
the demo setting is on (``LAGESBILD_DEMO``, on unless set to ``0``), and ``cli.py demo``
takes it on request. Opening the store never loads anything.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

from access.roles import Action, User, require, system_user
from budgets.service import load_demo_budgets
from demo.generator import write_demo_exports
from goals.service import load_demo_goals
from store import DEMO_ACTOR, Store
from store.importer import ImportOutcome, import_export

#: ``0`` (or ``nej``, ``false``, ``off``) turns the demo set off on an empty database.
DEMO_SETTING_ENV = "LAGESBILD_DEMO"
_OFF = {"0", "nej", "false", "off", "no"}

#: Who the demo set is imported by: the audit log and ``Store.has_demo_data`` know it by it.
DEMO_USER: User = system_user(DEMO_ACTOR)


class DatabaseNotEmpty(RuntimeError):
    """The demo set goes only into an empty database; the message is Swedish."""

    def __init__(self, imports: int) -> None:
        super().__init__(
            f"Databasen har redan data ({imports} aktuella importer). Demodatat läses bara "
            "in i en tom databas, så att det aldrig blandas med riktiga uppgifter. Inget "
            "har ändrats."
        )


def demo_enabled(environ: Mapping[str, str] | None = None) -> bool:
    """Whether an empty database gets the demo set (the default) or stays empty."""
    value = (os.environ if environ is None else environ).get(DEMO_SETTING_ENV, "")
    return value.strip().lower() not in _OFF


def load_demo_set(store: Store) -> list[ImportOutcome]:
    """Write the 24 demo exports and import each one as the user "demo", then the goals and
    the budgets.

    Going through `import_export` means the demo exercises the same reading, checking and
    storing as a real upload; a demo file that fails its check is a bug, so it raises.
    """
    outcomes = []
    with tempfile.TemporaryDirectory(prefix="lagesbild-demo-") as tmp:
        for path in write_demo_exports(Path(tmp)):
            outcome = import_export(store, path.read_bytes(), path.name, actor=DEMO_USER)
            if outcome.status not in ("imported", "duplicate"):
                raise RuntimeError(f"Demofilen {path.name} kunde inte läsas in: {outcome.message}")
            outcomes.append(outcome)
    load_demo_goals(store, DEMO_USER)
    load_demo_budgets(store, DEMO_USER)
    return outcomes


def prepare_demo(store: Store, environ: Mapping[str, str] | None = None) -> bool:
    """The app's start-up step: on an empty database with the setting on, load the demo
    set; a database with the demo set gets the demo goals and budgets if it lacks any.
    Returns whether the demo set was loaded now."""
    if not demo_enabled(environ):
        return False
    if store.is_empty():
        load_demo_set(store)
        return True
    if store.has_demo_data():
        load_demo_goals(store, DEMO_USER)
        load_demo_budgets(store, DEMO_USER)
    return False


def load_demo_on_request(store: Store, user: User) -> list[ImportOutcome]:
    """``cli.py demo``: load the demo set because someone asked, whatever the setting.

    Needs the role that may load the demo (it writes imports and goals: administrators);
    a refusal is logged. A database with any current snapshot raises ``DatabaseNotEmpty``
    and is left as it was. The request is logged as ``demo_load`` by the one who asked.
    """
    require(user, Action.LOAD_DEMO, store, "demo")
    current = sum(1 for record in store.history() if record.status == "current")
    if current:
        raise DatabaseNotEmpty(current)
    outcomes = load_demo_set(store)
    store.audit(user.actor, "demo_load", "demo", {"imports": len(outcomes)})
    return outcomes
