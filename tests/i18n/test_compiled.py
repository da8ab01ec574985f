"""Compiled catalogs: made from the .po, and compared with it by content."""
from __future__ import annotations

import os
from datetime import datetime, timezone

from crossborder_crm.i18n.compiled import compile_tree, matches, mo_entries, stale_catalogs, write_compiled
from tests.i18n.conftest import write_catalog


def test_compiling_writes_the_translations_into_a_mo_beside_the_po(locales):
    po = write_catalog(locales, {"Sign in": "登录"})
    mo = write_compiled(po)
    assert mo == po.with_suffix(".mo")
    assert mo_entries(mo.read_bytes())[(None, "Sign in")] == "登录"


def test_every_domain_and_language_is_compiled(locales):
    write_catalog(locales, {"Sign in": "登录"})
    write_catalog(locales, {"Hello": "你好"}, domain="emails")
    write_catalog(locales, {"Hello": "Hallo"}, domain="emails", lang="de")
    assert sorted(p.relative_to(locales).as_posix() for p in compile_tree(locales)) == [
        "de/LC_MESSAGES/emails.mo", "zh_CN/LC_MESSAGES/emails.mo", "zh_CN/LC_MESSAGES/messages.mo"]


def test_a_freshly_compiled_catalog_is_current(locales):
    write_compiled(write_catalog(locales, {"Sign in": "登录"}))
    assert stale_catalogs(locales) == []


def test_a_catalog_never_compiled_is_missing(locales):
    po = write_catalog(locales, {"Sign in": "登录"})
    assert [(s.po, s.reason) for s in stale_catalogs(locales)] == [(po, "missing")]


def test_a_mo_compiled_before_the_po_changed_is_outdated(locales):
    po = write_compiled(write_catalog(locales, {"Sign in": "登录"})).with_suffix(".po")
    write_catalog(locales, {"Sign in": "登录", "Sign out": "退出登录"})
    assert [(s.po, s.reason) for s in stale_catalogs(locales)] == [(po, "outdated")]


def test_a_po_touched_after_compiling_but_unchanged_is_still_current(locales):
    po = write_catalog(locales, {"Sign in": "登录"})
    mo = write_compiled(po)
    os.utime(mo, (1_000_000, 1_000_000))  # pip keeps no reliable mtimes: the .mo may look older
    assert stale_catalogs(locales) == []


def test_a_mo_that_is_not_a_mo_file_does_not_match(locales):
    po = write_catalog(locales, {"Sign in": "登录"})
    assert not matches(po.read_bytes(), b"not a catalog at all")


def test_dates_in_the_header_do_not_count_as_a_change(locales):
    po = write_catalog(locales, {"Sign in": "登录"})
    mo = write_compiled(po).read_bytes()
    before = po.read_bytes()
    write_catalog(locales, {"Sign in": "登录"}, revision_date=datetime(2030, 1, 1, tzinfo=timezone.utc),
                  last_translator="Someone Else <else@example.com>")
    assert po.read_bytes() != before
    assert matches(po.read_bytes(), mo)


def test_the_message_says_which_file_and_how_to_fix_it(locales):
    write_catalog(locales, {"Sign in": "登录"})
    [stale] = stale_catalogs(locales)
    assert str(locales / "zh_CN" / "LC_MESSAGES" / "messages.mo") in str(stale)
    assert "crossborder-crm i18n compile" in str(stale)


def test_plural_entries_are_compared_too(locales):
    po = write_catalog(locales, {("{n} buyer", "{n} buyers"): ("{n} 位买家",)})
    mo = write_compiled(po).read_bytes()
    assert matches(po.read_bytes(), mo)
    write_catalog(locales, {("{n} buyer", "{n} buyers"): ("{n} 个买家",)})
    assert not matches(po.read_bytes(), mo)
