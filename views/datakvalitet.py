"""Datakvalitet: how complete the exports are, unknown codes, missing months, newest uploads."""

from __future__ import annotations

import polars as pl
import streamlit as st

from metrics.quality import completeness, missing_months, newest_uploads, unknown_codes
from presentation.quality import suppressed_unknown_codes
from ui.layout import empty_state, show_table
from ui.selection import cached
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
    wide = (
        table.with_columns((pl.col("share") * 100).round(0).alias("pct"))
        .pivot(on=unit, index="label", values="pct", sort_columns=True)
        .rename({"label": "Uppgift"})
    )
    st.markdown("Procent ifyllt. Låga värden betyder att uppgiften ofta saknas i exporten.")
    show_table(wide, "Ifyllda uppgifter", key="completeness")

st.subheader("Uppgifter som är okända")
unknown = suppressed_unknown_codes(cached(unknown_codes, ("municipality",)))
show_table(unknown, "Okända koder", key="unknown")
