"""Benchmark: plan a sale campaign for 1,000,000 buyers on PostgreSQL against a plain COPY of as many
ready-made rows into the same outbox table, and for 100,000 buyers on SQLite.

    .venv/bin/python bench/bench_campaign.py [--buyers 1000000] [--sqlite-buyers 100000] [--repeat 3]
                                             [--pg-url URL] [--quick] [--profile] [--skip-sqlite]

The shop: one seller (Shenzhen, Asia/Shanghai) with buyers in 33 countries weighted like a cross-border
seller's (US, GB, DE, FR, JP, AU, CA, BR, …), each in a real zone of their country and speaking its
language, with names and addresses in their script and email domains of their market. Consent is
granted for most buyers of opt-in countries and missing for some (consent_policy.py), a few denied or
withdrew it; ~0.5 % have no address, ~2 % of addresses are suppressed (unsubscribed, bounced,
complained, by hand), ~10 % have a few recent activities (learned send-time profiles), some have an
open dispute or a recent bad review.

The campaign: a sale ("{name}, {discount} off until {ends}", English and German versions, machine
translation off) made through lifecycle.create_campaign to the whole list, and lifecycle.launch_campaign
timed as production runs it (the audience's languages, the lock, the keyset reads, the exclusions,
the send times, the texts, COPY per batch of 5,000), each launch in a fresh child process whose peak
RSS is the figure compared with 1 GiB.

The baseline, measured in the same run between the launches: the planned messages read back as COPY
text and stretched to exactly N rows (new idempotency keys and Message-IDs for the extra ones), held in
memory, then one `COPY messages (...) FROM STDIN` of them in one transaction (the stricter reading of
"ready-made rows": no per-row work left on the client). The outbox is emptied (TRUNCATE), analyzed
(as autovacuum would) and checkpointed before every timed run. Median of --repeat runs each. The bench
runs in its own database (bench_campaign), dropped at the end. Exit code 0 even when a target is missed
(then MISSED is printed). --profile adds the cProfile of one more launch (not counted).

The outbox is not empty: it holds the seller's history (last winter's sale to ~15 % of the buyers,
shipping notices, two flash-sale emails this week to ~2 %, who are then at the frequency cap), put
back before each timed run and analyzed, as a live outbox with autovacuum would be.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, insert, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from crossborder_crm.accounts.service import create_seller  # noqa: E402
from crossborder_crm.buyers.models import SEGMENTS, Activity, Buyer, Order  # noqa: E402
from crossborder_crm.buyers.search_text import buyer_search_text, fold  # noqa: E402
from crossborder_crm.campaigns import planning  # noqa: E402
from crossborder_crm.campaigns.consent_policy import rule_for  # noqa: E402
from crossborder_crm.clock import FixedClock  # noqa: E402
from crossborder_crm.db import Database  # noqa: E402
from crossborder_crm.migrate import upgrade  # noqa: E402
from crossborder_crm.outbox.models import Message, Suppression  # noqa: E402
from crossborder_crm.timing.localtime import get_timezone  # noqa: E402

HERE = Path(__file__).resolve()
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
BENCH_DB = "bench_campaign"
NOW = datetime(2026, 3, 10, 2, 0, tzinfo=timezone.utc)  # Tue 10:00 in Shenzhen
MAIL_DOMAIN = "mail.shenzhen-outdoor.example"
TARGET_RATIO, TARGET_RSS_MIB = 2.5, 1024

# --------------------------------------------------------------------------- the shop's buyers

# code, share of buyers, [(zone, share)], [(language, share)], name pool, email domains
COUNTRIES = [
    ("US", 30, [("America/New_York", 45), ("America/Chicago", 25), ("America/Denver", 8),
                ("America/Los_Angeles", 20), ("America/Phoenix", 2)], [("en-US", 92), ("es-US", 8)], "en",
     ["gmail.com", "yahoo.com", "outlook.com", "icloud.com", "aol.com", "hotmail.com"]),
    ("GB", 9, [("Europe/London", 1)], [("en-GB", 1)], "en",
     ["gmail.com", "hotmail.co.uk", "outlook.com", "btinternet.com", "yahoo.co.uk"]),
    ("DE", 9, [("Europe/Berlin", 1)], [("de-DE", 1)], "de", ["gmx.de", "web.de", "gmail.com", "t-online.de"]),
    ("FR", 6, [("Europe/Paris", 1)], [("fr-FR", 1)], "fr", ["orange.fr", "gmail.com", "free.fr", "laposte.net"]),
    ("JP", 5, [("Asia/Tokyo", 1)], [("ja-JP", 1)], "ja", ["gmail.com", "yahoo.co.jp", "docomo.ne.jp", "icloud.com"]),
    ("AU", 4, [("Australia/Sydney", 40), ("Australia/Melbourne", 35), ("Australia/Brisbane", 15),
               ("Australia/Perth", 10)], [("en-AU", 1)], "en", ["gmail.com", "bigpond.com", "outlook.com"]),
    ("CA", 4, [("America/Toronto", 55), ("America/Vancouver", 20), ("America/Edmonton", 10),
               ("America/Halifax", 5), ("America/Winnipeg", 10)], [("en-CA", 78), ("fr-CA", 22)], "en",
     ["gmail.com", "hotmail.com", "yahoo.ca", "videotron.ca"]),
    ("BR", 4, [("America/Sao_Paulo", 85), ("America/Fortaleza", 10), ("America/Manaus", 5)], [("pt-BR", 1)], "pt",
     ["gmail.com", "hotmail.com", "uol.com.br", "bol.com.br"]),
    ("ES", 3, [("Europe/Madrid", 95), ("Atlantic/Canary", 5)], [("es-ES", 1)], "es",
     ["gmail.com", "hotmail.es", "yahoo.es", "telefonica.net"]),
    ("IT", 3, [("Europe/Rome", 1)], [("it-IT", 1)], "it", ["gmail.com", "libero.it", "hotmail.it", "virgilio.it"]),
    ("NL", 2, [("Europe/Amsterdam", 1)], [("nl-NL", 1)], "nl", ["gmail.com", "ziggo.nl", "kpnmail.nl"]),
    ("MX", 2, [("America/Mexico_City", 85), ("America/Tijuana", 15)], [("es-MX", 1)], "es",
     ["gmail.com", "hotmail.com", "yahoo.com.mx"]),
    ("KR", 2, [("Asia/Seoul", 1)], [("ko-KR", 1)], "ko", ["naver.com", "gmail.com", "daum.net"]),
    ("PL", 1.5, [("Europe/Warsaw", 1)], [("pl-PL", 1)], "pl", ["wp.pl", "onet.pl", "gmail.com", "o2.pl"]),
    ("SE", 1.2, [("Europe/Stockholm", 1)], [("sv-SE", 1)], "nordic", ["gmail.com", "telia.com", "hotmail.se"]),
    ("CH", 1, [("Europe/Zurich", 1)], [("de-CH", 65), ("fr-CH", 25), ("it-CH", 10)], "de",
     ["bluewin.ch", "gmail.com", "gmx.ch"]),
    ("BE", 1, [("Europe/Brussels", 1)], [("nl-BE", 55), ("fr-BE", 45)], "nl", ["skynet.be", "telenet.be", "gmail.com"]),
    ("AT", 1, [("Europe/Vienna", 1)], [("de-AT", 1)], "de", ["gmx.at", "gmail.com", "aon.at"]),
    ("IE", 1, [("Europe/Dublin", 1)], [("en-IE", 1)], "en", ["gmail.com", "eircom.net", "hotmail.com"]),
    ("IN", 1, [("Asia/Kolkata", 1)], [("en-IN", 80), ("hi-IN", 20)], "in",
     ["gmail.com", "yahoo.co.in", "rediffmail.com"]),
    ("RU", 1, [("Europe/Moscow", 70), ("Asia/Yekaterinburg", 15), ("Asia/Novosibirsk", 10),
               ("Asia/Vladivostok", 5)], [("ru-RU", 1)], "ru", ["yandex.ru", "mail.ru", "gmail.com"]),
    ("NZ", 0.8, [("Pacific/Auckland", 1)], [("en-NZ", 1)], "en", ["xtra.co.nz", "gmail.com"]),
    ("SG", 0.8, [("Asia/Singapore", 1)], [("en-SG", 70), ("zh-SG", 30)], "zh", ["gmail.com", "singnet.com.sg"]),
    ("AE", 0.8, [("Asia/Dubai", 1)], [("en-AE", 60), ("ar-AE", 40)], "ar", ["gmail.com", "hotmail.com"]),
    ("SA", 0.8, [("Asia/Riyadh", 1)], [("ar-SA", 1)], "ar", ["gmail.com", "hotmail.com"]),
    ("TR", 0.8, [("Europe/Istanbul", 1)], [("tr-TR", 1)], "tr", ["gmail.com", "hotmail.com", "yandex.com.tr"]),
    ("IL", 0.7, [("Asia/Jerusalem", 1)], [("he-IL", 1)], "he", ["gmail.com", "walla.co.il"]),
    ("NO", 0.6, [("Europe/Oslo", 1)], [("nb-NO", 1)], "nordic", ["gmail.com", "online.no"]),
    ("DK", 0.6, [("Europe/Copenhagen", 1)], [("da-DK", 1)], "nordic", ["gmail.com", "mail.dk"]),
    ("PT", 0.6, [("Europe/Lisbon", 95), ("Atlantic/Azores", 5)], [("pt-PT", 1)], "pt", ["gmail.com", "sapo.pt"]),
    ("HK", 0.6, [("Asia/Hong_Kong", 1)], [("zh-HK", 70), ("en-HK", 30)], "zh", ["gmail.com", "yahoo.com.hk"]),
    ("TW", 0.6, [("Asia/Taipei", 1)], [("zh-TW", 1)], "zh", ["gmail.com", "yahoo.com.tw"]),
    ("ZA", 0.5, [("Africa/Johannesburg", 1)], [("en-ZA", 1)], "en", ["gmail.com", "mweb.co.za"]),
    ("CL", 0.5, [("America/Santiago", 1)], [("es-CL", 1)], "es", ["gmail.com", "hotmail.com"]),
]

# Pools of (first names, family names); "shown|romanized" where the email needs the Latin form.
NAMES = {
    "en": ("James Mary Olivia Liam Emma Noah Ava William Sophia Ethan Isabella Lucas Mia Jack Chloe Daniel "
           "Grace Henry Ella Samuel Aiden Harper Mason Zoe".split(),
           "Smith Johnson Williams Brown Jones Miller Davis Wilson Taylor Anderson Thomas Moore Martin Clark "
           "Walker Hall Young King Wright Scott O'Brien Murphy Nguyen Patel".split()),
    "de": ("Lukas Anna Jürgen Lena Felix Sophie Maximilian Marie Paul Hannah Jonas Lea Leon Mia Tobias "
           "Katharina Jörg Sabine Uwe Björn".split(),
           "Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Koch Bauer Richter "
           "Klein Wolf Schröder Neumann Schwarz Größ Krüger".split()),
    "fr": ("Léa Hugo Chloé Louis Manon Gabriel Camille Jules Inès Raphaël Zoé Théo Élodie Mathis Maëlle "
           "Benoît".split(),
           "Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau Simon Laurent Lefèvre "
           "Michel Girard Rousseau".split()),
    "es": ("Lucía Hugo Martina Mateo Sofía Alejandro María Pablo Valentina Diego Paula Javier Camila "
           "Andrés".split(),
           "García Fernández González Rodríguez López Martínez Sánchez Pérez Gómez Martín Jiménez Ruiz "
           "Hernández Muñoz".split()),
    "pt": ("João Maria Ana Pedro Lucas Beatriz Gabriel Júlia Rafael Larissa Thiago Fernanda".split(),
           "Silva Santos Oliveira Souza Rodrigues Ferreira Alves Pereira Lima Gomes Ribeiro Conceição".split()),
    "it": ("Giulia Francesco Sofia Alessandro Aurora Lorenzo Martina Matteo Chiara Niccolò".split(),
           "Rossi Russo Ferrari Esposito Bianchi Romano Colombo Ricci Marino Greco Bruno Gallo".split()),
    "nl": ("Daan Emma Sem Julia Lucas Mila Finn Tess Bram Sanne Jeroen Anouk".split(),
           ["de Jong", "Jansen", "de Vries", "van den Berg", "van Dijk", "Bakker", "Visser", "Smit", "Meijer",
            "de Boer", "Peeters", "Maes"]),
    "pl": ("Jakub Zuzanna Kacper Julia Szymon Maja Wojciech Łucja Michał Agnieszka".split(),
           "Nowak Kowalski Wiśniewski Wójcik Kowalczyk Kamiński Lewandowski Zieliński Szymański Dąbrowski".split()),
    "nordic": ("Erik Astrid Lars Ingrid Oskar Freja Magnus Sigrid Nils Maja Søren Åsa".split(),
               "Andersson Johansson Hansen Nielsen Larsen Karlsson Olsen Jensen Berg Lindqvist Sørensen Ødegård"
               .split()),
    "ja": ([("健二", "kenji"), ("陽菜", "hina"), ("翔", "sho"), ("結衣", "yui"), ("大輝", "daiki"), ("さくら", "sakura"),
            ("蓮", "ren"), ("美咲", "misaki"), ("悠真", "yuma"), ("愛", "ai")],
           [("田中", "tanaka"), ("佐藤", "sato"), ("鈴木", "suzuki"), ("高橋", "takahashi"), ("伊藤", "ito"),
            ("渡辺", "watanabe"), ("山本", "yamamoto"), ("中村", "nakamura"), ("小林", "kobayashi"), ("加藤", "kato")]),
    "ko": ([("민준", "minjun"), ("서연", "seoyeon"), ("도윤", "doyun"), ("지우", "jiwoo"), ("하준", "hajun"),
            ("서윤", "seoyun"), ("예준", "yejun"), ("하은", "haeun")],
           [("김", "kim"), ("이", "lee"), ("박", "park"), ("최", "choi"), ("정", "jung"), ("강", "kang"),
            ("조", "cho"), ("윤", "yoon")]),
    "zh": ([("伟", "wei"), ("芳", "fang"), ("娜", "na"), ("敏", "min"), ("静", "jing"), ("丽", "li"), ("强", "qiang"),
            ("磊", "lei"), ("嘉欣", "kayan"), ("志明", "chiming")],
           [("王", "wang"), ("李", "li"), ("张", "zhang"), ("刘", "liu"), ("陈", "chen"), ("杨", "yang"), ("黄", "wong"),
            ("林", "lin"), ("吴", "wu"), ("周", "chow")]),
    "ru": ([("Александр", "aleksandr"), ("Анна", "anna"), ("Дмитрий", "dmitry"), ("Мария", "maria"),
            ("Сергей", "sergey"), ("Елена", "elena"), ("Иван", "ivan"), ("Ольга", "olga")],
           [("Иванов", "ivanov"), ("Смирнов", "smirnov"), ("Кузнецов", "kuznetsov"), ("Попов", "popov"),
            ("Васильев", "vasiliev"), ("Петров", "petrov"), ("Соколов", "sokolov"), ("Морозов", "morozov")]),
    "ar": ([("محمد", "mohammed"), ("فاطمة", "fatima"), ("أحمد", "ahmed"), ("نورة", "noura"), ("عبدالله", "abdullah"),
            ("سارة", "sara"), ("خالد", "khalid"), ("مريم", "maryam")],
           [("العتيبي", "alotaibi"), ("الحربي", "alharbi"), ("القحطاني", "alqahtani"), ("الشمري", "alshammari"),
            ("المنصوري", "almansoori"), ("الزهراني", "alzahrani"), ("علي", "ali"), ("حسن", "hassan")]),
    "he": ([("נועה", "noa"), ("דוד", "david"), ("תמר", "tamar"), ("יוסף", "yosef"), ("מאיה", "maya"), ("איתי", "itay")],
           [("כהן", "cohen"), ("לוי", "levi"), ("מזרחי", "mizrahi"), ("פרץ", "peretz"), ("ביטון", "biton"),
            ("אברהם", "avraham")]),
    "tr": ("Yusuf Zeynep Mehmet Elif Mustafa Ayşe Emir Defne Çağrı Gülşen".split(),
           "Yılmaz Kaya Demir Şahin Çelik Yıldız Yıldırım Öztürk Aydın Özdemir".split()),
    "in": ("Aarav Ananya Vivaan Diya Arjun Priya Rohan Kavya Rahul Sneha".split(),
           "Sharma Verma Gupta Singh Kumar Patel Reddy Iyer Nair Das".split()),
}
EASTERN = {"ja", "ko", "zh"}  # family name first, no space for Chinese and Japanese

MARKETPLACES = [("shopify", 45), ("amazon", 20), ("etsy", 15), ("ebay", 12), (None, 8)]
ACTIVITY_KINDS = [("email_open", 40), ("visit", 25), ("email_click", 15), ("order_placed", 12),
                  ("message_received", 8)]
SUPPRESSIONS = [("unsubscribe", "marketing", 50), ("hard_bounce", "all", 25), ("soft_bounces", "all", 10),
                ("complaint", "all", 5), ("manual", "all", 10)]

BUYER_COLUMNS = ("id", "seller_id", "name", "email", "country", "timezone", "timezone_source", "timezone_confidence",
                 "timezone_explanation", "language", "language_source", "language_explanation", "marketplace",
                 "tags", "search_text", "consent_status", "consent_source", "consent_at", "order_count",
                 "first_order_at", "last_order_at", "last_negative_review_at", "segment", "created_at", "updated_at")
ACTIVITY_COLUMNS = ("seller_id", "buyer_id", "kind", "occurred_at", "source", "created_at")
ORDER_COLUMNS = ("seller_id", "buyer_id", "marketplace", "external_id", "reference", "placed_at", "currency",
                 "total_minor", "status", "dispute_open", "created_at", "updated_at")


def _weighted(pairs):
    """(values, cumulative weights) for random.choices."""
    values = [p[0] for p in pairs]
    cum, total = [], 0.0
    for p in pairs:
        total += p[-1]
        cum.append(total)
    return values, cum


def _person(pool: str, rng: random.Random) -> tuple[str, str]:
    """(shown name, email local part) in the pool's script and order."""
    first, last = (rng.choice(p) for p in NAMES[pool])
    if isinstance(first, tuple):
        (f_shown, f_latin), (l_shown, l_latin) = first, last
    else:
        f_shown, l_shown = first, last
        f_latin, l_latin = fold(first), fold(last)
    if pool in ("ja", "zh"):
        shown = f"{l_shown}{f_shown}" if pool == "zh" and rng.random() < 0.5 else f"{l_shown} {f_shown}"
    elif pool in EASTERN:
        shown = f"{l_shown}{f_shown}"
    else:
        shown = f"{f_shown} {l_shown}"
    local = "".join(c for c in f"{f_latin}.{l_latin}".replace(" ", "").replace("'", "") if c.isalnum() or c == ".")
    return shown, local


