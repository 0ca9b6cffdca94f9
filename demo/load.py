"""Load the fictitious demo set into an empty store, through the normal import path."""

from __future__ import annotations

import tempfile
from pathlib import Path

from demo.generator import write_demo_exports
from goals.service import load_demo_goals
from store import Store
from store.importer import ImportOutcome, import_export

DEMO_ACTOR = "demo"


def load_demo_set(store: Store) -> list[ImportOutcome]:
    """Write the 24 demo exports and import each one as the user "demo".

    Going through `import_export` means the demo exercises the same reading, checking and
    storing as a real upload; a demo file that fails its check is a bug, so it raises.
    """
    outcomes = []
    with tempfile.TemporaryDirectory(prefix="lagesbild-demo-") as tmp:
        for path in write_demo_exports(Path(tmp)):
            outcome = import_export(store, path.read_bytes(), path.name, actor=DEMO_ACTOR)
            if outcome.status not in ("imported", "duplicate"):
                raise RuntimeError(f"Demofilen {path.name} kunde inte läsas in: {outcome.message}")
            outcomes.append(outcome)
    load_demo_goals(store)
    return outcomes
