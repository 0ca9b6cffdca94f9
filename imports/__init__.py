"""What may be done with the stored imports, and by whom: history, restore, gallring."""
