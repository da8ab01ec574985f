"""The shipped catalogs: complete, not fuzzy, placeholders as in the source, compiled (both domains)."""
from __future__ import annotations

from crossborder_crm.i18n.catalogs import DOMAINS, catalog_paths, check, template_path

# The buyer languages the emails must speak, and the panel's.
EMAIL_LANGUAGES = {"en", "es", "fr", "de", "it", "pt_BR", "nl", "pl", "sv", "ru", "tr", "ar", "he", "ja", "ko"}


def test_the_catalogs_have_no_missing_fuzzy_or_mismatched_entry():
    assert [str(p) for p in check()] == []


def test_every_email_language_has_a_catalog():
    shipped = {p.parent.parent.name for p in catalog_paths("emails")}
    assert EMAIL_LANGUAGES <= shipped


def test_every_domain_has_its_template():
    assert all(template_path(d).is_file() for d in DOMAINS)
