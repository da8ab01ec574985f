"""The Simplified Chinese catalog covers every string in the code, with matching placeholders."""
from __future__ import annotations

import re

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

from tests.panel.conftest import LOCALES, ROOT

PLACEHOLDER = re.compile(r"%\((\w+)\)[sdfr]|%[sdf]")


def _placeholders(text: str) -> set[str]:
    return {m.group(1) or m.group(0) for m in PLACEHOLDER.finditer(text)}


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """The message template extracted now from the source, exactly as the documented command does."""
    out = tmp_path_factory.mktemp("pot") / "messages.pot"
    CommandLineInterface().run(["pybabel", "-q", "extract", "-F", str(ROOT / "babel.cfg"),
                                "-o", str(out), str(ROOT / "crossborder_crm")])
    with out.open("rb") as f:
        return read_po(f)


@pytest.fixture(scope="module")
def zh_cn():
    with (LOCALES / "zh_CN" / "LC_MESSAGES" / "messages.po").open("rb") as f:
        return read_po(f, locale="zh_CN")


def _key(message):
    return message.id[0] if isinstance(message.id, tuple) else message.id


def test_the_panel_strings_are_extracted(template):
    ids = {_key(m) for m in template if m.id}
    assert {"Dashboard", "Buyers", "Outbox", "Sign in", "Local time now", "Draft a reply"} <= ids


def test_zh_cn_has_every_message_translated_and_none_fuzzy(template, zh_cn):
    assert not zh_cn.fuzzy, "the catalog header is marked fuzzy"
    missing, untranslated, fuzzy = [], [], []
    for m in template:
        if not m.id:
            continue
        t = zh_cn.get(m.id)
        if t is None:
            missing.append(_key(m))
        elif "fuzzy" in t.flags:
            fuzzy.append(_key(m))
        elif not (all(t.string) if isinstance(t.string, tuple) else t.string):
            untranslated.append(_key(m))
    assert not missing, f"not in locales/zh_CN/LC_MESSAGES/messages.po (run pybabel update): {missing}"
    assert not untranslated, f"empty translations: {untranslated}"
    assert not fuzzy, f"fuzzy translations: {fuzzy}"


def test_zh_cn_placeholders_match(zh_cn):
    wrong = []
    for m in zh_cn:
        if not m.id or not m.string:
            continue
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        expected = _placeholders(ids[-1])
        for s in strings:
            if _placeholders(s) != expected:
                wrong.append((ids[0], s))
    assert not wrong, wrong


def test_zh_cn_has_one_plural_form(zh_cn):
    assert zh_cn.num_plurals == 1
    for m in zh_cn:
        if isinstance(m.id, tuple):
            assert len(m.string) == 1, m.id


def test_compiled_catalog_is_used(client):
    r = client.get("/login", headers={"Accept-Language": "zh-CN"})
    assert "登录" in r.data.decode() and "Sign in" not in r.data.decode()
