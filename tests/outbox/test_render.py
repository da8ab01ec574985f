"""render(): the cached-frame fast path against the plain Jinja rendering it replaces."""
from __future__ import annotations

import contextlib
import gettext
import html
import shutil
from dataclasses import replace

import jinja2
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markupsafe import Markup

from crossborder_crm.outbox import render as render_mod
from crossborder_crm.outbox.render import SLOT_TOKENS, RenderInput, clear_caches, render, render_jinja

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


@contextlib.contextmanager
def jinja_renders():
    """The names of the templates Jinja renders inside the block."""
    names: list[str] = []
    original = jinja2.Template.render

    def spy(self, *args, **kwargs):
        names.append(self.name)
        return original(self, *args, **kwargs)

    jinja2.Template.render = spy
    try:
        yield names
    finally:
        jinja2.Template.render = original


def framed(it: RenderInput) -> bool:
    """True when render() serves `it` from a frame: once the frame is made, Jinja renders nothing."""
    render(it)  # makes the frame (or finds that only Jinja can render `it`)
    with jinja_renders() as names:
        render(it)
    return not names


@pytest.fixture
def fresh_caches():
    """Empty template, frame and syntax-check caches around a test that swaps templates or catalogs."""
    clear_caches()
    yield
    clear_caches()


# ----------------------------------------------------------------- the fast path is the real one


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("make", [item, marketing])
def test_written_messages_use_a_verified_frame_and_match_jinja(locale, make):
    it = make(locale=locale)
    assert framed(it)  # not silently falling back to Jinja
    assert render(it) == render_jinja(it)


def test_frames_dropped_from_the_bounded_cache_render_the_same_when_made_again():
    items = [item(seller_name=f"Seller {i}") for i in range(1500)]  # more keys than frames are kept
    for it in items + items[:50]:
        assert render(it) == render_jinja(it)


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


# ----------------------------------------------------------------------------- differential

_SPECIALS = ["<", ">", "&", '"', "'", "&amp;", "<script>", "\r\n", "\n", "\r", "\n\n", "\n\n\n", "  \n", "\t",
             "{{", "}}", "{%", "%}", "{#", "{{ subject }}", "{% if x %}", "%(url)s", "%s", "%", "{0}", "{body}",
             "\ue000", "\ue001", "\ue0000\ue001", "\u2028", "\x00", "\x0b", " ", "Grüße", "祝好", "أحمد", "😀",
             "a" * 300, "Jürgen Müller", "田中 健二"] + list(SLOT_TOKENS)
_text = st.lists(st.one_of(st.sampled_from(_SPECIALS), st.text(max_size=20)), max_size=12).map("".join)
_url = st.sampled_from([None, "", UNSUB, "https://x.example/u/a&b=<c>\"'", "mailto:u@x.example"])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(locale=st.sampled_from(LOCALES), buyer_name=_text, subject=st.one_of(st.none(), _text),
       body=st.one_of(st.none(), _text), seller_name=st.one_of(st.sampled_from([SELLER, "Zoë & <Co>"]), _text),
       postal_address=st.one_of(st.none(), st.just(""), st.just(ADDRESS), _text),
       unsubscribe_url=_url, preferences_url=_url)
def test_fast_path_is_byte_identical_to_jinja(locale, buyer_name, subject, body, seller_name, postal_address,
                                              unsubscribe_url, preferences_url):
    it = RenderInput(locale=locale, buyer_name=buyer_name, seller_name=seller_name, postal_address=postal_address,
                     subject=subject, body=body, template=None, context={}, unsubscribe_url=unsubscribe_url,
                     preferences_url=preferences_url)
    assert render(it) == render_jinja(it)
    if not any(token in seller_name + (postal_address or "") for token in SLOT_TOKENS):
        assert framed(it)  # the fast path was the one compared


@settings(max_examples=100, deadline=None)
@given(value=st.one_of(st.none(), st.just(0), st.just(False), st.just(Markup("")), st.just(Markup("<b>x</b>")),
                       st.integers(), st.just("x")))
def test_odd_slot_values_print_as_jinja_prints_them(value):
    for it in (item(buyer_name=value), item(unsubscribe_url=value), item(preferences_url=value)):
        assert render(it) == render_jinja(it)


def _old_paragraphs(text: str) -> Markup:
    # verbatim copy of the implementation render() had before the frames
    blocks = [b.strip("\n") for b in text.replace("\r\n", "\n").split("\n\n") if b.strip()]
    return Markup("".join("<p>" + "<br>".join(html.escape(line) for line in b.split("\n")) + "</p>"
                          for b in blocks))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=_text)
