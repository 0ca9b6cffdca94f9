"""Fictitious demo data: the exports of an invented förbund, for trying the product out."""
