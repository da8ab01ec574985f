"""render(): the cached-frame fast path against the plain Jinja rendering it replaces."""
from __future__ import annotations

import gettext
import html
import shutil
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markupsafe import Markup

from crossborder_crm.outbox import render as render_mod
from crossborder_crm.outbox.render import RenderInput, _render_jinja, render

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


def _key(it: RenderInput) -> tuple:
    """The `_frame` key render() uses for `it` (its shape mirrors render())."""
    body = it.body or ""
    slots = (it.buyer_name, it.subject or "", body, render_mod._paragraph_html(body), it.unsubscribe_url,
             it.preferences_url)
    shape = tuple(True if v else v for v in slots)
    return it.template or "written", it.locale, it.seller_name, it.postal_address, shape


@pytest.fixture
def fresh_caches():
    """Empty template, frame and syntax-check caches around a test that swaps templates or catalogs."""
    caches = (render_mod._env, render_mod._frame, render_mod._plain_slots)
    for cache in caches:
        cache.cache_clear()
    yield
    for cache in caches:
        cache.cache_clear()


# ----------------------------------------------------------------- the fast path is the real one


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("make", [item, marketing])
def test_written_messages_use_a_verified_frame_and_match_jinja(locale, make):
    it = make(locale=locale)
    assert render_mod._frame(*_key(it)) is not None  # not silently falling back to Jinja
    assert render(it) == _render_jinja(it)


def test_frame_cache_is_bounded():
    assert render_mod._frame.cache_info().maxsize is not None


def test_rendered_written_message_content():
    out = render(marketing(locale="ar", subject='<b>"Sale" & more</b>', body="a <i>\n\nb"))
    assert out.subject == '<b>"Sale" & more</b>'
    assert out.text.startswith("a <i>\n\nb\n\n--\nShenzhen Outdoor Co.\n")
    assert out.text.endswith(f"Unsubscribe from these emails: {UNSUB}\n")
    assert "<title>&lt;b&gt;&#34;Sale&#34; &amp; more&lt;/b&gt;</title>" in out.html
    assert "<p>a &lt;i&gt;</p><p>b</p>" in out.html
    assert 'dir="rtl"' in out.html and f'<a href="{UNSUB}"' in out.html
    plain = render(item())
    assert "Unsubscribe" not in plain.text and "Unsubscribe" not in plain.html


# ----------------------------------------------------------------------------- differential

_SPECIALS = ["<", ">", "&", '"', "'", "&amp;", "<script>", "\r\n", "\n", "\r", "\n\n", "\n\n\n", "  \n", "\t",
             "{{", "}}", "{%", "%}", "{#", "{{ subject }}", "{% if x %}", "%(url)s", "%s", "%", "{0}", "{body}",
             "\ue000", "\ue001", "\ue0000\ue001", "\u2028", "\x00", "\x0b", " ", "Grüße", "祝好", "أحمد", "😀",
             "a" * 300, "Jürgen Müller", "田中 健二"] + list(render_mod._TOKENS)
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
    assert render(it) == _render_jinja(it)
    if not any(token in seller_name + (postal_address or "") for token in render_mod._TOKENS):
        assert render_mod._frame(*_key(it)) is not None  # the fast path was the one compared


@settings(max_examples=100, deadline=None)
@given(value=st.one_of(st.none(), st.just(0), st.just(False), st.just(Markup("")), st.just(Markup("<b>x</b>")),
                       st.integers(), st.just("x")))
def test_odd_slot_values_print_as_jinja_prints_them(value):
    for it in (item(buyer_name=value), item(unsubscribe_url=value), item(preferences_url=value)):
        assert render(it) == _render_jinja(it)


def _old_paragraphs(text: str) -> Markup:
    # verbatim copy of the implementation render() had before the frames
    blocks = [b.strip("\n") for b in text.replace("\r\n", "\n").split("\n\n") if b.strip()]
    return Markup("".join("<p>" + "<br>".join(html.escape(line) for line in b.split("\n")) + "</p>"
                          for b in blocks))


@settings(max_examples=300, deadline=None)
@given(text=_text)
def test_paragraphs_are_unchanged(text):
    assert render_mod._paragraphs(text) == _old_paragraphs(text)
    assert render_mod._paragraph_html(text) == str(_old_paragraphs(text))


