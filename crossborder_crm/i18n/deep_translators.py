"""The deep-translator providers behind our `Translator` interface.

What deep-translator leaves to us, done here:

- Time. Its providers call `requests` with no timeout, so a provider that accepts the connection
  and never answers would hang the caller. Each provider module's `requests` is replaced by
  `_TimedRequests`, which gives every call the time left for the translation running in this
  thread (one deadline per text, all its requests included) and keeps the last response so that
  an error can say what the provider answered.
- Length and layout. A long text is translated in pieces (paragraphs; lines for the providers
  whose wire format loses line breaks), each under the provider's limit, and put back together
  with the original separators and surrounding whitespace.
- Language codes. Our tags (`translator.translation_language`) mapped to each provider's codes;
  LibreTranslate, DeepL and Microsoft get the code even when deep-translator's static tables lack
  it (a self-hosted LibreTranslate knows its own languages and says so with a 400).
- Errors as short reasons with no secret in them (deep-translator puts the API key in one of its
  messages, requests puts the whole URL with the text in others).
"""
from __future__ import annotations

import contextvars
import re
import socket
import time
from typing import Any, Callable

import requests
from deep_translator import (DeeplTranslator, GoogleTranslator, LibreTranslator, MicrosoftTranslator,
                             MyMemoryTranslator, deepl, google, libre, microsoft, mymemory)
from deep_translator.constants import DEEPL_LANGUAGE_TO_CODE, GOOGLE_LANGUAGES_TO_CODES, MY_MEMORY_LANGUAGES_TO_CODES
from deep_translator.exceptions import (AuthorizationException, LanguageNotSupportedException, NotValidLength,
                                        RequestError, ServerException, TooManyRequests, TranslationNotFound)

from crossborder_crm.i18n.translator import TranslationFailed, primary_language, translation_language

PROVIDERS = ("libre", "google", "mymemory", "deepl", "microsoft")
# Characters per request (deep-translator refuses 5000+ for Google and 500+ for MyMemory).
_LIMITS = {"google": 4500, "mymemory": 450, "libre": 4500, "deepl": 4500, "microsoft": 4500}
# Providers whose answer loses line breaks: translated line by line.
_BY_LINE = frozenset({"google", "mymemory"})

_DEADLINE: contextvars.ContextVar[float | None] = contextvars.ContextVar("translator_deadline", default=None)
_LAST_RESPONSE: contextvars.ContextVar[Any] = contextvars.ContextVar("translator_response", default=None)


class _TimedRequests:
    """What deep-translator's provider modules see as `requests`: the real module, whose get and
    post take the time left before this thread's translation deadline."""

    def __getattr__(self, name: str) -> Any:
        return getattr(requests, name)

    def get(self, url: str, **kwargs: Any) -> requests.Response:
        return self._call(requests.get, url, kwargs)

    def post(self, url: str, **kwargs: Any) -> requests.Response:
        return self._call(requests.post, url, kwargs)

    @staticmethod
    def _call(send: Callable[..., requests.Response], url: str, kwargs: dict) -> requests.Response:
        deadline = _DEADLINE.get()
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0:
                raise requests.exceptions.Timeout("no time left for another request")
            kwargs["timeout"] = left
        response = send(url, **kwargs)
        _LAST_RESPONSE.set(response)
        return response


for _module in (libre, google, mymemory, deepl, microsoft):
    _module.requests = _TimedRequests()


# ------------------------------------------------------------------------------ language codes

def _google(tag: str) -> str | None:
    special = {"he": "iw", "jv": "jw", "fil": "tl", "nb": "no", "nn": "no", "mni": "mni-Mtei",
               "zh-CN": "zh-CN", "zh-TW": "zh-TW", "pt-BR": "pt"}
    code = special.get(tag, tag)
    return code if code in GOOGLE_LANGUAGES_TO_CODES.values() else None


def _libre(tag: str) -> str | None:
    return {"zh-CN": "zh", "zh-TW": "zt", "pt-BR": "pt", "fil": "tl", "nn": "nb"}.get(tag, tag)


