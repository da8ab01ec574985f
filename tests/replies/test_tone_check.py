"""The tone check for reply drafts: what it flags, what it leaves alone, and its data files."""
from __future__ import annotations

import tomllib
import unicodedata
from importlib import resources

import pytest

from crossborder_crm.replies.tone_check import ToneWarning, check_tone, tone_languages

REQUIRED = ("en", "es", "fr", "de", "it", "pt", "ru", "pl", "nl", "tr", "ar", "ja", "ko", "zh")
KINDS = {"refusing", "blaming", "arguing"}
SUBSTRING_LANGUAGES = {"ja", "ko", "zh"}

POLITE_DRAFTS = {
    "en": "Dear Anna, we are so sorry your parcel arrived damaged. Here is what we can do: we will send a "
          "replacement today at no cost, or refund you in full if you prefer. Thank you for your patience.",
    "es": "Estimada Laura: lamentamos mucho que su pedido haya llegado dañado. Para solucionarlo, le enviaremos "
          "hoy mismo un artículo nuevo sin coste adicional o, si lo prefiere, le devolveremos el importe completo. "
          "Gracias por su paciencia.",
    "fr": "Bonjour Monsieur Martin, nous sommes vraiment désolés que votre colis soit arrivé endommagé. Pour "
          "arranger les choses, nous vous envoyons dès aujourd'hui un article de remplacement, ou nous vous "
          "remboursons intégralement si vous préférez. Merci pour votre patience.",
    "de": "Sehr geehrte Frau Becker, es tut uns sehr leid, dass Ihr Paket beschädigt angekommen ist. Um das "
          "wiedergutzumachen, senden wir Ihnen noch heute kostenlos einen Ersatz oder erstatten Ihnen auf Wunsch "
          "den vollen Betrag. Vielen Dank für Ihre Geduld.",
    "it": "Gentile signora Rossi, ci dispiace molto che il suo pacco sia arrivato danneggiato. Per rimediare, le "
          "spediremo oggi stesso un articolo sostitutivo senza costi aggiuntivi oppure, se preferisce, le "
          "rimborseremo l'intero importo. Grazie per la pazienza.",
    "pt": "Olá, Ana! Lamentamos muito que o seu pedido tenha chegado danificado. Para resolver isso, vamos enviar "
          "hoje mesmo um produto novo sem nenhum custo ou, se preferir, devolver o valor integral. Obrigado pela "
          "sua paciência.",
    "ru": "Здравствуйте, Ольга! Нам очень жаль, что ваш заказ пришёл повреждённым. Чтобы всё исправить, мы "
          "сегодня же бесплатно отправим вам замену или, если вам удобнее, полностью вернём деньги. Спасибо за "
          "ваше терпение.",
    "pl": "Dzień dobry Pani Anno, bardzo nam przykro, że paczka dotarła uszkodzona. Aby to naprawić, jeszcze dziś "
          "wyślemy bezpłatnie nowy produkt lub, jeśli Pani woli, zwrócimy całą kwotę. Dziękujemy za cierpliwość.",
    "nl": "Beste meneer De Vries, het spijt ons echt dat uw pakket beschadigd is aangekomen. Om het goed te maken, "
          "sturen we u vandaag nog kosteloos een vervangend artikel, of als u dat liever hebt, betalen we het "
          "volledige bedrag terug. Bedankt voor uw geduld.",
    "tr": "Merhaba Ayşe Hanım, siparişinizin hasarlı ulaştığı için çok üzgünüz. Bunu telafi etmek için bugün "
          "ücretsiz olarak yeni bir ürün gönderiyoruz; dilerseniz ödediğiniz tutarın tamamını da iade edebiliriz. "
          "Sabrınız için teşekkür ederiz.",
    "ar": "مرحباً أستاذة سارة، نأسف جداً لوصول طلبك تالفاً. لتصحيح الأمر، سنرسل لك اليوم منتجاً بديلاً دون أي "
          "تكلفة، أو نعيد لك المبلغ كاملاً إذا كنت تفضلين ذلك. شكراً لصبرك وتفهمك.",
    "ja": "山田様 このたびは商品が破損した状態で届き、誠に申し訳ございません。本日中に代替品を無料でお送りいたします。"
          "ご希望でしたら、全額返金にて対応させていただきます。",
    "ko": "김지은 고객님, 주문하신 상품이 파손된 상태로 도착하여 진심으로 사과드립니다. 오늘 바로 새 상품을 무료로 "
          "보내 드리거나, 원하시면 전액 환불해 드리겠습니다. 기다려 주셔서 감사합니다.",
    "zh": "王女士您好，非常抱歉您的商品在运输途中受损。为了弥补，我们今天会免费为您补发一件新商品；如果您更希望退款，"
          "我们也可以全额退款。感谢您的耐心与理解。",
}