def buyers(n: int, seller_id: int, seed: int):
    """Yield (buyer row dict, extras) for n buyers: extras say what else to seed for them."""
    rng = random.Random(seed)
    countries, ccum = _weighted([(c, w) for c, w, *_ in COUNTRIES])
    spec = {c[0]: c for c in COUNTRIES}
    zones = {c: _weighted(z) for c, _, z, *_ in COUNTRIES}
    langs = {c: _weighted(lg) for c, _, _, lg, *_ in COUNTRIES}
    markets, mcum = _weighted(MARKETPLACES)
    for i in range(1, n + 1):
        country = rng.choices(countries, cum_weights=ccum)[0]
        _, _, _, _, pool, domains = spec[country]
        tz = rng.choices(*zones[country])[0] if len(zones[country][0]) > 1 else zones[country][0][0]
        language = rng.choices(*langs[country])[0] if len(langs[country][0]) > 1 else langs[country][0][0]
        name, local = _person(pool, rng)
        marketplace = rng.choices(markets, cum_weights=mcum)[0]
        email = None if rng.random() < 0.005 else f"{local}.{i}@{rng.choice(domains)}"
        r = rng.random()
        if rule_for(country) == "opt_in":  # most opted in at checkout, some never asked
            consent = "granted" if r < 0.84 else "unknown" if r < 0.96 else "denied" if r < 0.98 else "withdrawn"
        else:
            consent = "granted" if r < 0.45 else "unknown" if r < 0.96 else "denied" if r < 0.98 else "withdrawn"
        orders = rng.choice((0, 1, 1, 1, 2, 2, 3, 4, 6))
        last = NOW - timedelta(days=rng.randint(2, 700), minutes=rng.randint(0, 1439)) if orders else None
        first = last - timedelta(days=rng.randint(0, 400)) if orders and orders > 1 else last
        bad_review = NOW - timedelta(days=rng.randint(1, 200)) if rng.random() < 0.006 else None
        created = (first or NOW - timedelta(days=rng.randint(1, 900))) - timedelta(minutes=5)
        row = {"id": i, "seller_id": seller_id, "name": name, "email": email, "country": country, "timezone": tz,
               "timezone_source": "country", "timezone_confidence": "high",
               "timezone_explanation": f"inferred from country {country}", "language": language,
               "language_source": "country_language", "language_explanation": f"main language of {country}",
               "marketplace": marketplace, "tags": [], "search_text": buyer_search_text(name, email),
               "consent_status": consent, "consent_source": "checkout" if consent != "unknown" else None,
               "consent_at": created if consent != "unknown" else None, "order_count": orders,
               "first_order_at": first, "last_order_at": last, "last_negative_review_at": bad_review,
               "segment": rng.choice(SEGMENTS[:-1]) if orders else "no_orders", "created_at": created,
               "updated_at": last or created}
        extras = {}
        if email and rng.random() < 0.02:
            extras["suppressed"] = rng.choices(SUPPRESSIONS, [s[2] for s in SUPPRESSIONS])[0]
        if rng.random() < 0.10:  # recently active: a learned send-time profile
            habit = rng.choice((7, 8, 12, 13, 18, 19, 20, 21, 22))
            extras["activities"] = [(rng.choices(*_weighted(ACTIVITY_KINDS))[0], rng.randint(1, 300),
                                     min(23, max(0, int(rng.gauss(habit, 1.5)))), rng.randint(0, 59))
                                    for _ in range(rng.randint(2, 8))]
        if orders and rng.random() < 0.006:
            extras["dispute"] = True
        if email:  # the outbox's past, all sent: last winter's sale, shipping notices, this week's flash sale
            extras["history"] = ([("winter", rng.randint(40, 50))] if rng.random() < 0.15 else []) + \
                ([("shipped", rng.randint(2, 90))] if orders and rng.random() < 0.10 else []) + \
                ([("flash1", 5), ("flash2", 2)] if rng.random() < 0.02 else [])  # at the cap: 2 in 7 days
        yield row, extras


