"""Render a message at send time: subject, text and HTML in the buyer's locale, inside the frame.

Jinja is the reference (`render_jinja`). For a message without a template context, render() uses
a frame instead: both parts rendered once per (template, locale, seller, address, which values are
empty) with placeholder tokens for the per-message values, split into literal pieces; a message
only joins the pieces with its values, printed as Jinja prints them (escaped in the HTML part).
A frame is used only when the templates print those values plainly (checked on their syntax tree)
and it reproduced real Jinja renders of probe values; otherwise that key renders through Jinja.
"""
from __future__ import annotations

import functools
import html
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, meta, nodes, select_autoescape
from markupsafe import Markup, escape

from crossborder_crm.i18n.email_format import FILTERS
from crossborder_crm.i18n.emails import email_translations, text_direction

TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "emails"


@dataclass(frozen=True)
class Rendered:
    """A rendered email body."""

    subject: str
    text: str
    html: str


@dataclass(frozen=True)
class RenderInput:
    """What a template sees; `unsubscribe_url` is set for marketing only."""

    locale: str
    buyer_name: str
    seller_name: str
    postal_address: str | None
    subject: str | None
    body: str | None
    template: str | None
    context: dict
    unsubscribe_url: str | None
    preferences_url: str | None


@functools.lru_cache(maxsize=256)
def _env(autoescape: bool, locale: str) -> Environment:
    """One environment per (escaping, locale): translations are installed once, never swapped."""
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), undefined=StrictUndefined,
                      autoescape=select_autoescape(["html"]) if autoescape else False,
                      extensions=["jinja2.ext.i18n"], trim_blocks=True, lstrip_blocks=True,
                      auto_reload=False)
    env.install_gettext_translations(email_translations(locale), newstyle=True)
    env.filters.update({name: functools.partial(fmt, locale=locale) for name, fmt in FILTERS.items()})
    env.filters["paragraphs"] = _paragraphs
    return env


def _paragraph_html(text: str) -> str:
    """Seller-written plain text as escaped HTML paragraphs (line breaks kept), as a plain str."""
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    # Escaping never touches line breaks or whitespace, so the text is escaped once as a whole,
    # and plain strings are joined: per-line escapes and Markup joins cost more than the rest.
    blocks = [b.strip("\n") for b in html.escape(text).split("\n\n") if b.strip()]
    return "<p>" + "</p><p>".join(blocks).replace("\n", "<br>") + "</p>" if blocks else ""


def _paragraphs(text: str) -> Markup:
    """Seller-written plain text as escaped HTML paragraphs (line breaks kept)."""
    return Markup(_paragraph_html(text))


# ---------------------------------------------------------------------------- the Jinja path


def _jinja_render(name: str, values: dict, body_html: Markup) -> tuple[str, str, str]:
    """(text, html, subject) exactly as Jinja renders them, unstripped; only HTML sees `body_html`.

    A template may set `subject_line` at its top level (the text part's, so nothing is escaped):
    its own subject, in the buyer's language, for messages that come without one.
    """
    locale = values["locale"]
    text = _env(False, locale).get_template(f"{name}.txt").make_module(values)
    html_part = _env(True, locale).get_template(f"{name}.html").render(**values, body_html=body_html)
    return str(text), html_part, getattr(text, "subject_line", "")


def render_jinja(item: RenderInput) -> Rendered:
    """The reference rendering: both parts through Jinja."""
    values = dict(item.context, locale=item.locale, buyer_name=item.buyer_name, seller_name=item.seller_name,
                  postal_address=item.postal_address, subject=item.subject or "", body=item.body or "",
                  unsubscribe_url=item.unsubscribe_url, preferences_url=item.preferences_url,
                  direction=text_direction(item.locale), html_lang=item.locale)
    text, html_part, own_subject = _jinja_render(item.template or "written", values, _paragraphs(item.body or ""))
    return Rendered(subject=item.subject or str(own_subject).strip(), text=text.strip() + "\n",
                    html=html_part.strip() + "\n")


# ------------------------------------------------------------------------ the cached frames

# The values that change from message to message; `body_html` is derived from `body`.
_SLOTS = ("buyer_name", "subject", "body", "body_html", "unsubscribe_url", "preferences_url")
_BODY_HTML = _SLOTS.index("body_html")
# Private-use characters plus a per-process nonce: a seller name or address cannot forge a token,
# and if one did anyway the probe check would reject the frame.
_NONCE = secrets.token_hex(4)
# What each slot is rendered as while a frame is made; public so that tests can plant one in a value.
SLOT_TOKENS = tuple(f"\ue000{_NONCE}{i}\ue001" for i in range(len(_SLOTS)))
_TOKEN_RE = re.compile("(" + "|".join(map(re.escape, SLOT_TOKENS)) + ")")
# Probe values: specials, markup, line breaks, Jinja syntax, format directives, two lengths, so
# that a filter or test applied to a slot that the syntax check let through still shows up.
_PROBES = (
    "Ab <b>&amp;</b> \"q\" 'x' {{ y }} {% z %} %(url)s %s\r\nnext\n\nline \u00e9\u6f22 ",
    "z" * 300 + " Z9 \u0623\u062d\u0645\u062f",
)
_GETTEXT = frozenset({"_", "gettext"})


