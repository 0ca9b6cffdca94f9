"""Read a case export, guard it against personal data and validate it."""

from ingest.guard import mask_value
from ingest.pipeline import read_and_validate
from ingest.problems import Problem, ValidationOutcome
from ingest.report import format_report
from ingest.report_month import resolve_report_month

__all__ = [
    "Problem",
    "ValidationOutcome",
    "format_report",
    "mask_value",
    "read_and_validate",
    "resolve_report_month",
]
