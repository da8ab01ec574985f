"""Timing engine: send when the buyer is likely online.

Pure functions over plain data (no Flask, no database, no clock reads):
callers pass every instant in.  See ``localtime`` for the DST rules.
"""

from .engine import (
    clear_caches,
    describe_profile,
    next_allowed_instant,
    next_send_time,
    next_send_time_explained,
    next_send_times,
    profile_facts,
)
from .localtime import (
    get_timezone,
    in_quiet_hours,
    localize,
    localize_iso,
    to_local,
    utc_transitions,
)
from .policy import (
    DEFAULT_CONVERSATION_DEADLINE,
    POLICY_KINDS,
    FrequencyCap,
    SendPolicy,
    cap_allows,
    next_allowed_by_cap,
)
from .priors import COUNTRY_ADJUSTMENTS, country_prior, weekend_days
from .profile import (
    KIND_WEIGHTS,
    ActivityEvent,
    OnlineProfile,
    ProfileKey,
    default_profile,
    learn_country_curves,
    learn_profile,
)

__all__ = [
    "ActivityEvent",
    "COUNTRY_ADJUSTMENTS",
    "DEFAULT_CONVERSATION_DEADLINE",
    "FrequencyCap",
    "KIND_WEIGHTS",
    "OnlineProfile",
    "POLICY_KINDS",
    "ProfileKey",
    "SendPolicy",
    "cap_allows",
    "clear_caches",
    "country_prior",
    "default_profile",
    "describe_profile",
    "get_timezone",
    "in_quiet_hours",
    "learn_country_curves",
    "learn_profile",
    "localize",
    "localize_iso",
    "next_allowed_by_cap",
    "next_allowed_instant",
    "next_send_time",
    "next_send_time_explained",
    "next_send_times",
    "profile_facts",
    "to_local",
    "utc_transitions",
    "weekend_days",
]
