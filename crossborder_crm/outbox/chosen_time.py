"""A send time the seller gives (a buyer-local wall time or an instant): checked and explained.

Pure: the caller passes `now`. A time inside the buyer's quiet hours is refused unless the seller
asked for it explicitly (`override`), and the explanation then says so.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from crossborder_crm.errors import N_, Reason, ValidationFailed
from crossborder_crm.outbox.schemas import LocalTime
from crossborder_crm.timing import SendPolicy, in_quiet_hours, localize, to_local

# The 422 reason's msgid; the panel recognises it to offer "send anyway" (its params: when, tz, start, end).
IN_QUIET_HOURS = N_("%(when)s in %(tz)s is inside the buyer's quiet hours (%(start)s–%(end)s their time): "
                    "choose another time, or send \"override_quiet_hours\": true to send it anyway")


# The explanation code's suffix when the seller sent inside quiet hours on purpose (migration 0012 reads it too).
QUIET_OVERRIDE = "_quiet_override"


def overrides_quiet_hours(explanation_data: dict | None) -> bool:
    """True when a send time's explanation says the seller chose it inside quiet hours on purpose."""
    return str((explanation_data or {}).get("code", "")).endswith(QUIET_OVERRIDE)


def _within_horizon(when: datetime, now: datetime, horizon: timedelta, local: str | None = None) -> None:
    if when > now + horizon:
        reason = (Reason(N_("%(local)s is more than %(days)s days from now"), local=local, days=horizon.days)
                  if local else Reason(N_("the instant is more than %(days)s days from now"), days=horizon.days))
        raise ValidationFailed("send_at is too far ahead", {"send_at": reason})


def _quiet(when: datetime, tz: str, policy: SendPolicy, override: bool) -> list[str] | None:
    """The quiet hours [start, end] the instant falls in (None: outside them); refused unless `override`."""
    local = to_local(when, tz)
    if not in_quiet_hours(local, policy.quiet_start, policy.quiet_end):
        return None
    start, end = f"{policy.quiet_start:%H:%M}", f"{policy.quiet_end:%H:%M}"
    if not override:
        raise ValidationFailed("send_at is inside the buyer's quiet hours", {"send_at": Reason(
            IN_QUIET_HOURS, when=f"{local:%Y-%m-%dT%H:%M}", tz=tz, start=start, end=end)})
    return [start, end]


def seller_chosen(send_at: Any, tz: str, policy: SendPolicy, now: datetime, horizon: timedelta,
                  override_quiet_hours: bool = False) -> tuple[datetime, str, dict]:
    """Resolve a LocalTime or an aware instant into (UTC instant, English explanation, its data)."""
    if isinstance(send_at, LocalTime):
        naive = datetime.strptime(send_at.local, "%Y-%m-%dT%H:%M")
        when = localize(naive, tz)
        local = to_local(when, tz).replace(tzinfo=None)
        why = f"seller chose {send_at.local} in {tz}"
        data = {"code": "seller_local", "local": f"{local:%Y-%m-%dT%H:%M}", "tz": tz}
        if local != naive:
            why += f" (that time does not exist there that day: moved to {local:%H:%M})"
            data["asked"] = send_at.local
        given = f"{send_at.local} {tz}"
        if when < now:
            raise ValidationFailed("send_at is in the past",
                                   {"send_at": Reason(N_("%(local)s has passed"), local=given)})
        _within_horizon(when, now, horizon, given)
    else:
        when = send_at.astimezone(timezone.utc)
        why = "seller chose this instant"
        data = {"code": "seller_instant", "local": f"{to_local(when, tz):%Y-%m-%dT%H:%M}", "tz": tz}
        if when < now:
            raise ValidationFailed("send_at is in the past", {"send_at": N_("the instant has passed")})
        _within_horizon(when, now, horizon)
    quiet = _quiet(when, tz, policy, override_quiet_hours)
    if quiet is not None:
        why += f", inside the buyer's quiet hours ({quiet[0]}–{quiet[1]}): the seller chose to send it anyway"
        data.update(code=f"{data['code']}{QUIET_OVERRIDE}", quiet=quiet)
    return when, why, data