def _mymemory(tag: str) -> str | None:
    codes = sorted(MY_MEMORY_LANGUAGES_TO_CODES.values())
    lang = primary_language(tag)
    preferred = {"en": "en-GB", "pt": "pt-PT", "ar": "ar-SA", "sw": "sw-KE", "zh-CN": "zh-CN", "zh-TW": "zh-TW",
                 "pt-BR": "pt-BR", "he": "he-IL", "sv": "sv-SE", "da": "da-DK", "ja": "ja-JP", "ko": "ko-KR",
                 "vi": "vi-VN", "uk": "uk-UA", "cs": "cs-CZ", "el": "el-GR", "nb": "nb-NO"}
    for code in (preferred.get(tag), f"{lang}-{lang.upper()}"):
        if code in codes:
            return code
    return next((c for c in codes if c.split("-")[0] == lang), None)


def _deepl(tag: str, target: bool) -> str | None:
    lang = primary_language(tag)
    if lang not in DEEPL_LANGUAGE_TO_CODE.values():
        return None
    if not target:
        return lang.upper()
    return {"en": "EN-US", "pt": "PT-PT", "pt-BR": "PT-BR", "zh-CN": "ZH-HANS", "zh-TW": "ZH-HANT"}.get(
        tag, lang.upper())


def _microsoft(tag: str) -> str | None:
    return {"zh-CN": "zh-Hans", "zh-TW": "zh-Hant", "pt": "pt-PT", "pt-BR": "pt", "nn": "nb"}.get(tag, tag)


def provider_code(provider: str, tag: str | None, *, target: bool) -> str | None:
    """The provider's code for one of our tags ("auto" for an unknown source); None: not offered."""
    norm = translation_language(tag)
    if not norm:
        return None if target else "auto"
    if provider == "google":
        return _google(norm)
    if provider == "libre":
        return _libre(norm)
    if provider == "mymemory":
        return _mymemory(norm)
    if provider == "deepl":
        return _deepl(norm, target)
    if provider == "microsoft":
        return _microsoft(norm)
    raise ValueError(f"unknown provider {provider!r}")


# --------------------------------------------------------------------------------- text pieces

_PARAGRAPH_BREAK = re.compile(r"(\n[ \t]*\n\s*)")
_LINE_BREAK = re.compile(r"(\r?\n)")
_SENTENCE_END = re.compile(r"(?<=[.!?;:。！？；])(\s+)")
_SPACES = re.compile(r"(\s+)")


def _fit(piece: str, limit: int) -> list[str]:
    """A piece cut into parts of at most `limit` characters, at sentence ends, else at spaces,
    else anywhere; the parts joined are the piece."""
    if len(piece) <= limit:
        return [piece]
    for splitter in (_SENTENCE_END, _SPACES):
        chunks = splitter.split(piece)
        if len(chunks) == 1:
            continue
        parts, current = [], ""
        for chunk in chunks:
            if current and len(current) + len(chunk) > limit:
                parts.append(current)
                current = ""
            current += chunk
        parts.append(current)
        return [p for part in parts for p in _fit(part, limit)]
    return [piece[i:i + limit] for i in range(0, len(piece), limit)]


def _runs(text: str) -> list[tuple[str, bool]]:
    """Leading whitespace, the words, trailing whitespace: only the words are translated."""
    lead, core, trail = re.fullmatch(r"(\s*)(.*?)(\s*)", text, re.S).groups()
    return [(run, translate) for run, translate in ((lead, False), (core, True), (trail, False)) if run]


def pieces(text: str, *, by_line: bool, limit: int) -> list[tuple[str, bool]]:
    """The text as (piece, translate?) runs whose concatenation is the text: separators and
    surrounding whitespace are kept as they are, the words are cut to fit `limit`."""
    out: list[tuple[str, bool]] = []
    for i, block in enumerate((_LINE_BREAK if by_line else _PARAGRAPH_BREAK).split(text)):
        if i % 2:
            out.append((block, False))
            continue
        for part in _fit(block, limit):
            out += _runs(part)
    return out


# ----------------------------------------------------------------------------------- the adapter

def _seconds(value: float) -> str:
    return f"{value:g}"


def _connection_reason(exc: BaseException) -> str:
    seen, todo = set(), [exc]
    while todo:
        e = todo.pop()
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        if isinstance(e, ConnectionRefusedError):
            return "connection refused"
        if isinstance(e, socket.gaierror):
            return "host name not resolved"
        todo += [e.__cause__, e.__context__, getattr(e, "reason", None)]
        todo += [a for a in getattr(e, "args", ()) if isinstance(a, BaseException)]
    return "connection failed"