# One curt draft per language: (language, draft, the phrase flagged, its kind).
FLAGGED = [
    ("en", "Sorry, but that is not our fault.", "not our fault", "blaming"),
    ("es", "Lo sentimos, pero no es nuestra culpa.", "no es nuestra culpa", "blaming"),
    ("fr", "Nous ne pouvons pas vous rembourser.", "Nous ne pouvons pas", "refusing"),
    ("de", "Das ist nicht unsere Schuld.", "nicht unsere Schuld", "blaming"),
    ("it", "Come indicato nell'annuncio, il colore è blu.", "Come indicato nell'annuncio", "arguing"),
    ("pt", "Não é culpa nossa se o pacote atrasou.", "Não é culpa nossa", "blaming"),
    ("ru", "Как указано в описании, размер маломерит.", "Как указано в описании", "arguing"),
    ("pl", "Nie ponosimy odpowiedzialności za opóźnienia poczty.", "Nie ponosimy odpowiedzialności", "blaming"),
    ("nl", "Zoals vermeld in de beschrijving is de maat klein.", "Zoals vermeld in de beschrijving", "arguing"),
    ("tr", "Kusura bakmayın ama bu bizim suçumuz değil.", "bizim suçumuz değil", "blaming"),
    ("ar", "للأسف لا يمكننا إرجاع المبلغ.", "لا يمكننا", "refusing"),
    ("ja", "配送中の破損は弊社の責任ではありません。", "弊社の責任ではありません", "blaming"),
    ("ko", "주문 취소 후 환불은 불가능합니다.", "환불은 불가능합니다", "refusing"),
    ("zh", "这不是我们的错，请联系快递公司。", "不是我们的错", "blaming"),
]


def _file(language: str) -> dict:
    source = resources.files("crossborder_crm.replies.tone").joinpath(f"{language}.toml").read_text(encoding="utf-8")
    return tomllib.loads(source)


def _found(warnings: list[ToneWarning]) -> list[tuple[str, str]]:
    return [(w.phrase, w.kind) for w in warnings]


def test_an_english_refusal_is_flagged_with_its_suggestion_and_exact_offsets():
    text = "Hello Sam. Unfortunately we can't send another parcel."
    [warning] = check_tone(text, "en")
    assert warning.kind == "refusing"
    assert warning.phrase == "we can't"
    assert (warning.start, warning.end) == (25, 33)
    assert text[warning.start:warning.end] == "we can't"
    assert warning.suggestion.startswith("Here is what we can do")


def test_blame_in_german_is_flagged_with_a_german_suggestion():
    warnings = check_tone("Das ist nicht unsere Schuld, das war der Paketdienst.", "de")
    assert _found(warnings) == [("nicht unsere Schuld", "blaming")]
    assert "tut uns leid" in warnings[0].suggestion


def test_chinese_matches_a_substring_with_no_spaces_around_it():
    text = "您好！这不是我们的错。"
    [warning] = check_tone(text, "zh")
    assert (warning.phrase, warning.kind) == ("不是我们的错", "blaming")
    assert (warning.start, warning.end) == (4, 10)


@pytest.mark.parametrize("language", REQUIRED)
def test_a_polite_reply_gets_no_warning(language):
    assert check_tone(POLITE_DRAFTS[language], language) == []


@pytest.mark.parametrize(("language", "text", "phrase", "kind"), FLAGGED, ids=[f[0] for f in FLAGGED])
def test_a_curt_reply_is_flagged_in_every_language(language, text, phrase, kind):
    warnings = check_tone(text, language)
    assert (phrase, kind) in _found(warnings)
    assert all(text[w.start:w.end] == w.phrase for w in warnings)


def test_a_term_inside_another_word_is_not_flagged():
    assert check_tone("We are familiar with this problem and will fix it.", "en") == []
    assert _found(check_tone("Calling us a liar will not help.", "en")) == [("liar", "arguing")]


def test_a_shorter_term_does_not_match_the_start_of_a_longer_word():
    assert check_tone("We can send a replacement today.", "en") == []
    assert _found(check_tone("We can't send a replacement today.", "en")) == [("We can't", "refusing")]


def test_a_curly_apostrophe_matches_like_a_straight_one():
    text = "Sorry, we can’t do that."
    [warning] = check_tone(text, "en")
    assert warning.phrase == "we can’t"
    assert (warning.start, warning.end) == (7, 15)


def test_a_star_term_matches_any_ending_of_its_last_word():
    assert _found(check_tone("No refunds after 30 days.", "en")) == [("No refunds", "refusing")]


def test_accents_are_optional_where_the_file_folds_them():
    assert _found(check_tone("Ce nest pas grave, mais c'est impossible.", "fr")) == [("impossible", "refusing")]
    assert _found(check_tone("Nao e culpa nossa.", "pt")) == [("Nao e culpa nossa", "blaming")]


