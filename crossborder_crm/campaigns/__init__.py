"""Campaigns: for now the holiday calendar per country (public holidays and shopping days)."""
