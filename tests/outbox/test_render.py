"""render(): both parts of a message in the buyer's language, through the email templates."""
from __future__ import annotations

import html
import shutil
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markupsafe import Markup

from crossborder_crm.outbox import render as render_mod
from crossborder_crm.outbox.render import RenderInput, clear_caches, render

LOCALES = ["en", "de-DE", "fr-FR", "ja-JP", "zh-CN", "es-ES", "ar", "he-IL", "fa", "xx-unknown", ""]
SELLER = "Shenzhen Outdoor Co."
ADDRESS = "Bldg 5, 88 Keyuan Rd, Nanshan, Shenzhen 518057, China"
UNSUB = "https://crm.example.com/u/eyJhIjoxfQ.sig"


def item(**overrides) -> RenderInput:
    base = RenderInput(locale="en", buyer_name="Alex Miller", seller_name=SELLER, postal_address=ADDRESS,
                       subject="Your order #100001 has shipped",
                       body="Hello Alex,\n\nyour parcel is on its way.\n\nGrüße / 祝好 / Saludos",
                       template=None, context={}, unsubscribe_url=None, preferences_url=None)
    return replace(base, **overrides)


def marketing(**overrides) -> RenderInput:
    return item(**{"unsubscribe_url": UNSUB, "preferences_url": UNSUB, **overrides})


@pytest.fixture
def fresh_caches():
    """Empty template caches around a test that swaps templates."""
    clear_caches()
    yield
    clear_caches()


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("make", [item, marketing])
def test_written_messages_escape_the_sellers_words_in_html_only(locale, make):
    out = render(make(locale=locale, buyer_name="Zoë <&>", body="a <i> & b"))
    assert "a <i> & b" in out.text and "<p>a &lt;i&gt; &amp; b</p>" in out.html
    assert out.text.endswith("\n") and out.html.endswith("\n")
    assert (UNSUB in out.text) is (make is marketing)


def test_rendered_written_message_content():
    out = render(marketing(locale="ar", subject='<b>"Sale" & more</b>', body="a <i>\n\nb"))
    assert out.subject == '<b>"Sale" & more</b>'
    assert out.text.startswith("a <i>\n\nb\n\n--\nShenzhen Outdoor Co.\n")
    # The footer speaks the buyer's language (the emails catalog), the link as given.
    assert out.text.endswith(f"إلغاء الاشتراك في هذه الرسائل: {UNSUB}\n")
    assert "<title>&lt;b&gt;&#34;Sale&#34; &amp; more&lt;/b&gt;</title>" in out.html
    assert "<p>a &lt;i&gt;</p><p>b</p>" in out.html
    assert 'dir="rtl"' in out.html and f'<a href="{UNSUB}"' in out.html
    plain = render(item())
    assert "Unsubscribe" not in plain.text and "Unsubscribe" not in plain.html


# ----------------------------------------------------------------------------- paragraphs

_SPECIALS = ["<", ">", "&", '"', "'", "&amp;", "<script>", "\r\n", "\n", "\r", "\n\n", "\n\n\n", "  \n", "\t",
             "{{", "}}", "{%", "%}", "{#", "{{ subject }}", "{% if x %}", "%(url)s", "%s", "%", "{0}", "{body}",
             "\ue000", "\ue001", "\ue0000\ue001", "\u2028", "\x00", "\x0b", " ", "Grüße", "祝好", "أحمد", "😀",
             "a" * 300, "Jürgen Müller", "田中 健二"]
_text = st.lists(st.one_of(st.sampled_from(_SPECIALS), st.text(max_size=20)), max_size=12).map("".join)


def _old_paragraphs(text: str) -> Markup:
    # the first implementation, line by line: the reference for the faster whole-text escape
    blocks = [b.strip("\n") for b in text.replace("\r\n", "\n").split("\n\n") if b.strip()]
    return Markup("".join("<p>" + "<br>".join(html.escape(line) for line in b.split("\n")) + "</p>"
                          for b in blocks))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=_text)
def test_paragraphs_are_unchanged(paragraphs_template, text):
    # the HTML part of this template is the body's paragraphs alone
    it = item(template=paragraphs_template, body=text)
    assert render(it).html == str(_old_paragraphs(text)).strip() + "\n"


# -------------------------------------------------------------------------- templates


@pytest.fixture
def templates(tmp_path, monkeypatch, fresh_caches):
    """A copy of the email templates that a test can add to."""
    target = tmp_path / "emails"
    shutil.copytree(render_mod.TEMPLATES, target)
    monkeypatch.setattr(render_mod, "TEMPLATES", target)
    return target


@pytest.fixture
def paragraphs_template(templates) -> str:
    """A template whose text part is the body and whose HTML part the body's paragraphs."""
    (templates / "paragraphs.txt").write_text("{{ body }}")
    (templates / "paragraphs.html").write_text("{{ body_html }}")
    return "paragraphs"


def test_a_template_with_context_prints_its_values_and_sets_its_own_subject(templates):
    (templates / "shipped.txt").write_text('{% set subject_line = "Shipped: " ~ order_no %}'
                                           "Order {{ order_no }} for {{ buyer_name }}: {{ carrier }}\n"
                                           '{% include "_footer.txt" %}')
    (templates / "shipped.html").write_text('{% extends "_frame.html" %}'
                                            "{% block content %}<p>{{ order_no }} {{ carrier }}</p>{% endblock %}")
    it = item(template="shipped", subject=None, body=None,
              context={"order_no": "A<1>", "carrier": "DHL & Co"})
    out = render(it)
    assert out.subject == "Shipped: A<1>"  # the template's own subject, unescaped
    assert out.text.startswith("Order A<1> for Alex Miller: DHL & Co\n")
    assert "<p>A&lt;1&gt; DHL &amp; Co</p>" in out.html


def test_a_template_without_context_escapes_the_buyer_name_in_html(templates):
    (templates / "note.txt").write_text("{{ buyer_name }}: {{ body }}")
    (templates / "note.html").write_text("<p>{{ buyer_name }}</p>{{ body_html }}")
    it = item(template="note", buyer_name="Zoë <&>")
    assert render(it).html == "<p>Zoë &lt;&amp;&gt;</p>" + str(_old_paragraphs(it.body)) + "\n"


