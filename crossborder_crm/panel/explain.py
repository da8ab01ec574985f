"""Why a message goes when it goes, why it was held back, where a consent came from: in the
seller's words and the panel language, from the structured data the outbox stores
(Message.explanation_data, made by timing.next_send_time_explained and outbox.service).
"""
from __future__ import annotations

import re
from datetime import datetime

from babel.dates import format_skeleton, format_time, get_day_names

from crossborder_crm.i18n import gettext as _
from crossborder_crm.i18n import ngettext
from crossborder_crm.outbox.deliverability import NO_CONSENT, NO_EMAIL, NO_REPLY_ADDRESS, SUPPRESSED, UNSUBSCRIBED
from crossborder_crm.panel.formatting import country_name, ui_locale, zone_city
from crossborder_crm.panel.nav import N_
from crossborder_crm.panel.reasons import localize_reason

# Part of the day of a peak hour (engine's own boundaries: before 6, 12, 14, 18, 23, 24).
_PARTS = ((6, N_("at night")), (12, N_("in the morning")), (14, N_("around lunchtime")),
          (18, N_("in the afternoon")), (23, N_("in the evening")), (24, N_("late in the evening")))


def _when(local_iso: str | None) -> str:
    """'Thu, Dec 3 11:00' for a wall time 'YYYY-MM-DDTHH:MM'."""
    if not local_iso:
        return ""
    try:
        local = datetime.strptime(local_iso, "%Y-%m-%dT%H:%M")
    except ValueError:
        return local_iso
    loc = ui_locale()
    return f"{format_skeleton('MMMEd', local, locale=loc)} {format_time(local, 'HH:mm', locale=loc)}"


def _days(days: list[int]) -> str:
    names = get_day_names("wide", locale=ui_locale())
    if len(days) >= 7:
        return _("every day")
    if len(days) == 1:
        return _("on %(day)s", day=names[days[0]])
    return _("%(first)s to %(last)s", first=names[days[0]], last=names[days[-1]])


def _part_of_day(hour: int) -> str:
    return next(_(label) for end, label in _PARTS if hour < end)


def profile_sentence(facts: dict | None, name: str) -> str:
    """'Yuko is most active Sunday in the afternoon (15:00–18:00), learned from 14 activity events.'"""
    if not facts:
        return ""
    if facts.get("flat"):
        return _("%(name)s shows no pattern yet: every hour is as likely as any other.", name=name)
    lo, end = (facts.get("peak_hours") or [0, 1])[:2]
    values = dict(name=name, days=_days(facts.get("peak_days") or [0]), part=_part_of_day(lo),
                  hours=f"{lo:02d}:00–{end % 24:02d}:00")
    source = facts.get("source")
    if source == "learned":
        return ngettext("%(name)s is most active %(days)s %(part)s (%(hours)s their time), "
                        "learned from %(num)d activity event.",
                        "%(name)s is most active %(days)s %(part)s (%(hours)s their time), "
                        "learned from %(num)d activity events.", int(facts.get("events") or 0), **values)
    if source == "country_default":
        return _("No activity from %(name)s yet; buyers in %(country)s are usually online %(days)s "
                 "%(part)s (%(hours)s their time).",
                 country=country_name(facts.get("country")) or facts.get("country", ""), **values)
    return _("No activity from %(name)s yet; your default pattern puts the best hours %(days)s "
             "%(part)s (%(hours)s their time).", **values)


def _deadline(data: dict) -> str:
    hours = data.get("deadline_hours") or 24
    return str(int(hours)) if float(hours).is_integer() else str(hours)


def _choice(data: dict, city: str) -> str:
    code, when = data.get("code"), _when(data.get("local"))
    quiet = data.get("quiet") or ["", ""]
    values = dict(when=when, city=city, deadline=_deadline(data), start=quiet[0], end=quiet[1])
    sentences = {
        "conversation_first_online": N_("It goes at the first hour within your %(deadline)s-hour reply "
                                        "deadline when they are likely online: %(when)s in %(city)s."),
        "conversation_best_in_window": N_("No hour within your %(deadline)s-hour reply deadline is a busy "
                                          "one for them, so it goes at the best hour in that window: "
                                          "%(when)s in %(city)s."),
        "conversation_all_quiet": N_("Your whole %(deadline)s-hour reply deadline falls in your quiet hours "
                                     "(%(start)s–%(end)s their time), so it waits until %(when)s in "
                                     "%(city)s."),
        "marketing_best_hour": N_("It goes at the best hour of the day: %(when)s in %(city)s."),
        "marketing_target_day": N_("It goes at the best hour of the day you chose: %(when)s in %(city)s."),
        "marketing_target_moved": N_("The day you chose has no hour left outside your quiet hours, so it "
                                     "goes at the next day's best hour: %(when)s in %(city)s."),
        "transactional_now": N_("A service message: it goes right away (%(when)s in %(city)s, outside "
                                "your quiet hours)."),
        "transactional_held": N_("A service message: it is inside your quiet hours (%(start)s–%(end)s "
                                 "their time) there now, so it waits until %(when)s in %(city)s."),
        "seller_local": N_("You chose %(when)s in %(city)s."),
        "seller_instant": N_("You chose this moment: %(when)s in %(city)s."),
        "seller_local_quiet_override": N_("You chose %(when)s in %(city)s, inside the buyer's quiet hours "
                                          "(%(start)s–%(end)s their time), and asked to send it anyway."),
        "seller_instant_quiet_override": N_("You chose this moment: %(when)s in %(city)s, inside the buyer's "
                                            "quiet hours (%(start)s–%(end)s their time), and asked to send it "
                                            "anyway."),
    }
    return _(sentences[code], **values) if code in sentences else ""