def _answered(name: str) -> str:
    """What the provider's last answer said, for an error reason: the status and its `error`."""
    response = _LAST_RESPONSE.get()
    if response is None:
        return f"{name} gave no usable answer"
    detail = ""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        detail = body.get("error") or body.get("message") or ""
    detail = " ".join(str(detail).split())[:200]
    return f"{name} answered {response.status_code}" + (f": {detail}" if detail else "")


class DeepTranslator:
    """One deep-translator provider, with a deadline per text and readable failures."""

    def __init__(self, name: str, *, url: str = "", api_key: str = "", region: str = "", timeout: float = 5.0):
        if name not in PROVIDERS:
            raise ValueError(f"unknown translation provider {name!r}; one of {', '.join(PROVIDERS)}")
        self.name, self.api_key, self.region, self.timeout = name, api_key, region, timeout
        self.url = url.rstrip("/") + "/" if url else ""

    def _provider(self, source: str, target: str):
        """A fresh provider object (they keep per-call state): codes set through its setters, so
        that a code missing from deep-translator's static tables still reaches the server."""
        if self.name == "libre":
            t = LibreTranslator(source="en", target="es", api_key=self.api_key or "-", custom_url=self.url)
            t.api_key = self.api_key  # empty: no api_key parameter at all
        elif self.name == "google":
            t = GoogleTranslator(source="auto", target="en")
        elif self.name == "mymemory":
            t = MyMemoryTranslator(source="en-GB", target="de-DE")
        elif self.name == "deepl":
            t = DeeplTranslator(source="en", target="de", api_key=self.api_key,
                                use_free_api=self.api_key.endswith(":fx"))
        else:
            t = MicrosoftTranslator(source="en", target="de", api_key=self.api_key, region=self.region or None)
        t.source, t.target = source, target
        return t

    def translate(self, text: str, target: str, source: str | None) -> str:
        """`text` in `target`; TranslationFailed("timeout after 5 s"), ("libre answered 400: …")…"""
        target_code = provider_code(self.name, target, target=True)
        source_code = provider_code(self.name, source, target=False)
        if target_code is None:
            raise TranslationFailed(f"{self.name} does not translate into {target}")
        if source_code is None or (self.name == "deepl" and source_code == "auto"):
            raise TranslationFailed(f"{self.name} does not translate from {source}")
        if not text.strip():
            return text
        token = _DEADLINE.set(time.monotonic() + self.timeout)
        try:
            provider = self._provider(source_code, target_code)
            out = []
            for piece, translate in pieces(text, by_line=self.name in _BY_LINE, limit=_LIMITS[self.name]):
                out.append(self._one(provider, piece) if translate else piece)
            return "".join(out)
        except TranslationFailed:
            raise
        except requests.exceptions.Timeout:
            raise TranslationFailed(f"timeout after {_seconds(self.timeout)} s") from None
        except requests.exceptions.ConnectionError as exc:
            raise TranslationFailed(f"{self.name} unreachable ({_connection_reason(exc)})") from None
        except AuthorizationException:
            raise TranslationFailed(f"{self.name} refused the API key") from None
        except (ServerException, RequestError, TranslationNotFound, ValueError, KeyError):
            raise TranslationFailed(_answered(self.name)) from None
        except TooManyRequests:
            raise TranslationFailed(f"{self.name} is rate-limiting us (429)") from None
        except (LanguageNotSupportedException, NotValidLength) as exc:
            raise TranslationFailed(f"{self.name}: {exc.message}"[:300]) from None
        except Exception as exc:  # noqa: BLE001 -- a provider's bug must not stop a send
            raise TranslationFailed(f"{self.name} failed ({type(exc).__name__})") from None
        finally:
            _DEADLINE.reset(token)
            _LAST_RESPONSE.set(None)

    def _one(self, provider, piece: str) -> str:
        translated = provider.translate(piece)
        if not isinstance(translated, str) or (piece.strip() and not translated.strip()):
            raise TranslationFailed(f"{self.name} answered without a translation")
        return translated