def _uses_ok(node: nodes.Node, printed: bool = False) -> bool:
    """True when slots under `node` are only printed (`printed`), truth-tested or gettext arguments."""
    if isinstance(node, nodes.Name):
        return node.name not in _SLOTS or (printed and node.ctx == "load")
    if isinstance(node, nodes.Output):
        return all(_uses_ok(child, True) for child in node.nodes)
    if isinstance(node, nodes.If):  # the key holds each slot's truthiness
        return _uses_ok(node.test, True) and all(_uses_ok(child) for child in node.iter_child_nodes()
                                                 if child is not node.test)
    if isinstance(node, nodes.CondExpr):
        return (_uses_ok(node.test, True) and _uses_ok(node.expr1, printed)
                and (node.expr2 is None or _uses_ok(node.expr2, printed)))
    if isinstance(node, nodes.Not):
        return _uses_ok(node.node, True)
    if isinstance(node, (nodes.And, nodes.Or)):  # the value of one operand
        return _uses_ok(node.left, printed) and _uses_ok(node.right, printed)
    if isinstance(node, nodes.Call) and isinstance(node.node, nodes.Name) and node.node.name in _GETTEXT:
        # newstyle gettext prints its keyword arguments with %s (escaped in autoescaped output)
        return (node.dyn_args is None and node.dyn_kwargs is None and all(map(_uses_ok, node.args))
                and all(_uses_ok(kw.value, printed) for kw in node.kwargs))
    return all(map(_uses_ok, node.iter_child_nodes()))


@functools.lru_cache(maxsize=64)
def _plain_slots(autoescape: bool, name: str) -> bool:
    """True when `name` and every template it extends or includes pass `_uses_ok`."""
    env, todo, seen = _env(autoescape, "en"), [name], set()
    while todo:
        current = todo.pop()
        seen.add(current)
        tree = env.parse(env.loader.get_source(env, current)[0])
        refs = list(meta.find_referenced_templates(tree))
        if not _uses_ok(tree) or None in refs:
            return False
        todo += [ref for ref in refs if ref not in seen]
    return True


@dataclass(frozen=True)
class _Part:
    """One rendered part as literal pieces around slots (indexes into _SLOTS)."""

    literals: tuple[str, ...]  # one more than slots
    slots: tuple[int, ...]
    autoescape: bool

    def fill(self, values: tuple) -> str:
        """The part for these slot values, printed as Jinja prints them, stripped like render()."""
        convert = escape if self.autoescape else str
        out = [self.literals[0]]
        for index, literal in zip(self.slots, self.literals[1:]):
            # body_html is already HTML: autoescape prints its Markup as it is
            out.append(values[index] if index == _BODY_HTML else convert(values[index]))
            out.append(literal)
        return "".join(out).strip() + "\n"


def _compile(rendered: str, autoescape: bool) -> _Part:
    """A part rendered with tokens for the slots -> its literal pieces and slots."""
    pieces = _TOKEN_RE.split(rendered)
    return _Part(tuple(pieces[0::2]), tuple(map(SLOT_TOKENS.index, pieces[1::2])), autoescape)


def _jinja_with(name: str, fixed: dict, slots: tuple) -> tuple[str, str]:
    """Jinja's unstripped (text, html) for the fixed values plus these slot values."""
    values = dict(fixed, **{s: v for s, v in zip(_SLOTS, slots) if s != "body_html"})
    return _jinja_render(name, values, Markup(slots[_BODY_HTML]))[:2]


def _slot_values(shape: tuple, truthy: tuple) -> tuple:
    """The shape's falsy values kept, `truthy[i]` for the others."""
    return tuple(value if flag is True else flag for flag, value in zip(shape, truthy))


@functools.lru_cache(maxsize=512)
def _frame(name: str, locale: str, seller_name: str, postal_address: str | None,
           shape: tuple) -> tuple[_Part, _Part] | None:
    """The verified (text, html) frame for this key, or None when only Jinja can render it."""
    fixed = dict(locale=locale, seller_name=seller_name, postal_address=postal_address,
                 direction=text_direction(locale), html_lang=locale)
    try:
        if not (_plain_slots(False, f"{name}.txt") and _plain_slots(True, f"{name}.html")):
            return None
        text, html_part = _jinja_with(name, fixed, _slot_values(shape, SLOT_TOKENS))
        frame = _compile(text, False), _compile(html_part, True)
        for probe in _PROBES:
            probe_html = f"<p>{html.escape(probe)}</p>"
            slots = _slot_values(shape, tuple(probe_html if s == "body_html" else probe for s in _SLOTS))
            expected = tuple(part.strip() + "\n" for part in _jinja_with(name, fixed, slots))
            if (frame[0].fill(slots), frame[1].fill(slots)) != expected:
                return None
    except Exception:  # noqa: BLE001 -- the Jinja path then renders (or reports) this key itself
        return None
    return frame


def clear_caches() -> None:
    """Forget compiled templates, syntax checks and frames (after templates or translations change)."""
    for cache in (_env, _plain_slots, _frame):
        cache.cache_clear()


_ODD = object()  # a falsy value other than None or "": the key could not tell 0 from False


def render(item: RenderInput) -> Rendered:
    """Render both parts; a template message uses templates/emails/<name>.{txt,html}, else `written`."""
    if item.context:
        return render_jinja(item)
    subject, body = item.subject or "", item.body or ""
    slots = (item.buyer_name, subject, body, _paragraph_html(body), item.unsubscribe_url, item.preferences_url)
    # A falsy value is part of the key: templates test it, and "" prints unlike None.
    shape = tuple([True if v else None if v is None else "" if isinstance(v, str) else _ODD for v in slots])
    frame = None
    if _ODD not in shape:
        try:
            frame = _frame(item.template or "written", item.locale, item.seller_name, item.postal_address, shape)
        except TypeError:  # an unhashable locale, seller name or address: nothing to cache it under
            pass
    if frame is None:
        return render_jinja(item)
    return Rendered(subject=subject, text=frame[0].fill(slots), html=frame[1].fill(slots))
