"""Datakvalitet: how complete the exports are, unknown codes, missing months, newest uploads."""

from __future__ import annotations

import polars as pl
import streamlit as st

from metrics.protection import SUPPRESSION_THRESHOLD
from metrics.quality import completeness, missing_months, newest_uploads, unknown_codes
from presentation.quality import (
    TOTAL_METRICS,
    completeness_table,
    protect_quality_counts,
    unknown_codes_table,
)
from ui.layout import empty_state, show_table
from ui.selection import cached, metric_frame
from ui.state import imports_frame

st.title("Datakvalitet")
st.write(
    "Här ser projektledaren var exporten har luckor. Andelarna räknas över deltagare som "
    "inte är anonyma; uppgifter vid avslut räknas bara över avslutade deltagare."
)

imports = imports_frame()
if imports.height == 0:
    empty_state("Inga exporter är inlästa ännu. Ladda upp en export under Ladda upp.")
    st.stop()

st.subheader("Senaste uppladdning per insats")
newest = newest_uploads(imports)
show_table(
    newest.select(
        pl.col("project").alias("Insats"),
        pl.col("report_month").alias("Senaste rapportmånad"),
        pl.col("imported_at")
        .dt.convert_time_zone("Europe/Stockholm")
        .dt.strftime("%Y-%m-%d %H:%M")
        .alias("Uppladdad"),
        pl.col("imported_by").alias("Av"),
    ),
    "Senaste uppladdning",
    key="newest",
)

st.subheader("Månader som saknas")
missing = missing_months(imports)
if missing.height == 0:
    st.success(
        "Ingen månad saknas mellan första och senaste uppladdningen.", icon=":material/check:"
    )
else:
    st.warning(
        f"{missing.height} månader saknas i uppladdningshistoriken. Trenderna har luckor där.",
        icon=":material/warning:",
    )
    show_table(
        missing.rename({"project": "Insats", "month": "Månad som saknas"}),
        "Månader som saknas",
        key="missing",
    )

st.subheader("Ifyllda uppgifter")
per = st.radio("Visa per", ["Kommun", "Rapportmånad"], horizontal=True)
by_month = per == "Rapportmånad"
table = cached(
    completeness, ("report_month",) if by_month else ("municipality",), over_months=by_month
)
unit = "report_month" if by_month else "municipality"
if table.height == 0:
    empty_state("Inga deltagare i urvalet.")
else:
    totals = metric_frame(TOTAL_METRICS, by=[unit], over_months=by_month)
    wide = completeness_table(protect_quality_counts(table, totals, [unit], count="known"), unit)
    st.markdown(
        "Procent ifyllt. Låga värden betyder att uppgiften ofta saknas i exporten. "
        f"”<{SUPPRESSION_THRESHOLD}” och ”dold” står där talet skulle visa eller ge bort "
        f"färre än {SUPPRESSION_THRESHOLD} deltagare."
    )
    show_table(wide, "Ifyllda uppgifter", key="completeness")

st.subheader("Uppgifter som är okända")
unknown = unknown_codes_table(
    protect_quality_counts(
        cached(unknown_codes, ("municipality",)),
        metric_frame(TOTAL_METRICS, by=["municipality"]),
        ["municipality"],
        count="unknown",
        over_all=True,
    )
)
show_table(unknown, "Okända koder", key="unknown")
