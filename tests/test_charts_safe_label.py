"""Names from files become inert text in Plotly: one place, used by the builders."""

from __future__ import annotations

from charts.layout import finish_figure, new_figure, safe_label, unit_name

HOSTILE = '<img src=x onerror=alert(1)> & <a href="javascript:alert(2)">x</a>'


def test_safe_label_leaves_no_markup_and_plain_names_alone() -> None:
    inert = safe_label(HOSTILE)
    assert "<" not in inert and ">" not in inert
    assert inert.startswith("&lt;img src=x onerror=alert(1)&gt; &amp; ")
    assert safe_label("Upplands Väsby") == "Upplands Väsby"


def test_unit_names_from_files_and_titles_are_made_inert() -> None:
    assert unit_name("district", HOSTILE) == safe_label(HOSTILE)
    assert unit_name("gender", "K") == "Kvinna"  # coded values keep their labels
    fig = finish_figure(new_figure(), f"Utfall för {HOSTILE}", subtitle=HOSTILE)
    assert "<" not in fig.layout.title.text
    assert "<" not in fig.layout.title.subtitle.text
