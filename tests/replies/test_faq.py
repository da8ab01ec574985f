"""replies.faq: repeated buyer questions clustered offline, in any of the lexicon languages."""
from __future__ import annotations

import random

from crossborder_crm.replies.faq import Msg, cluster

SHIPPING = ["Do you ship to Canada?", "Hi, do you ship to Canada?", "do you ship to canada please",
            "Do you also ship to Canada?"]
PAYPAL = ["Can I pay with PayPal?", "Can I pay by PayPal?", "hello, can I pay with paypal?"]


def msgs(texts, language="en", start=1):
    return [Msg(start + i, t, language) for i, t in enumerate(texts)]


def ids_of(clusters):
    return [set(c.ids) for c in clusters]


def test_near_duplicate_questions_form_one_cluster():
    found = cluster(msgs(SHIPPING))
    assert ids_of(found) == [{1, 2, 3, 4}]
    assert found[0].size == 4


def test_unrelated_questions_are_not_clustered_together():
    found = cluster(msgs(SHIPPING + PAYPAL))
    assert ids_of(found) == [{1, 2, 3, 4}, {5, 6, 7}]


def test_a_question_asked_fewer_than_min_size_times_is_dropped():
    found = cluster(msgs(SHIPPING + PAYPAL[:2]))
    assert ids_of(found) == [{1, 2, 3, 4}]


def test_min_size_can_be_lowered():
    assert ids_of(cluster(msgs(SHIPPING + PAYPAL[:2]), min_size=2)) == [{1, 2, 3, 4}, {5, 6}]


def test_clusters_come_largest_first():
    found = cluster(msgs(PAYPAL + SHIPPING))
    assert [c.size for c in found] == [4, 3]


def test_the_label_is_the_most_central_message_and_leads_the_examples():
    found = cluster(msgs(SHIPPING))[0]
    assert found.label == "Do you ship to Canada?"
    assert found.examples[0] == found.label and len(found.examples) == 3


def test_a_long_label_is_cut_to_120_characters():
    long = "Do you ship to Canada and " + "how long does it take to arrive in Toronto " * 5
    found = cluster(msgs([long, long + "?", long + "!!"]))[0]
    assert len(found.label) <= 120 and found.label.endswith("…")


def test_top_terms_name_what_the_question_is_about():
    terms = cluster(msgs(SHIPPING))[0].terms
    assert "canada" in terms and "ship" in terms


def test_the_dominant_language_is_reported():
    texts = ["¿Hacen envíos a México?", "hacen envios a mexico?", "Hola, ¿hacen envíos a México?"]
    found = cluster([Msg(1, texts[0], "es"), Msg(2, texts[1], "es-MX"), Msg(3, texts[2], "es")])
    assert len(found) == 1 and found[0].language == "es"


def test_the_same_messages_in_any_order_give_the_same_clusters():
    messages = msgs(SHIPPING + PAYPAL)
    shuffled = messages[:]
    random.Random(7).shuffle(shuffled)
    assert cluster(shuffled) == cluster(messages)


def test_chinese_questions_cluster_without_word_boundaries():
    texts = ["请问可以开发票吗?", "可以开发票吗", "你好,可以开发票吗?谢谢", "这个杯子能放进洗碗机吗?"]
    found = cluster(msgs(texts, "zh"))
    assert ids_of(found) == [{1, 2, 3}]
    assert "发票" in found[0].terms


def test_japanese_questions_cluster_without_word_boundaries():
    texts = ["日本への発送は可能ですか?", "日本への発送は可能ですか", "こんにちは、日本への発送は可能でしょうか?",
             "支払い方法は何がありますか?"]
    assert ids_of(cluster(msgs(texts, "ja"))) == [{1, 2, 3}]


def test_the_same_question_in_two_languages_may_form_two_clusters():
    english = msgs(SHIPPING)
    german = msgs(["Versenden Sie nach Kanada?", "Hallo, versenden Sie nach Kanada?", "versenden sie auch nach Kanada"],
                  "de", start=10)
    assert ids_of(cluster(english + german)) == [{1, 2, 3, 4}, {10, 11, 12}]


def test_messages_without_letters_are_ignored():
    assert ids_of(cluster(msgs(SHIPPING + ["???", "!!!", "..."]))) == [{1, 2, 3, 4}]


# Twenty questions (several languages), each asked 200 times with a different name and order
# number, among 1,000 one-off messages of made-up words.
PLANTED = [
    ("en", "Hi, this is {name}. Do you ship to Canada? My order is #{n}."),
    ("en", "Can I pay with PayPal for order {n}? Thanks, {name}"),
    ("en", "What is your return policy if the size does not fit? ({name}, order {n})"),
    ("en", "Is the tea set dishwasher safe? Asking for order {n}. {name}"),
    ("en", "How long does shipping to Australia take? Order {n}, {name}"),
    ("es", "Hola, soy {name}. ¿Hacen envíos a México? Pedido {n}."),
    ("es", "¿Puedo cambiar la talla de mi pedido {n}? Gracias, {name}"),
    ("fr", "Bonjour, c'est {name}. Livrez-vous en Belgique ? Commande {n}."),
    ("fr", "Est-ce que le produit est garanti combien de temps ? Commande {n}, {name}"),
    ("de", "Hallo, hier ist {name}. Kann ich eine Rechnung mit Mehrwertsteuer bekommen? Bestellung {n}."),
    ("de", "Ist die Tasche wasserdicht? Bestellung {n}, Grüße {name}"),
    ("it", "Ciao, sono {name}. Posso ritirare il pacco in negozio? Ordine {n}."),
    ("pt", "Olá, sou {name}. Vocês entregam no Brasil? Pedido {n}."),
    ("ru", "Здравствуйте, это {name}. Можно оплатить картой Мир? Заказ {n}."),
    ("pl", "Dzień dobry, tu {name}. Czy wysyłacie do Polski paczkomatem? Zamówienie {n}."),
    ("nl", "Hallo, met {name}. Kan ik mijn bestelling {n} nog annuleren?"),
    ("tr", "Merhaba, ben {name}. Türkiye'ye kargo gönderiyor musunuz? Sipariş {n}."),
    ("zh", "你好,我是{name}。请问可以开增值税发票吗?订单号{n}。"),
    ("ja", "こんにちは、{name}です。日本への発送は可能ですか?注文番号{n}。"),
    ("ko", "안녕하세요, {name}입니다. 한국으로 배송 가능한가요? 주문번호 {n}."),
]


def planted_messages():
    rng = random.Random(2026)
    letters = "abcdefghijklmnopqrstuvwxyz"

    def word(lo=3, hi=9):
        return "".join(rng.choice(letters) for _ in range(rng.randint(lo, hi)))

    messages, truth, next_id = [], [], 1
    for language, template in PLANTED:
        group = set()
        for _ in range(200):
            text = template.format(name=word(4, 8).title(), n=rng.randint(1000, 999999))
            messages.append(Msg(next_id, text, language))
            group.add(next_id)
            next_id += 1
        truth.append(group)
    for _ in range(1000):
        messages.append(Msg(next_id, " ".join(word() for _ in range(rng.randint(4, 10))), "en"))
        next_id += 1
    rng.shuffle(messages)
    return messages, truth


def test_five_thousand_messages_recover_the_planted_questions():
    messages, truth = planted_messages()
    assert len(messages) == 5000
    found = cluster(messages)
    assert sorted(map(sorted, ids_of(found))) == sorted(map(sorted, truth))
    assert {c.language for c in found} == {language for language, _ in PLANTED}
