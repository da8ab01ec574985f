"""The translator interface: the fake, language tags, and deep-translator's real LibreTranslator
against a LibreTranslate stand-in on loopback (slow, failing, unreachable)."""
from __future__ import annotations

import socket
import time

import pytest

from config import ConfigError, load_config
from crossborder_crm.i18n.deep_translators import DeepTranslator, pieces, provider_code
from crossborder_crm.i18n.translation_cache import CachedTranslator, make_translator, provider_translator
from crossborder_crm.i18n.translator import FakeTranslator, TranslationFailed, same_language, translation_language
from tests.libre_standin import libre  # noqa: F401 -- the fixture


@pytest.fixture
def unused_port() -> int:
    """A loopback port with nothing listening on it."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def libre_translator(server, **kw) -> DeepTranslator:
    return DeepTranslator("libre", url=server.url, **kw)


# --------------------------------------------------------------------------------- the fake


def test_fake_translator_marks_the_text_with_the_target_language():
    assert FakeTranslator().translate("Your parcel is on its way", "th", "en") == "[th] Your parcel is on its way"


def test_fake_translator_fails_with_the_reason_it_was_given():
    with pytest.raises(TranslationFailed) as caught:
        FakeTranslator(fail="timeout after 5 s").translate("Hello", "de", "en")
    assert caught.value.reason == "timeout after 5 s"


# -------------------------------------------------------------------------------- languages


@pytest.mark.parametrize("a,b,same", [("pt-BR", "pt", True), ("de", "de-AT", True), ("zh-CN", "zh-TW", True),
                                      ("iw", "he-IL", True), ("de", "en", False), ("en", None, False)])
def test_same_language_compares_the_language_part(a, b, same):
    assert same_language(a, b) is same


@pytest.mark.parametrize("tag,expected", [("th-TH", "th"), ("es-MX", "es"), ("zh-Hans-CN", "zh-CN"), ("zh-HK", "zh-TW"),
                                          ("zh-Hant", "zh-TW"), ("zh", "zh-CN"), ("pt-BR", "pt-BR"), ("pt-PT", "pt"),
                                          ("iw", "he"), ("", "")])
def test_translation_language_keeps_only_what_changes_a_translation(tag, expected):
    assert translation_language(tag) == expected


@pytest.mark.parametrize("provider,tag,code", [("google", "he", "iw"), ("google", "zh-TW", "zh-TW"),
                                               ("libre", "zh-Hant-TW", "zt"), ("libre", "pt-BR", "pt"),
                                               ("mymemory", "th-TH", "th-TH"), ("mymemory", "en", "en-GB"),
                                               ("deepl", "pt-BR", "PT-BR"), ("deepl", "en", "EN-US"),
                                               ("microsoft", "zh-CN", "zh-Hans")])
def test_our_tags_become_each_providers_codes(provider, tag, code):
    assert provider_code(provider, tag, target=True) == code


def test_a_language_the_provider_does_not_offer_fails_before_any_request():
    with pytest.raises(TranslationFailed, match="google does not translate into xx"):
        DeepTranslator("google").translate("Hello", "xx", "en")


# ------------------------------------------------------------------- LibreTranslate on loopback


def test_libre_translates_through_its_real_wire_format(libre):
    out = libre_translator(libre, api_key="k-123").translate("Your parcel is on its way", "th-TH", "en")
    assert out == "th: Your parcel is on its way"
    assert libre.requests == [{"q": "Your parcel is on its way", "source": "en", "target": "th", "format": "text",
                               "api_key": "k-123"}]


def test_libre_is_sent_no_api_key_when_none_is_set(libre):
    libre_translator(libre).translate("Hello", "de", "en")
    assert "api_key" not in libre.requests[0]


def test_traditional_chinese_reaches_libre_as_its_own_code(libre):
    assert libre_translator(libre).translate("Hello", "zh-TW", "en") == "zt: Hello"


def test_libres_error_answer_becomes_the_reason(libre):
    with pytest.raises(TranslationFailed) as caught:
        libre_translator(libre).translate("Hello", "km", "en")
    assert caught.value.reason == "libre answered 400: km is not supported"


def test_a_refused_api_key_is_named_without_the_key(libre):
    libre.api_key = "right-key"
    with pytest.raises(TranslationFailed) as caught:
        libre_translator(libre, api_key="wrong-secret-key").translate("Hello", "de", "en")
    assert caught.value.reason == "libre refused the API key"
    assert "wrong-secret-key" not in str(caught.value)


def test_a_slow_libre_times_out_with_the_reason(libre):
    libre.delay = 3.0
    started = time.monotonic()
    with pytest.raises(TranslationFailed) as caught:
        libre_translator(libre, timeout=0.5).translate("Hello", "de", "en")
    assert caught.value.reason == "timeout after 0.5 s"
    assert time.monotonic() - started < 2.0


def test_an_unreachable_libre_fails_with_the_reason(unused_port):
    translator = DeepTranslator("libre", url=f"http://127.0.0.1:{unused_port}", timeout=2)
    with pytest.raises(TranslationFailed) as caught:
        translator.translate("Secret text of the seller", "de", "en")
    assert caught.value.reason == "libre unreachable (connection refused)"
    assert "Secret" not in str(caught.value)


def test_one_deadline_covers_every_request_of_a_long_text(libre):
    libre.delay = 0.4
    text = "\n\n".join(f"Paragraph {i}. " + "word " * 900 for i in range(4))  # four requests of ~4.5 kB
    with pytest.raises(TranslationFailed, match="timeout after 1 s"):
        libre_translator(libre, timeout=1).translate(text, "de", "en")
    assert 2 <= len(libre.requests) <= 3


def test_a_long_text_goes_in_pieces_and_keeps_its_layout(libre):
    paragraphs = [f"Paragraph {i}. " + "word " * 1000 for i in range(3)]  # each over the 4500 limit
    text = "Hello Ana,\n\n" + "\n\n".join(paragraphs) + "\n\nBest,\nLi"
    out = libre_translator(libre).translate(text, "de", "en")
    assert len(libre.requests) > 5
    assert all(len(r["q"]) <= 4500 for r in libre.requests)
    assert out.startswith("de: Hello Ana,\n\nde: Paragraph 0.") and out.endswith("\n\nde: Best,\nLi")


def test_pieces_put_together_give_back_the_text():
    text = "  Hi there.\n\nLine one.\nLine two is longer than ten.  \n\n\nend "
    for by_line in (False, True):
        runs = pieces(text, by_line=by_line, limit=10)
        assert "".join(run for run, _ in runs) == text
        assert all(len(run) <= 10 and run == run.strip() for run, translate in runs if translate)


# --------------------------------------------------------------------------------- settings


def test_translation_is_off_by_default():
    settings = load_config("test", environ={})
    assert settings["TRANSLATOR"] == "off" and provider_translator(settings) is None


def test_the_settings_choose_the_provider_and_its_values(sqlite_db, clock):
    settings = load_config("test", environ={"CRM_TRANSLATOR": "libre", "CRM_TRANSLATOR_URL": "http://127.0.0.1:5005",
                                            "CRM_TRANSLATOR_TIMEOUT_SECONDS": "2.5"})
    translator = make_translator(settings, sqlite_db, clock)
    assert isinstance(translator, CachedTranslator) and translator.name == "libre"
    assert (translator.inner.url, translator.inner.timeout) == ("http://127.0.0.1:5005/", 2.5)


@pytest.mark.parametrize("environ,message", [
    ({"CRM_TRANSLATOR": "babelfish"}, "CRM_TRANSLATOR: expected one of off, fake, libre"),
    ({"CRM_TRANSLATOR": "libre"}, "needs CRM_TRANSLATOR_URL"),
    ({"CRM_TRANSLATOR": "deepl"}, "CRM_TRANSLATOR=deepl needs CRM_TRANSLATOR_API_KEY"),
    ({"CRM_TRANSLATOR": "fake", "CRM_TRANSLATOR_TIMEOUT_SECONDS": "0"}, "CRM_TRANSLATOR_TIMEOUT_SECONDS"),
])
def test_unusable_translator_settings_are_refused_naming_the_variable(environ, message):
    with pytest.raises(ConfigError, match=message):
        load_config("test", environ=environ)


def test_the_fake_translator_is_refused_in_production():
    with pytest.raises(ConfigError, match="CRM_TRANSLATOR=fake"):
        load_config("production", environ={"CRM_TRANSLATOR": "fake", "CRM_SECRET_KEY": "k" * 40,
                                           "CRM_PUBLIC_URL": "https://crm.example.com"})
