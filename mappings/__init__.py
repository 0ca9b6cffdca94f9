"""Mappings of projects' own spreadsheets: stored versions, the command line, the template."""