def test_offsets_refer_to_the_original_text_when_normalising_changes_its_length():
    # ß folds to "ss" and İ to "i" + a dot above: both lengthen the normalised text before the match.
    text = "Grüße aus Straßburg: das ist nicht unsere Schuld."
    [warning] = check_tone(text, "de")
    assert text[warning.start:warning.end] == "nicht unsere Schuld"
    text = "İyi günler, İADE YOK."
    [warning] = check_tone(text, "tr")
    assert text[warning.start:warning.end] == "İADE YOK"


def test_decomposed_accents_and_half_width_kana_are_highlighted_whole():
    text = "Na\u0303o e\u0301 culpa nossa."
    [warning] = check_tone(text, "pt")
    assert warning.phrase == "Na\u0303o e\u0301 culpa nossa"
    text = "商品はﾉｰｸﾚｰﾑﾉｰﾘﾀｰﾝです。"
    [warning] = check_tone(text, "ja")
    assert warning.phrase == "ﾉｰｸﾚｰﾑﾉｰﾘﾀｰﾝ"
    text = "返品はお受けて\u3099きません。"
    [warning] = check_tone(text, "ja")
    assert warning.phrase == "返品はお受けて\u3099きません"


def test_the_longest_overlapping_match_wins():
    warnings = check_tone("There is nothing we can do.", "en")
    assert _found(warnings) == [("There is nothing we can do", "refusing")]


def test_warnings_are_sorted_by_position_and_do_not_overlap():
    warnings = check_tone("As stated in the listing, this is not our fault. No refunds.", "en")
    assert _found(warnings) == [("As stated in the listing", "arguing"), ("not our fault", "blaming"),
                                ("No refunds", "refusing")]
    assert all(a.end <= b.start for a, b in zip(warnings, warnings[1:]))


def test_a_gap_term_skips_a_few_words_but_not_a_clause():
    text = "Sie hätten die Beschreibung lesen sollen."
    assert _found(check_tone(text, "de")) == [("Sie hätten die Beschreibung lesen sollen", "blaming")]
    assert check_tone("Sie hätten gern Ersatz, wir lesen sollen Sie wissen.", "de") == []


def test_an_unknown_language_falls_back_to_english_rules_only():
    assert _found(check_tone("We can't do that.", "xx")) == [("We can't", "refusing")]
    assert check_tone("No es nuestra culpa.", "xx") == []
    assert _found(check_tone("We can't do that.", "")) == [("We can't", "refusing")]


@pytest.mark.parametrize(("tag", "text"), [("pt-BR", "Não é culpa nossa."), ("zh-CN", "这不是我们的错。"),
                                           ("zh_Hans", "这不是我们的错。"), ("DE-at", "Das ist nicht unsere Schuld.")])
def test_a_regional_tag_uses_its_primary_language(tag, text):
    warnings = check_tone(text, tag)
    assert [w.kind for w in warnings] == ["blaming"]
    assert warnings[0].suggestion == _file(tag[:2].lower())["rules"][3]["suggestion"]


def test_an_empty_draft_has_no_warning():
    assert check_tone("", "en") == []


def test_every_required_language_has_a_rules_file():
    assert set(REQUIRED) <= set(tone_languages())


@pytest.mark.parametrize("language", REQUIRED)
def test_each_rules_file_is_complete(language):
    data = _file(language)
    assert data["language"] == language
    assert data["match"] == ("substring" if language in SUBSTRING_LANGUAGES | {"ar"} else "word")
    assert len(data["rules"]) >= 6
    assert {r["kind"] for r in data["rules"]} == KINDS
    for rule in data["rules"]:
        assert rule["suggestion"].strip()
        assert len(rule["terms"]) >= 3 and all(t.strip() for t in rule["terms"])


@pytest.mark.parametrize("language", REQUIRED)
def test_every_term_flags_itself(language):
    for rule in _file(language)["rules"]:
        for term in rule["terms"]:
            text = term.replace("…", "").replace("*", "s" if language != "ar" else "")
            text = " ".join(text.split())
            warnings = check_tone(f"« {text} »", language)
            assert [w.phrase for w in warnings] == [text], (language, term)


NON_LATIN = {"ru": "CYRILLIC", "ar": "ARABIC", "ja": "CJK", "ko": "HANGUL", "zh": "CJK"}


@pytest.mark.parametrize("language", [lang for lang in REQUIRED if lang != "en"])
def test_suggestions_are_written_in_the_files_language(language):
    english = {r["suggestion"] for r in _file("en")["rules"]}
    for rule in _file(language)["rules"]:
        assert rule["suggestion"] not in english
        if language in NON_LATIN:
            assert any(NON_LATIN[language] in unicodedata.name(c, "") or "HIRAGANA" in unicodedata.name(c, "")
                       for c in rule["suggestion"])