def _offsets() -> dict[str, timedelta]:
    """Each zone's UTC offset around NOW (good enough to place seeded activity at a local hour)."""
    return {tz: get_timezone(tz).utcoffset(NOW.replace(tzinfo=None)) for c in COUNTRIES for tz, _ in c[2]}


# A past message -> (kind, origin, origin_ref, subject)
HISTORY = {"winter": ("marketing", "campaign", "past-winter", "Winter sale: 30 % off everything until Sunday"),
           "flash1": ("marketing", "campaign", "past-flash", "48 hours of flash sale start now"),
           "flash2": ("marketing", "campaign", "past-flash", "Last hours of the flash sale"),
           "shipped": ("transactional", "milestone", None, "Your order is on its way")}


def _history(row: dict, extras: dict, offsets: dict) -> list[dict]:
    """The messages an outbox with some history holds for this buyer (sent, at 19:00 their time)."""
    out = []
    for what, days_ago in extras.get("history", ()):
        kind, origin, ref, subject = HISTORY[what]
        day = (NOW - timedelta(days=days_ago)).date()
        at = datetime(day.year, day.month, day.day, 19, tzinfo=timezone.utc) - offsets[row["timezone"]]
        key = f"history:{what}:{row['id']}"
        out.append({"seller_id": row["seller_id"], "buyer_id": row["id"], "kind": kind, "origin": origin,
                    "origin_ref": ref, "idempotency_key": key, "rfc_message_id": f"<{key}@{MAIL_DOMAIN}>",
                    "locale": row["language"], "template": "campaign" if kind == "marketing" else "shipped",
                    "context": {}, "subject": subject, "body": f"Hello {row['name']},\n\n{subject}.\n",
                    "scheduled_at": at, "explanation": "bench history", "status": "sent", "due_at": at,
                    "attempts": 1, "sent_at": at, "to_email": row["email"], "created_at": at - timedelta(hours=8),
                    "updated_at": at})
    return out


