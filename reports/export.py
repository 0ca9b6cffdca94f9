"""Taking the meeting pack out: the role check, the file, and the audit entry, in one place.

Both the download buttons and ``cli.py report`` call :func:`export_report`, so a forged call
without the role is refused and logged the same way wherever it comes from.
"""

from __future__ import annotations

from typing import Literal

from access.roles import Action, User, require
from metrics.period import Period
from reports.content import ReportContent, build_report
from store import Store

ReportFormat = Literal["pdf", "html"]


def render(content: ReportContent, kind: ReportFormat) -> bytes:
    if kind == "pdf":
        from reports.pdf import render_pdf

        return render_pdf(content)
    from reports.html import render_html

    return render_html(content).encode("utf-8")


def export_report(
    store: Store,
    project: str,
    month: str | None,
    kind: ReportFormat,
    user: User,
    period: Period | None = None,
) -> tuple[ReportContent, bytes]:
    """Build the pack for ``project`` as of ``month`` if ``user`` may take it out (its goals'
    scorecard over the months of ``period``, if given).

    Raises ``AccessDenied`` (logged) without the role and ``ReportUnavailable`` when there
    is nothing to report; a pack that was made is logged with who, what and which format.
    """
    who = require(user, Action.REPORT_EXPORT, store, f"mötesunderlag {project}")
    content = build_report(store, project, month, period=period)
    data = render(content, kind)
    store.audit(
        who.actor,
        "report_export",
        f"mötesunderlag {content.project}",
        {
            "month": content.month,
            "format": kind,
            "bytes": len(data),
            **({"period": period.code} if period is not None else {}),
        },
    )
    return content, data