def test_paragraphs_are_unchanged(paragraphs_template, text):
    # the HTML part of this template is the body's paragraphs alone
    it = item(template=paragraphs_template, body=text)
    assert render(it).html == str(_old_paragraphs(text)).strip() + "\n"
    assert render_jinja(it).html == str(_old_paragraphs(text)).strip() + "\n"


# ------------------------------------------------------------- templates the frame must refuse


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


def test_template_with_context_renders_through_jinja(templates):
    (templates / "shipped.txt").write_text('{% set subject_line = "Shipped: " ~ order_no %}'
                                           "Order {{ order_no }} for {{ buyer_name }}: {{ carrier }}\n"
                                           '{% include "_footer.txt" %}')
    (templates / "shipped.html").write_text('{% extends "_frame.html" %}'
                                            "{% block content %}<p>{{ order_no }} {{ carrier }}</p>{% endblock %}")
    it = item(template="shipped", subject=None, body=None,
              context={"order_no": "A<1>", "carrier": "DHL & Co"})
    assert not framed(it)  # a context never goes through a frame
    out = render(it)
    assert out == render_jinja(it)
    assert out.subject == "Shipped: A<1>"  # the template's own subject, unescaped
    assert out.text.startswith("Order A<1> for Alex Miller: DHL & Co\n")
    assert "<p>A&lt;1&gt; DHL &amp; Co</p>" in out.html


def test_template_without_context_gets_a_frame_too(templates):
    (templates / "note.txt").write_text("{{ buyer_name }}: {{ body }}")
    (templates / "note.html").write_text("<p>{{ buyer_name }}</p>{{ body_html }}")
    it = item(template="note", buyer_name="Zoë <&>")
    assert framed(it)
    assert render(it) == render_jinja(it)
    assert render(it).html == "<p>Zoë &lt;&amp;&gt;</p>" + str(_old_paragraphs(it.body)) + "\n"


@pytest.mark.parametrize("use", [
    "{{ subject|upper }}",
    "{{ subject|e }}",
    "{% if buyer_name == 'Alex Miller' %}dear Alex{% endif %}",
    "{% if subject|length > 10 %}long{% endif %}",
    "{% set s = subject %}{{ s }}",
    "{% for c in buyer_name %}{{ c }}{% endfor %}",
    "{{ subject ~ '!' }}",
    "{{ subject[:3] }}",
])
def test_templates_doing_more_than_printing_a_value_render_through_jinja(templates, use):
    (templates / "odd.txt").write_text(use + "\n{{ body }}")
    (templates / "odd.html").write_text("<p>x</p>{{ body_html }}")
    for it in (item(template="odd"), item(template="odd", buyer_name="Alex Miller", subject="s")):
        assert not framed(it)
        assert render(it) == render_jinja(it)


def test_probes_reject_a_frame_the_syntax_check_let_through(templates):
    # a filter block only holds plain prints, which the syntax check accepts, yet it changes them
    (templates / "odd.txt").write_text("{% filter upper %}{{ subject }}{% endfilter %}")
    (templates / "odd.html").write_text("{% filter truncate(20) %}{{ subject }}{% endfilter %}")
    it = item(template="odd", subject="lower case and long enough to be truncated")
    assert not framed(it)
    assert render(it) == render_jinja(it)
    assert render(it).text == "LOWER CASE AND LONG ENOUGH TO BE TRUNCATED\n"


class _Catalog(gettext.NullTranslations):
    def __init__(self, messages: dict[str, str]):
        super().__init__()
        self.messages = messages

    def gettext(self, message):
        return self.messages.get(message, message)


@pytest.mark.parametrize("translated,frames", [
    ("Abmelden: %(url)s (%(url)s)", True),  # the value twice
    ("Se désabonner : %(url)s", True),
    ("%(url)r", False),  # repr is not how a value prints: the probes catch it
])
def test_translations_are_part_of_the_frame(fresh_caches, monkeypatch, translated, frames):
    catalog = _Catalog({"Unsubscribe from these emails: %(url)s": translated, "Unsubscribe": "Ab & <melden>"})
    monkeypatch.setattr(render_mod, "email_translations", lambda locale: catalog)
    it = marketing(locale="de-DE", unsubscribe_url="https://x.example/u/a'b\"c")
    assert framed(it) is frames
    out = render(it)
    assert out == render_jinja(it)
    assert "Ab & <melden></a>" in out.html  # newstyle gettext trusts the catalog, as Jinja does
    assert (translated % {"url": it.unsubscribe_url}) in out.text


def test_a_seller_name_holding_a_token_cannot_inject_a_value():
    tokens = "".join(SLOT_TOKENS)  # the subject's among them
    it = item(seller_name=f"Evil {tokens} Co", subject="<secret>")
    out = render(it)
    assert out == render_jinja(it)
    assert tokens in out.text and "<secret>" not in out.text