def _side_rows(row: dict, extras: dict, offsets: dict, seq: int):
    """(activities, order, suppression) rows seeded for one buyer."""
    acts = []
    for kind, days_ago, hour, minute in extras.get("activities", ()):
        day = (NOW - timedelta(days=days_ago)).date()
        local = datetime(day.year, day.month, day.day, hour, minute, tzinfo=timezone.utc)
        at = local - offsets[row["timezone"]]
        acts.append({"seller_id": row["seller_id"], "buyer_id": row["id"], "kind": kind, "occurred_at": at,
                     "source": "shopify", "created_at": at})
    order = None
    if extras.get("dispute"):
        order = {"seller_id": row["seller_id"], "buyer_id": row["id"], "marketplace": row["marketplace"] or "shopify",
                 "external_id": f"D{seq}", "reference": f"#{100000 + seq}", "placed_at": row["last_order_at"],
                 "currency": "USD", "total_minor": 2599, "status": "paid", "dispute_open": True,
                 "created_at": row["last_order_at"], "updated_at": NOW - timedelta(days=1)}
    supp = None
    if "suppressed" in extras:
        reason, scope, _ = extras["suppressed"]
        supp = {"seller_id": row["seller_id"], "email": row["email"], "reason": reason, "scope": scope,
                "detail": "bench", "created_at": NOW - timedelta(days=30)}
    return acts, order, supp


