"""Definitioner: the metric catalogue, the one definition behind every number."""

from __future__ import annotations

import streamlit as st

from metrics.period import period_explanation
from metrics.protection import protection_explanation
from presentation.catalogue import catalogue_table, outcome_rules

st.title("Definitioner")
st.write(
    "Varje siffra i Lägesbild kommer från en av definitionerna nedan. En andel räknas bara "
    "över deltagare där uppgiften är känd, och visas med sin nämnare."
)
st.dataframe(catalogue_table(), hide_index=True, width="stretch")

st.subheader("Siffror för en period")
for paragraph in period_explanation():
    st.write(paragraph)

st.subheader("Så skyddas små tal")
for paragraph in protection_explanation():
    st.write(paragraph)

st.subheader("Så avgörs utfallet för en avslutad deltagare")
st.markdown(outcome_rules())
