"""Helpers for tests that run ``cli.py`` as real, separate processes."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
HEADER = "deltagare_id;insats;kommun;kon;startdatum;slutdatum;bistand_slut;forsorjning_slut\n"


@dataclass
class Run:
    code: int
    out: str
    err: str


def export_file(
    path: Path, rows: int, *, project: str = "Vägval", prefix: str = "VV", offset: int = 0
) -> Path:
    """A valid export of ``rows`` participations, ids ``{prefix}{number}``."""
    lines = [HEADER]
    for i in range(offset, offset + rows):
        ended = i % 3 == 0
        lines.append(
            f"{prefix}{i:07d};{project};{('Sollentuna', 'Sigtuna')[i % 2]};{'KM'[i % 2]};"
            f"2018-{1 + i % 12:02d}-{1 + i % 28:02d};"
            + ("2019-01-15;inget;lon" if ended else ";;")
            + "\n"
        )
    path.write_text("".join(lines), encoding="utf-8")
    return path


def cli_env(url: str, **extra: str) -> dict[str, str]:
    base = {**os.environ}
    base.pop("LAGESBILD_CLI_ROLES", None)
    return {**base, "DATABASE_URL": url, **extra}


def cli_command(*args: str) -> list[str]:
    return [sys.executable, str(REPO / "cli.py"), *args]


def run_cli(url: str, *args: str, timeout: float = 180, **env: str) -> Run:
    done = subprocess.run(
        cli_command(*args),
        cwd=REPO,
        env=cli_env(url, **env),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    return Run(done.returncode, done.stdout, done.stderr)


def start_cli(url: str, *args: str, **env: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        cli_command(*args),
        cwd=REPO,
        env=cli_env(url, **env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(process: subprocess.Popen[str], timeout: float = 180) -> Run:
    out, err = process.communicate(timeout=timeout)
    return Run(process.returncode, out, err)
