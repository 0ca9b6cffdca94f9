"""Outcome of each participation, by the rules in DOMAIN.md (first matching rule wins)."""

from __future__ import annotations

import polars as pl

OUTCOMES: tuple[str, ...] = ("self_sufficient", "sick_compensation", "continued_aid", "unknown")

#: Swedish labels of the outcome categories, including the state of ongoing participations.
OUTCOME_LABELS: dict[str, str] = {
    "self_sufficient": "Självförsörjande",
    "sick_compensation": "Sjuk- eller aktivitetsersättning",
    "continued_aid": "Fortsatt ekonomiskt bistånd",
    "unknown": "Okänt",
    "ongoing": "Pågående",
}

#: Sub-categories of self-sufficiency.
OUTCOME_DETAIL_LABELS: dict[str, str] = {
    "work": "Arbete",
    "studies": "Studier",
    "other_income": "Annan försörjning",
}

EXCLUDED_EXIT = "felregistrering"
SICK_COMPENSATION_INCOMES: tuple[str, ...] = ("sjukersattning", "aktivitetsersattning")
AID_CODES: tuple[str, ...] = ("helt", "delvis")


def _is_in(column: str, values: tuple[str, ...]) -> pl.Expr:
    # A missing value is "not in the list", never null, so the rule chain falls through.
    return pl.col(column).is_in(values).fill_null(False)


def _eq(column: str, value: str) -> pl.Expr:
    return pl.col(column).eq_missing(value)


def is_excluded() -> pl.Expr:
    """Registered by mistake: excluded from every count."""
    return _eq("exit_reason", EXCLUDED_EXIT)


def is_ended() -> pl.Expr:
    return pl.col("end_date").is_not_null()


def outcome_conditions() -> dict[str, pl.Expr]:
    """Boolean expression per outcome, for rows that are not excluded.

    The rules' order is built in (each condition excludes the earlier ones), so exactly one
    holds for every ended row. The metric catalogue sums these directly, which is much
    faster than comparing strings, and :func:`outcome_expr` is built from the same ones.
    """
    ended = is_ended()
    sick = ended & _is_in("income_end", SICK_COMPENSATION_INCOMES)
    self_sufficient = ended & ~sick & _eq("aid_end", "inget")
    continued = ended & ~sick & _is_in("aid_end", AID_CODES)
    return {
        "sick_compensation": sick,
        "self_sufficient": self_sufficient,
        "continued_aid": continued,
        "unknown": ended & ~sick & ~self_sufficient & ~continued,
    }


def work_or_studies_condition() -> pl.Expr:
    """The route out of aid was work or studies (meaningful for self-sufficient rows)."""
    return _is_in("income_end", ("lon", "studiemedel")) | _is_in(
        "exit_reason", ("arbete", "studier")
    )


def outcome_expr() -> pl.Expr:
    """Expression for the ``outcome`` column (codes of OUTCOMES, "ongoing" or "excluded")."""
    conditions = outcome_conditions()
    expr = pl.when(is_excluded()).then(pl.lit("excluded")).when(~is_ended()).then(pl.lit("ongoing"))
    for name in ("sick_compensation", "self_sufficient", "continued_aid"):
        expr = expr.when(conditions[name]).then(pl.lit(name))
    return expr.otherwise(pl.lit("unknown"))


def with_outcome(cases: pl.LazyFrame | pl.DataFrame) -> pl.LazyFrame:
    """Add ``outcome``, ``outcome_detail`` and ``complementary_aid``.

    ``outcome_detail`` splits self-sufficiency: the income at exit decides first (``lon``
    work, ``studiemedel`` studies); when it says neither, the exit reason (``arbete``,
    ``studier``) does; anything else is other income. ``complementary_aid`` is only
    defined for sick compensation.
    """
    outcome = outcome_expr()
    self_sufficient = outcome == "self_sufficient"
    detail = (
        pl.when(~self_sufficient)
        .then(pl.lit(None, dtype=pl.String))
        .when(_eq("income_end", "lon"))
        .then(pl.lit("work"))
        .when(_eq("income_end", "studiemedel"))
        .then(pl.lit("studies"))
        .when(_eq("exit_reason", "arbete"))
        .then(pl.lit("work"))
        .when(_eq("exit_reason", "studier"))
        .then(pl.lit("studies"))
        .otherwise(pl.lit("other_income"))
    )
    complementary = (
        pl.when(outcome == "sick_compensation")
        .then(_is_in("aid_end", AID_CODES))
        .otherwise(pl.lit(None, dtype=pl.Boolean))
    )
    return cases.lazy().with_columns(
        outcome.alias("outcome"),
        detail.alias("outcome_detail"),
        complementary.alias("complementary_aid"),
    )
