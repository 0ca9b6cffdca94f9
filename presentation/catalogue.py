"""The catalogue as users read it: a table of definitions and the outcome rules in words."""

from __future__ import annotations

import polars as pl

from metrics.catalogue import CATALOGUE, Metric
from metrics.costs import COST_METRICS, CostMetric

KIND_LABELS = {
    "count": "Antal",
    "share": "Andel",
    "median": "Median",
    "difference": "Skillnad",
    "cost": "Kostnad",
}


def catalogue_table() -> pl.DataFrame:
    """Every metric a page, goal or the command line can show: the catalogue's, then the
    costs per participant."""
    metrics: list[Metric | CostMetric] = [*CATALOGUE.values(), *COST_METRICS.values()]
    return pl.DataFrame(
        {
            "Mått": [m.label for m in metrics],
            "Definition": [m.definition for m in metrics],
            "Täljare": [m.numerator for m in metrics],
            "Nämnare": [m.denominator or "–" for m in metrics],
            "Typ": [KIND_LABELS[m.kind] for m in metrics],
            "Id": [m.id for m in metrics],
        }
    )


def definition(metric_id: str) -> str:
    """The one-sentence definition, for hover help next to a number."""
    metric = CATALOGUE.get(metric_id) or COST_METRICS[metric_id]
    parts = [metric.definition]
    if metric.denominator:
        parts.append(f"Täljare: {metric.numerator}. Nämnare: {metric.denominator}.")
    return " ".join(parts)


def outcome_rules() -> str:
    return "\n".join(
        [
            "Reglerna prövas i tur och ordning; den första som stämmer gäller.",
            "",
            "1. Avslutsorsak *felregistrering*: räknas inte alls.",
            "2. Försörjning vid avslut är sjukersättning eller aktivitetsersättning: "
            "**Sjuk- eller aktivitetsersättning** (med kompletterande bistånd om "
            "ekonomiskt bistånd vid avslut är helt eller delvis).",
            "3. Inget ekonomiskt bistånd vid avslut: **Självförsörjande**, via arbete, "
            "studier eller annan inkomst.",
            "4. Helt eller delvis ekonomiskt bistånd vid avslut: **Fortsatt ekonomiskt bistånd**.",
            "5. Annars: **Okänt**. Okända utfall visas alltid, de tas aldrig bort.",
            "",
            "Deltagare utan slutdatum är **pågående**: de räknas i antal och flöden men inte i "
            "utfallsandelarna. Anonyma deltagare räknas för sig och ingår i ingen uppdelning.",
        ]
    )