def _naive(v):
    """A value as COPY's text writer wants it (naive UTC datetimes, JSON as text)."""
    if isinstance(v, datetime):
        return v.astimezone(timezone.utc).replace(tzinfo=None)
    if isinstance(v, (list, dict)):
        return json.dumps(v)
    return v


def seed_postgres(db: Database, seller_id: int, n: int, seed: int) -> dict:
    """COPY n buyers and their activities, disputed orders and suppressions; counts."""
    offsets, counts = _offsets(), {"activities": 0, "disputes": 0, "suppressed": 0}
    acts, orders, supps, history = [], [], [], []
    raw = db.engine.raw_connection()
    try:
        with raw.cursor() as cur:
            with cur.copy(f"COPY buyers ({', '.join(BUYER_COLUMNS)}) FROM STDIN") as copy:
                for row, extras in buyers(n, seller_id, seed):
                    copy.write_row(tuple(_naive(row[c]) for c in BUYER_COLUMNS))
                    a, o, s = _side_rows(row, extras, offsets, len(orders) + 1)
                    history.extend(_history(row, extras, offsets))
                    acts.extend(a)
                    if o:
                        orders.append(o)
                    if s:
                        supps.append(s)
                    if row["id"] % 200_000 == 0:
                        print(f"  … {row['id']:,} buyers", flush=True)
            cur.execute("SELECT setval(pg_get_serial_sequence('buyers', 'id'), (SELECT max(id) FROM buyers))")
            for table, rows in (("activities", acts), ("orders", orders), ("suppressions", supps),
                                ("messages", history)):
                if not rows:
                    continue
                cols = list(rows[0])
                with cur.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as copy:
                    for r in rows:
                        copy.write_row(tuple(_naive(r[c]) for c in cols))
            cur.execute("CREATE TABLE bench_outbox_history AS SELECT * FROM messages")  # reset_outbox puts it back
        raw.commit()
    finally:
        raw.close()
    counts.update(activities=len(acts), disputes=len(orders), suppressed=len(supps), history=len(history),
                  active_buyers=len({a["buyer_id"] for a in acts}))
    return counts


