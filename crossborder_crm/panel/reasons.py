"""Service errors in the panel's language: the English reasons of errors.py looked up in the catalog."""
from __future__ import annotations

from typing import Mapping

from crossborder_crm.errors import Reason
from crossborder_crm.i18n import gettext


def localize_reason(value: str) -> str:
    """A Reason's msgid translated and filled in; any other text translated if the catalog has it.

    A parameter that is itself a Reason is translated too; other parameters (field names,
    choices, values the seller typed) stay as they are. Untranslated, a reason reads as the API's.
    """
    if isinstance(value, Reason):
        template = gettext(value.template)
        if template == value.template:  # English, or not in the catalog: as worded (a library's detail kept)
            return str(value)
        params = {k: localize_reason(v) if isinstance(v, Reason) else v for k, v in value.params.items()}
        return template % params if params else template
    # Never look up "": gettext answers it with the catalog's header.
    return gettext(value) if value else value


def localize_fields(fields: Mapping[str, str]) -> dict[str, str]:
    """A field → reason map with each reason in the panel's language."""
    return {key: localize_reason(reason) for key, reason in fields.items()}
