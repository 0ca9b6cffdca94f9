"""Budgets and outcomes (utfall) per insats and year, and the costs per participant."""