def seed_sqlite(db: Database, seller_id: int, n: int, seed: int) -> dict:
    """The same shop through executemany INSERTs (SQLite)."""
    offsets = _offsets()
    acts, orders, supps, history, chunk = [], [], [], [], []
    with db.transaction() as s:
        for row, extras in buyers(n, seller_id, seed):
            chunk.append(row)
            history.extend(_history(row, extras, offsets))
            a, o, sp = _side_rows(row, extras, offsets, len(orders) + 1)
            acts.extend(a)
            if o:
                orders.append(o)
            if sp:
                supps.append(sp)
            if len(chunk) == 10_000:
                s.execute(insert(Buyer), chunk)
                chunk = []
        if chunk:
            s.execute(insert(Buyer), chunk)
        for model, rows in ((Activity, acts), (Order, orders), (Suppression, supps), (Message, history)):
            if rows:
                s.execute(insert(model), rows)
    return {"activities": len(acts), "disputes": len(orders), "suppressed": len(supps), "history": len(history),
            "active_buyers": len({a["buyer_id"] for a in acts})}


# --------------------------------------------------------------------------- the campaign (child process)

def campaign_body(tag: str) -> dict:
    """A sale to the whole list, English and German versions, {name} and {ends} per buyer."""
    return {"name": f"Spring sale {tag}", "kind": "sale", "audience": {}, "confirm_all": True,
            "offer": {"discount": "20 %", "coupon": "SPRING20", "starts_on": "2026-03-10",
                      "ends_at": "2026-03-16T23:59"},
            "content": {"language": "en", "versions": {
                "en": {"subject": "{name}, {discount} off everything until {ends}",
                       "body": "Hello {name},\n\nour spring sale is on: {discount} off everything in the shop with "
                               "the code {coupon}, until {ends} your time.\n\nFree tracked shipping on orders "
                               "over 35 USD, and 30 days to change your mind.\n\n{shop}"},
                "de": {"subject": "{name}, {discount} Rabatt auf alles bis {ends}",
                       "body": "Hallo {name},\n\nunser Frühjahrsverkauf läuft: {discount} Rabatt auf alles im Shop "
                               "mit dem Code {coupon}, bis {ends} Ihrer Zeit.\n\nKostenloser Versand mit "
                               "Sendungsverfolgung ab 35 USD und 30 Tage Rückgaberecht.\n\n{shop}"}}}}