# ------------------------------------------------------------- templates the frame must refuse


@pytest.fixture
def templates(tmp_path, monkeypatch, fresh_caches):
    """A copy of the email templates that a test can add to."""
    target = tmp_path / "emails"
    shutil.copytree(render_mod.TEMPLATES, target)
    monkeypatch.setattr(render_mod, "TEMPLATES", target)
    return target


def test_template_with_context_renders_through_jinja(templates, monkeypatch):
    (templates / "shipped.txt").write_text("Order {{ order_no }} for {{ buyer_name }}: {{ carrier }}\n"
                                           '{% include "_footer.txt" %}')
    (templates / "shipped.html").write_text('{% extends "_frame.html" %}'
                                            "{% block content %}<p>{{ order_no }} {{ carrier }}</p>{% endblock %}")
    it = item(template="shipped", subject=None, body=None,
              context={"order_no": "A<1>", "carrier": "DHL & Co", "default_subject": "Shipped"})
    frames = []
    monkeypatch.setattr(render_mod, "_frame", lambda *a: frames.append(a))
    out = render(it)
    assert not frames  # a context never goes through a frame
    assert out == _render_jinja(it)
    assert out.subject == "Shipped"
    assert out.text.startswith("Order A<1> for Alex Miller: DHL & Co\n")
    assert "<p>A&lt;1&gt; DHL &amp; Co</p>" in out.html


def test_template_without_context_gets_a_frame_too(templates):
    (templates / "note.txt").write_text("{{ buyer_name }}: {{ body }}")
    (templates / "note.html").write_text("<p>{{ buyer_name }}</p>{{ body_html }}")
    it = item(template="note", buyer_name="Zoë <&>")
    assert render_mod._frame(*_key(it)) is not None
    assert render(it) == _render_jinja(it)
    assert render(it).html == "<p>Zoë &lt;&amp;&gt;</p>" + render_mod._paragraph_html(it.body) + "\n"


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
        assert render_mod._frame(*_key(it)) is None
        assert render(it) == _render_jinja(it)


def test_probes_reject_a_frame_the_syntax_check_let_through(templates, monkeypatch):
    (templates / "odd.txt").write_text("{{ subject|upper }}")
    (templates / "odd.html").write_text("{{ subject|truncate(20) }}")
    monkeypatch.setattr(render_mod, "_plain_slots", lambda autoescape, name: True)
    it = item(template="odd", subject="lower case and long enough to be truncated")
    assert render_mod._frame(*_key(it)) is None
    assert render(it) == _render_jinja(it)


class _Catalog(gettext.NullTranslations):
    def __init__(self, messages: dict[str, str]):
        super().__init__()
        self.messages = messages

    def gettext(self, message):
        return self.messages.get(message, message)


@pytest.mark.parametrize("translated,framed", [
    ("Abmelden: %(url)s (%(url)s)", True),  # the value twice
    ("Se désabonner : %(url)s", True),
    ("%(url)r", False),  # repr is not how a value prints: the probes catch it
])
def test_translations_are_part_of_the_frame(fresh_caches, monkeypatch, translated, framed):
    catalog = _Catalog({"Unsubscribe from these emails: %(url)s": translated, "Unsubscribe": "Ab & <melden>"})
    monkeypatch.setattr(render_mod, "email_translations", lambda locale: catalog)
    it = marketing(locale="de-DE", unsubscribe_url="https://x.example/u/a'b\"c")
    assert (render_mod._frame(*_key(it)) is not None) is framed
    out = render(it)
    assert out == _render_jinja(it)
    assert "Ab & <melden></a>" in out.html  # newstyle gettext trusts the catalog, as Jinja does
    assert (translated % {"url": it.unsubscribe_url}) in out.text


def test_a_seller_name_holding_a_token_cannot_inject_a_value():
    token = render_mod._TOKENS[render_mod._SLOTS.index("subject")]
    it = item(seller_name=f"Evil {token} Co", subject="<secret>")
    out = render(it)
    assert out == _render_jinja(it)
    assert token in out.text and "<secret>" not in out.text