def send_reason(data: dict | None, buyer_name: str) -> str | None:
    """The seller-facing 'why this moment', or None when only the stored English string exists."""
    if not data or not data.get("code"):
        return None
    city = zone_city(data.get("tz"))
    parts = []
    if data.get("cap"):
        limit, days = data["cap"][:2]
        parts.append(_("Your marketing limit (%(limit)s messages in %(days)s days) is reached for this "
                       "buyer, so it moves to the next allowed day.", limit=limit, days=days))
    parts.append(profile_sentence(data.get("profile"), buyer_name))
    parts.append(_choice(data, city))
    if data.get("asked"):
        parts.append(_("%(asked)s does not exist there that day (the clocks change), so the time moved "
                       "forward.", asked=_when(data["asked"])))
    if data.get("retried"):
        parts.append(_("You put it back in the queue after it failed."))
    return " ".join(p for p in parts if p) or None


# What the dispatcher writes in last_error when it holds a message back (outbox.dispatcher.gate_reason).
_HELD = {
    "buyer has no email address": N_("The buyer has no email address."),
    "address is suppressed (bounce or complaint)": N_("The address bounced or the buyer complained: "
                                                      "nothing more is sent to it."),
    "buyer unsubscribed": N_("The buyer unsubscribed from marketing email."),
    "marketing consent denied": N_("The buyer did not agree to marketing email."),
    "marketing consent withdrawn": N_("The buyer withdrew their consent to marketing email."),
    "frequency cap reached at send time": N_("Your marketing limit for this buyer was reached when it "
                                             "was due."),
    "the offer had ended for this buyer": N_("The sale had ended in the buyer's time zone when it was due."),
}


# What it writes when it puts a message back to wait, values and all (outbox.send_window.quiet_hold,
# Dispatcher._paused and Dispatcher._connection).
_WAITING = (
    (re.compile(r"buyer's quiet hours \((?P<start>\d\d:\d\d)–(?P<end>\d\d:\d\d) (?P<tz>[^)]+)\): "
                r"moved to (?P<at>\d\d:\d\d) local"),
     N_("It came due during the buyer's quiet hours (%(start)s–%(end)s, %(tz)s): it waits until %(at)s "
        "their time.")),
    (re.compile(r"(?P<domain>\S+) asked us to slow down: paused until (?P<until>[\d: -]+) UTC"),
     N_("%(domain)s asked us to slow down: its messages wait until %(until)s UTC.")),
    (re.compile(r"all (?P<n>\d+) connections to relay (?P<relay>\S+) are in use"),
     N_("All %(n)s connections to the relay were in use: it is tried again in a few seconds.")),
)


def held_reason(last_error: str | None) -> str | None:
    """A suppression, gate or waiting reason in the panel language (None: not one we know; show it as is)."""
    if not last_error:
        return None
    text = _HELD.get(last_error.strip())
    if text:
        return _(text)
    for pattern, wording in _WAITING:
        found = pattern.match(last_error.strip())
        if found:
            return _(wording, **found.groupdict())
    return None


def quiet_hours_warning(params: dict) -> str:
    """The write and reschedule forms' warning for a time inside the buyer's quiet hours (the
    params of outbox.chosen_time.IN_QUIET_HOURS)."""
    return _("%(when)s in %(city)s is inside the buyer's quiet hours (%(start)s–%(end)s their time): "
             "nothing is sent then unless you say so.", when=_when(params.get("when")),
             city=zone_city(params.get("tz")), start=params.get("start", ""), end=params.get("end", ""))


# Why a message cannot be written to this buyer (outbox.deliverability), said for the write form.
_REFUSED = {
    NO_EMAIL: N_("This buyer has no email address: add one (Edit) to write to them."),
    SUPPRESSED: N_("This buyer's address bounced or they complained: nothing more can be sent to it."),
    UNSUBSCRIBED: N_("This buyer unsubscribed from marketing email: a marketing message will not be sent."),
    NO_REPLY_ADDRESS: N_("A personal message needs an address the buyer can reply to: add a From email or a "
                         "reply-to address in Settings → Sending."),
}
_NO_CONSENT = {
    "denied": N_("This buyer has not agreed to marketing email: a marketing message will not be sent."),
    "withdrawn": N_("This buyer withdrew their consent to marketing email: a marketing message will not be sent."),
}


def refusal_sentence(reason: str) -> str:
    """A deliverability refusal in the panel language; any other reason localized as it is."""
    template = getattr(reason, "template", None)
    if template == NO_CONSENT:
        sentence = _NO_CONSENT.get(reason.params.get("status"))  # one sentence per status
    else:
        sentence = _REFUSED.get(template)
    return _(sentence) if sentence else localize_reason(reason)


_CONSENT_SOURCES = {
    "panel": N_("set by you in the panel"),
    "import": N_("from a buyer import"),
    "checkout": N_("given at checkout"),
    "api": N_("recorded through the API"),
    "preference_page": N_("on the email preferences page"),
}


def consent_source(source: str | None) -> str:
    """Where a consent came from, in the panel language ('' when unknown)."""
    if not source:
        return ""
    if source.startswith("unsubscribe:"):
        return _("unsubscribed through a link in an email")
    known = _CONSENT_SOURCES.get(source)
    return _(known) if known else source