def _rss_mib() -> float:
    """This process's peak RSS in MiB: VmHWM, its own address space's high-water mark (ru_maxrss would
    start at the RSS of the parent it was spawned from: Linux keeps it across exec)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def child(url: str, seller_id: int, tag: str, profile: bool) -> int:
    """Create a campaign and time its launch; one JSON line on stdout."""
    from crossborder_crm.campaigns.lifecycle import create_campaign, launch_campaign

    db, clock = Database(url), FixedClock(NOW)
    campaign = create_campaign(db, clock, seller_id, campaign_body(tag))
    step = 100_000 if "postgresql" in url else 25_000

    def progress(seen: int) -> None:
        if seen % step < planning.BATCH:
            print(f"    … {seen:,} buyers planned", file=sys.stderr, flush=True)

    before = _rss_mib()
    prof = None
    if profile:
        import cProfile
        prof = cProfile.Profile()
        prof.enable()
    started = time.perf_counter()
    cpu0 = time.process_time()
    plan = launch_campaign(db, clock, seller_id, campaign.id, mail_domain=MAIL_DOMAIN, translator=None,
                           progress=progress)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu0
    if prof is not None:
        prof.disable()
        import io
        import pstats
        out = io.StringIO()
        pstats.Stats(prof, stream=out).sort_stats("tottime").print_stats(30)
        pstats.Stats(prof, stream=out).sort_stats("cumulative").print_stats(40)
        print(out.getvalue(), file=sys.stderr, flush=True)
    print(json.dumps({"seconds": seconds, "cpu": cpu, "rss_mib": _rss_mib(), "rss_before_mib": before,
                      "campaign_id": campaign.id, "matched": plan.matched, "recipients": plan.recipients,
                      "excluded": dict(plan.excluded)}), flush=True)
    db.dispose()
    return 0


def launch_in_child(url: str, seller_id: int, tag: str, profile: bool = False) -> dict:
    """Run child() in a fresh interpreter: its peak RSS is the planning's alone."""
    done = subprocess.run([sys.executable, str(HERE), "--child", url, str(seller_id), tag]
                          + (["--profile"] if profile else []),
                          stdout=subprocess.PIPE, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------- the baseline

def ready_made_rows(db: Database, campaign_id: int, n: int) -> list[bytes]:
    """The planned messages as COPY text, stretched to n rows (copies get a new key and Message-ID),
    in chunks of about 4 MB."""
    cols = planning._COLUMNS
    key_at, mid_at = cols.index("idempotency_key"), cols.index("rfc_message_id")
    raw = db.engine.raw_connection()
    planned: list[bytes] = []
    try:
        with raw.cursor() as cur:
            with cur.copy(f"COPY (SELECT {', '.join(cols)} FROM messages WHERE origin = 'campaign' "
                          f"AND origin_ref = '{campaign_id}' ORDER BY id) TO STDOUT") as copy:
                for block in copy:
                    planned.append(bytes(block))
        raw.commit()
    finally:
        raw.close()
    lines = b"".join(planned).splitlines(keepends=True)
    planned.clear()
    if not lines:
        raise RuntimeError("the launch planned no message: nothing to build the baseline from")
    chunks, buf, size, made = [], [], 0, 0
    copy_no = 0
    while made < n:
        for line in lines:
            if made == n:
                break
            if copy_no:
                fields = line.split(b"\t")
                fields[key_at] += b":copy%d" % copy_no
                fields[mid_at] = b"<copy%d." % copy_no + fields[mid_at][1:]
                line = b"\t".join(fields)
            buf.append(line)
            size += len(line)
            made += 1
            if size >= 4 << 20:
                chunks.append(b"".join(buf))
                buf, size = [], 0
        copy_no += 1
    if buf:
        chunks.append(b"".join(buf))
    return chunks


def copy_baseline(db: Database, chunks: list[bytes]) -> float:
    """Seconds for one COPY of the ready-made rows into messages, committed."""
    raw = db.engine.raw_connection()
    try:
        started = time.perf_counter()
        with raw.cursor() as cur, cur.copy(f"COPY messages ({', '.join(planning._COLUMNS)}) FROM STDIN") as copy:
            for chunk in chunks:
                copy.write(chunk)
        raw.commit()
        return time.perf_counter() - started
    finally:
        raw.close()


def reset_outbox(db: Database) -> None:
    """The outbox back to its seeded history only, analyzed, checkpointed: every timed run (planning or
    baseline) starts from the same state, with the statistics autovacuum keeps on a live server."""
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        if db.dialect == "postgresql":
            conn.execute(text("TRUNCATE messages CASCADE"))  # send_log, delivery_events: empty here
            conn.execute(text("INSERT INTO messages SELECT * FROM bench_outbox_history"))
            conn.execute(text("ANALYZE messages"))
            conn.execute(text("CHECKPOINT"))
        else:
            conn.execute(text("DELETE FROM send_log"))
            conn.execute(text("DELETE FROM messages WHERE idempotency_key NOT LIKE 'history:%'"))
            conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))


# --------------------------------------------------------------------------- reporting

def _list(values) -> str:
    return ", ".join(f"{v:.1f}" for v in values)


def _mark(ok: bool) -> str:
    return "met" if ok else "MISSED"


def _excluded(plan: dict) -> str:
    return ", ".join(f"{k} {v:,}" for k, v in sorted(plan["excluded"].items(), key=lambda kv: -kv[1])) or "none"


def _seller(db: Database):
    return create_seller(db, FixedClock(NOW - timedelta(days=900)), "Shenzhen Outdoor Co.",
                         "owner@shenzhen-outdoor.example", "bench password 1", timezone="Asia/Shanghai",
                         postal_address="Room 1203, 88 Keyuan Rd, Nanshan, Shenzhen, CN")


