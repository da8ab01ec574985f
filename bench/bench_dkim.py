"""Benchmark: DKIM signing through OpenSSL (ours) vs dkimpy's pure-Python RSA, same messages, same run.

    .venv/bin/python bench/bench_dkim.py [--messages 500] [--reps 5] [--bits 2048]

Both sign the same prepared messages (built once, unsigned: multipart, UTF-8 subjects and names,
marketing headers on every 4th) with the same 2048-bit RSA key, relaxed/relaxed, the same signed
header list. Each repetition times ours and dkimpy's over all messages, interleaved; the figure is
the median of the repetitions' milliseconds per message. Target: ours >= 5x faster. Every
signature of ours is checked once with dkimpy's verifier before timing. Exit status 0 unless the
benchmark itself broke (a missed target prints MISSED).
"""
from __future__ import annotations

import argparse
import base64
import statistics
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import dkim
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from crossborder_crm.outbox.dkim_signing import DkimKey, dkim_sign
from crossborder_crm.outbox.message_id import make_message_id
from crossborder_crm.outbox.mime import OutgoingEmail, build_message

DOMAIN, SELECTOR = "seller.example", "bench"
TARGET = 5.0
NAMES = ["Lucía García", "山田太郎", "Zoë Ünal", "Jean Dupont", "Олег Петров", "Ana Souza", "Kim Min-jun"]
SUBJECTS = ["Tu pedido está en camino", "ご注文ありがとうございます", "Ihre Bestellung wurde versandt",
            "Votre colis arrive", "Ваш заказ отправлен", "Seu pedido saiu", "Order shipped"]
# what dkim_signing signs: the present core headers, then the over-signed ones
CORE = ["from", "to", "subject", "date", "message-id", "mime-version", "content-type"]
OVERSIGN = ["from", "to", "reply-to", "subject", "date", "message-id", "list-unsubscribe", "list-unsubscribe-post"]


def prepared(count: int) -> list[tuple[bytes, frozenset[str], list[bytes]]]:
    """(unsigned bytes, present headers, dkimpy's include list) per message."""
    out = []
    start = datetime(2026, 3, 10, 9, tzinfo=timezone.utc)
    for i in range(count):
        marketing = i % 4 == 0
        mail = OutgoingEmail(
            from_addr="shop@seller.example", from_name="Seller", to_addr=f"buyer{i}@example.com",
            to_name=NAMES[i % len(NAMES)], subject=f"{SUBJECTS[i % len(SUBJECTS)]} #{i}",
            text=("Hola, tu pedido está listo. " * 12 + "\n") * 6, html="<p>" + "Gracias por tu compra. " * 60 + "</p>",
            message_id=make_message_id("bench", f"k-{i}", DOMAIN), date=start + timedelta(seconds=i),
            list_unsubscribe_url=f"https://crm.example.com/u/{'t' * 60}{i}" if marketing else None,
            list_unsubscribe_mailto=f"mailto:unsubscribe@crm.example.com?subject=u{i}" if marketing else None)
        raw = build_message(mail)
        present = set(CORE) | ({"list-unsubscribe", "list-unsubscribe-post"} if marketing else set())
        include = [h for h in CORE + ["list-unsubscribe", "list-unsubscribe-post"] if h in present] + OVERSIGN
        out.append((raw, frozenset(present), [h.encode() for h in include]))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=500)
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--bits", type=int, default=2048)
    args = parser.parse_args()

    private = rsa.generate_private_key(public_exponent=65537, key_size=args.bits)
    pkcs8 = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption())
    pkcs1 = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                                  serialization.NoEncryption())
    public = base64.b64encode(private.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo))
    record = b"v=DKIM1; k=rsa; p=" + public
    key = DkimKey(DOMAIN, SELECTOR, pkcs8)
    messages = prepared(args.messages)

    for raw, present, _ in messages:  # correctness first: every signature of ours verifies
        if not dkim.verify(dkim_sign(raw, present, key, DOMAIN), dnsfunc=lambda name, timeout=5: record):
            print("our signature did not verify with dkimpy", file=sys.stderr)
            return 1

    def ours() -> None:
        for raw, present, _ in messages:
            dkim_sign(raw, present, key, DOMAIN, 1773133200)

    def dkimpy() -> None:
        for raw, _, include in messages:
            dkim.sign(raw, SELECTOR.encode(), DOMAIN.encode(), pkcs1, canonicalize=(b"relaxed", b"relaxed"),
                      include_headers=include, linesep=b"\r\n")

    ours_ms, dkimpy_ms = [], []
    for _ in range(args.reps):
        for fn, times in ((ours, ours_ms), (dkimpy, dkimpy_ms)):
            started = time.perf_counter()
            fn()
            times.append((time.perf_counter() - started) * 1000 / len(messages))
    mine, theirs = statistics.median(ours_ms), statistics.median(dkimpy_ms)
    ratio = theirs / mine
    print(f"DKIM signing, RSA-{args.bits}, {len(messages)} messages x {args.reps} reps (median ms per message)")
    print(f"  ours (cryptography/OpenSSL): {mine:8.3f} ms")
    print(f"  dkimpy (pure-Python RSA):    {theirs:8.3f} ms")
    print(f"  ratio: {ratio:.1f}x  (target >= {TARGET:.0f}x) {'ok' if ratio >= TARGET else 'MISSED'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
