"""Dispute and bad-review replies: this slice understands a complaint (language, category, severity)."""