def run_postgres(args) -> None:
    admin_url = make_url(args.pg_url)
    url = admin_url.set(database=BENCH_DB).render_as_string(hide_password=False)
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {BENCH_DB}"))
        conn.execute(text(f"CREATE DATABASE {BENCH_DB}"))
    db = None
    try:
        upgrade(url)
        db = Database(url)
        seller = _seller(db)
        print(f"PostgreSQL ({BENCH_DB} on {admin_url.host}): seeding {args.buyers:,} buyers with COPY …", flush=True)
        t0 = time.perf_counter()
        seeded = seed_postgres(db, seller.seller_id, args.buyers, args.seed)
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
        print(f"  seeded in {time.perf_counter() - t0:.1f} s: {seeded['suppressed']:,} suppressed addresses, "
              f"{seeded['active_buyers']:,} buyers with {seeded['activities']:,} recent activities, "
              f"{seeded['disputes']:,} open disputes, {seeded['history']:,} messages of history in the outbox",
              flush=True)

        plans, copies, chunks = [], [], None
        for run in range(1, args.repeat + 1):
            reset_outbox(db)
            print(f"  launch {run}/{args.repeat} (child process) …", flush=True)
            plans.append(launch_in_child(url, seller.seller_id, f"pg-{run}"))
            print(f"    planned {plans[-1]['recipients']:,} in {plans[-1]['seconds']:.1f} s "
                  f"(CPU {plans[-1]['cpu']:.1f} s), peak RSS {plans[-1]['rss_mib']:.0f} MiB", flush=True)
            if chunks is None:
                chunks = ready_made_rows(db, plans[-1]["campaign_id"], args.buyers)
            reset_outbox(db)
            copies.append(copy_baseline(db, chunks))
            print(f"  baseline {run}/{args.repeat}: COPY of {args.buyers:,} ready-made rows in {copies[-1]:.1f} s",
                  flush=True)
        if args.profile:
            reset_outbox(db)
            print("  profiled launch (cProfile; not counted) …", flush=True)
            launch_in_child(url, seller.seller_id, "pg-profile", profile=True)

        plan_s, copy_s = statistics.median(p["seconds"] for p in plans), statistics.median(copies)
        rss = max(p["rss_mib"] for p in plans)
        last = plans[-1]
        ratio = plan_s / copy_s
        per_row = copy_s * last["recipients"] / args.buyers
        print(f"\nPostgreSQL, {args.buyers:,} buyers (one seller, 33 countries), sale campaign, {args.repeat} run(s):")
        print(f"  audience {last['matched']:,}; recipients {last['recipients']:,}; excluded: {_excluded(last)}")
        print(f"  planning (launch_campaign, all reads and writes): median {plan_s:.1f} s "
              f"[{_list(p['seconds'] for p in plans)}] = {args.buyers / plan_s:,.0f} buyers/s, "
              f"{last['recipients'] / plan_s:,.0f} messages/s; planner CPU "
              f"{statistics.median(p['cpu'] for p in plans):.1f} s")
        print(f"  baseline: plain COPY of {args.buyers:,} ready-made rows into messages: median {copy_s:.1f} s "
              f"[{_list(copies)}]")
        print(f"  ratio planning / COPY: {ratio:.2f}x (target <= {TARGET_RATIO}x): {_mark(ratio <= TARGET_RATIO)}")
        print(f"  (per written row: COPY of the {last['recipients']:,} rows planning wrote would take "
              f"~{per_row:.1f} s, "
              f"ratio {plan_s / per_row:.2f}x: {_mark(plan_s / per_row <= TARGET_RATIO)})")
        print(f"  peak RSS of the planning process: {rss:.0f} MiB (target < {TARGET_RSS_MIB} MiB): "
              f"{_mark(rss < TARGET_RSS_MIB)}; {last['rss_before_mib']:.0f} MiB before the launch "
              f"(interpreter, imports, connection)", flush=True)
    finally:
        if db is not None:
            db.dispose()
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)"))
        admin.dispose()


def run_sqlite(args) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.sqlite3"
        upgrade(url)
        db = Database(url)
        seller = _seller(db)
        print(f"\nSQLite file: seeding {args.sqlite_buyers:,} buyers with executemany …", flush=True)
        t0 = time.perf_counter()
        seeded = seed_sqlite(db, seller.seller_id, args.sqlite_buyers, args.seed)
        with db.engine.connect() as conn:
            conn.execute(text("ANALYZE"))
        print(f"  seeded in {time.perf_counter() - t0:.1f} s: {seeded['suppressed']:,} suppressed, "
              f"{seeded['active_buyers']:,} active buyers, {seeded['disputes']:,} open disputes, "
              f"{seeded['history']:,} messages of history", flush=True)
        plans = []
        for run in range(1, args.repeat + 1):
            reset_outbox(db)
            plans.append(launch_in_child(url, seller.seller_id, f"sqlite-{run}"))
            print(f"  launch {run}/{args.repeat}: {plans[-1]['recipients']:,} planned in {plans[-1]['seconds']:.1f} s",
                  flush=True)
        db.dispose()
        plan_s, last = statistics.median(p["seconds"] for p in plans), plans[-1]
        print(f"\nSQLite, {args.sqlite_buyers:,} buyers, {args.repeat} run(s):")
        print(f"  audience {last['matched']:,}; recipients {last['recipients']:,}; excluded: {_excluded(last)}")
        print(f"  planning: median {plan_s:.1f} s [{_list(p['seconds'] for p in plans)}] = "
              f"{args.sqlite_buyers / plan_s:,.0f} buyers/s, {last['recipients'] / plan_s:,.0f} messages/s; "
              f"peak RSS {max(p['rss_mib'] for p in plans):.0f} MiB", flush=True)


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        return child(sys.argv[2], int(sys.argv[3]), sys.argv[4], "--profile" in sys.argv[5:])
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--buyers", type=int, default=None, help="PostgreSQL buyers (default 1,000,000)")
    ap.add_argument("--sqlite-buyers", type=int, default=None, help="SQLite buyers (default 100,000)")
    ap.add_argument("--pg-url", default=os.environ.get("CRM_BENCH_POSTGRES_URL", DEFAULT_PG),
                    help="a PostgreSQL server (its database is only used to create and drop bench_campaign)")
    ap.add_argument("--repeat", type=int, default=None, help="timed runs of each (default 3, quick 1)")
    ap.add_argument("--quick", action="store_true", help="smoke run: 20,000 / 5,000 buyers, one run each")
    ap.add_argument("--profile", action="store_true", help="also print the cProfile of one extra PostgreSQL launch")
    ap.add_argument("--skip-sqlite", action="store_true")
    ap.add_argument("--skip-postgres", action="store_true")
    ap.add_argument("--seed", type=int, default=11)
    args = ap.parse_args()
    args.buyers = args.buyers or (20_000 if args.quick else 1_000_000)
    args.sqlite_buyers = args.sqlite_buyers or (5_000 if args.quick else 100_000)
    args.repeat = args.repeat or (1 if args.quick else 3)
    started, load = time.perf_counter(), os.getloadavg()
    if not args.skip_postgres:
        run_postgres(args)
    if not args.skip_sqlite:
        run_sqlite(args)
    print(f"\n(whole bench {time.perf_counter() - started:.0f} s; load average at the start {load[0]:.2f}, "
          f"at the end {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
