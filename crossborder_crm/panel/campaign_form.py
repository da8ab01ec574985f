"""The campaign wizard's form: posted fields → the dict the campaign service (and the API) takes, a stored
campaign → the form's values (and a saved audience's filter → the audience fields), and the service's field
errors → next to the wizard's fields."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import zip_longest
from typing import Any, Mapping

from crossborder_crm.campaigns.models import CAMPAIGN_KINDS
from crossborder_crm.errors import reason_of
from crossborder_crm.i18n import gettext as _
from crossborder_crm.money import amount_str, to_minor, validate_currency
from crossborder_crm.panel.forms import split_tags
from crossborder_crm.panel.reasons import localize_reason
from crossborder_crm.timing.localtime import localize, to_local

TEXT_FIELDS = (
    "name", "kind", "tags", "min_orders", "max_orders", "spend_currency", "min_spend", "max_spend",
    "last_order_after", "last_order_before", "bought_product",
    "product_name", "product_url", "product_image_url", "product_price", "product_currency", "product_category",
    "offer_discount", "offer_coupon", "offer_starts_on", "offer_ends_at", "holiday_key", "holiday_days_before",
    "repurchase_within_days", "send_on", "content_language", "subject", "body", "attribution_days",
    "ab_subject_b", "ab_sample_percent", "ab_decide_after_hours", "ab_metric")
LIST_FIELDS = ("countries", "languages", "segments")
AB_NUMBERS = {"sample_percent": "ab_sample_percent", "decide_after_hours": "ab_decide_after_hours"}
SEND_ON_KINDS = ("launch", "announcement")
_PREFIXED = re.compile(r"^([a-z_]+): (.+)$", re.S)
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# Where each part of the service's error keys is shown on the form.
_AUDIENCE = {"min_spend_minor": "min_spend", "max_spend_minor": "max_spend",
             **{k: k for k in (*LIST_FIELDS, "tags", "min_orders", "max_orders", "spend_currency",
                               "last_order_after", "last_order_before", "bought_product")}}
_PARTS = {
    "product": {"name": "product_name", "url": "product_url", "image_url": "product_image_url",
                "prices": "product_price", "category": "product_category"},
    "offer": {"discount": "offer_discount", "coupon": "offer_coupon", "starts_on": "offer_starts_on",
              "ends_at": "offer_ends_at"},
    "holiday": {"key": "holiday_key", "days_before": "holiday_days_before"},
    "repurchase": {"within_days": "repurchase_within_days"},
}
_FIRST = {"product": "product_name", "offer": "offer_starts_on", "holiday": "holiday_key",
          "repurchase": "repurchase_within_days"}
EMPTY_FILTER = "an empty filter mails every buyer: set confirm_all to true"


@dataclass
class CampaignForm:
    """The wizard as posted (or prefilled): values, the extra language versions, and the errors."""

    values: dict[str, Any]
    versions: list[dict[str, str]] = field(default_factory=list)  # extra languages: lang, subject, body, subject_b
    errors: dict[str, str] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)

    @classmethod
    def blank(cls, language: str, kind: str | None = None) -> "CampaignForm":
        """A new campaign in the seller's language, attributed over 7 days."""
        values: dict[str, Any] = {name: "" for name in TEXT_FIELDS}
        values.update({name: [] for name in LIST_FIELDS})
        values.update(kind=kind if kind in CAMPAIGN_KINDS else "announcement", content_language=language,
                      attribution_days="7", holiday_days_before="3", repurchase_within_days="7", confirm_all="",
                      ab_on="", ab_sample_percent="20", ab_decide_after_hours="24", ab_metric="orders")
        return cls(values)

    @classmethod
    def posted(cls, form) -> "CampaignForm":
        """The form as submitted (a werkzeug MultiDict: the lists and version rows are repeated names)."""
        values: dict[str, Any] = {name: (form.get(name) or "").strip() for name in TEXT_FIELDS}
        values["body"] = (form.get("body") or "").strip("\r\n")
        values.update({name: [v for v in form.getlist(name) if v] for name in LIST_FIELDS})
        values["confirm_all"] = "1" if form.get("confirm_all") else ""
        values["ab_on"] = "1" if form.get("ab_on") else ""
        rows = zip_longest(form.getlist("version_lang"), form.getlist("version_subject"),
                           form.getlist("version_body"), form.getlist("version_subject_b"), fillvalue="")
        versions = [{"lang": lang.strip(), "subject": subject.strip(), "body": body.strip("\r\n"),
                     "subject_b": subject_b.strip()} for lang, subject, body, subject_b in rows]
        # The empty "add a language" row is no version (and the form shows a fresh one again).
        return cls(values, [row for row in versions if any(row.values())])

    @classmethod
    def of(cls, campaign, seller_tz: str) -> "CampaignForm":
        """A stored campaign's definition as the form shows it, for editing a draft."""
        form = cls.blank(campaign.content.get("language", "en"), campaign.kind)
        v, audience, details = form.values, campaign.audience or {}, campaign.details or {}
        v.update(name=campaign.name, attribution_days=str(campaign.attribution_days),
                 confirm_all="1" if campaign.confirm_all else "",
                 send_on=campaign.send_on.isoformat() if campaign.send_on else "")
        v.update(audience_values(audience, seller_tz))
        product = details.get("product") or {}
        for key in ("name", "url", "image_url", "category"):
            v[f"product_{key}"] = product.get(key) or ""
        for code, minor in list((product.get("prices") or {}).items())[:1]:
            v.update(product_currency=code, product_price=amount_str(minor, code))
        offer = details.get("offer") or {}
        for key in ("discount", "coupon", "starts_on", "ends_at"):
            v[f"offer_{key}"] = offer.get(key) or ""
        holiday = details.get("holiday") or {}
        if holiday:
            v.update(holiday_key=holiday.get("key", ""), holiday_days_before=str(holiday.get("days_before", 3)))
        if details.get("repurchase"):
            v["repurchase_within_days"] = str(details["repurchase"].get("within_days", 7))
        versions = campaign.content.get("versions") or {}
        mine = versions.get(v["content_language"]) or {}
        v.update(subject=mine.get("subject", ""), body=mine.get("body", ""))
        ab = details.get("ab") or {}
        subject_b = ab.get("subject_b") or {}
        if ab:
            v.update(ab_on="1", ab_subject_b=subject_b.get(v["content_language"], ""), ab_metric=ab.get("metric", ""),
                     **{name: str(ab.get(key, "")) for key, name in AB_NUMBERS.items()})
        form.versions = [{"lang": lang, "subject": ver["subject"], "body": ver["body"],
                          "subject_b": subject_b.get(lang, "")}
                         for lang, ver in versions.items() if lang != v["content_language"]]
        return form

    def audience(self, seller_tz: str) -> dict[str, Any]:
        """The audience filter the form asks for; what the panel itself cannot read goes to self.errors."""
        v, out = self.values, {}
        for name in LIST_FIELDS:
            if v[name]:
                out[name] = list(v[name])
        if tags := split_tags(v["tags"]):
            out["tags"] = tags
        for name in ("min_orders", "max_orders", "bought_product"):
            if v[name]:
                out[name] = v[name]
        currency = v["spend_currency"].upper()
        if currency:
            try:
                out["spend_currency"] = validate_currency(currency)
            except ValueError as exc:
                self.errors["spend_currency"] = localize_reason(reason_of(exc))
        for name in ("min_spend", "max_spend"):
            if not v[name]:
                continue
            if not currency:
                self.errors.setdefault("spend_currency", _("Choose the currency of the spend range."))
            elif "spend_currency" in out:
                try:
                    out[f"{name}_minor"] = to_minor(v[name], out["spend_currency"])
                except ValueError as exc:
                    self.errors[name] = localize_reason(reason_of(exc))
        for name in ("last_order_after", "last_order_before"):
            if v[name]:
                day = _day(v[name])
                if day is None:
                    self.errors[name] = _("Enter a date such as 2026-03-12.")
                else:  # midnight where the seller is: the day they picked, as they think of it
                    out[name] = localize(datetime.combine(day, datetime.min.time()), seller_tz).isoformat()
        return out

    def service_data(self, seller_tz: str) -> dict[str, Any]:
        """The dict lifecycle.create_campaign takes (the API's body): only the chosen kind's own part."""
        v = self.values
        kind = v["kind"]
        data: dict[str, Any] = {"name": v["name"], "kind": kind, "audience": self.audience(seller_tz),
                                "confirm_all": bool(v["confirm_all"]), "content": self._content()}
        if v["attribution_days"]:
            data["attribution_days"] = v["attribution_days"]
        if kind in SEND_ON_KINDS and v["send_on"]:
            data["send_on"] = v["send_on"]
        if kind == "launch":
            data["product"] = self._product()
        elif kind == "sale":
            data["offer"] = _given({key: v[f"offer_{key}"] for key in ("discount", "coupon", "starts_on", "ends_at")})
        elif kind == "holiday" and v["holiday_key"]:
            data["holiday"] = _given({"key": v["holiday_key"], "days_before": v["holiday_days_before"]})
        elif kind == "repurchase":
            data["repurchase"] = _given({"within_days": v["repurchase_within_days"]})
        if v["ab_on"] and kind != "repurchase":  # a standing campaign has no A/B test: its fields are hidden
            data["ab"] = self._ab(data["content"]["versions"])
        return data

    def _ab(self, versions: Mapping[str, Any]) -> dict[str, Any]:
        v = self.values
        if not v["ab_subject_b"]:
            self.errors["ab_subject_b"] = _("Enter the second subject to try against the first.")
        subject_b = {v["content_language"]: v["ab_subject_b"]} if v["ab_subject_b"] else {}
        for row in self.versions:  # the other languages' second subjects are optional
            if row["subject_b"] and row["lang"] in versions and row["lang"] not in subject_b:
                subject_b[row["lang"]] = row["subject_b"]
        return {"subject_b": subject_b, "metric": v["ab_metric"] or "orders",
                **_given({key: v[name] for key, name in AB_NUMBERS.items()})}

    def _product(self) -> dict[str, Any]:
        v = self.values
        product = _given({key: v[f"product_{key}"] for key in ("name", "url", "image_url", "category")})
        product.setdefault("name", "")
        price, currency = v["product_price"], v["product_currency"].upper()
        if price and not currency:
            self.errors["product_currency"] = _("Choose the currency of the price.")
        elif price:
            try:
                code = validate_currency(currency)
            except ValueError as exc:
                self.errors["product_currency"] = localize_reason(reason_of(exc))
            else:
                try:
                    product["prices"] = {code: to_minor(price, code)}
                except ValueError as exc:
                    self.errors["product_price"] = localize_reason(reason_of(exc))
        return product

    def _content(self) -> dict[str, Any]:
        v = self.values
        language = v["content_language"]
        versions = {language: {"subject": v["subject"], "body": v["body"]}}
        for i, row in enumerate(self.versions):
            if not row["lang"]:
                self.errors[f"version_lang-{i}"] = _("Enter the language of this version, e.g. de or pt-BR.")
            elif row["lang"] in versions:
                self.errors[f"version_lang-{i}"] = _("This language already has a version.")
            else:
                versions[row["lang"]] = {"subject": row["subject"], "body": row["body"]}
        return {"language": language, "versions": versions}

    def place(self, fields: Mapping[str, str]) -> None:
        """Service errors ({"offer.ends_at": …, "content.versions.de.body": …}) → next to each field."""
        for key, message in fields.items():
            target, message = self._target(key, message)
            if target is None:
                self.general.append(localize_reason(message))
            elif target == "confirm_all" and str(message) == EMPTY_FILTER:
                self.errors.setdefault(target, _("With no filter the campaign goes to every buyer: tick the box "
                                                 "to confirm that, or narrow the audience."))
            else:
                self.errors.setdefault(target, localize_reason(message))

    def _target(self, key: str, message: str) -> tuple[str | None, str]:
        parts = key.split(".")
        head, sub = parts[0], (parts[1] if len(parts) > 1 else None)
        sub = None if sub == "body" else sub  # the filter's own check, named by its message
        if head in ("name", "kind", "confirm_all", "send_on", "attribution_days"):
            return head, message
        if head == "audience":
            if sub is None and (m := _PREFIXED.match(str(message))) and m.group(1) in _AUDIENCE:
                sub, message = m.group(1), m.group(2)
            if sub is None and "country" in getattr(message, "template", ""):
                sub = "countries"
            return _AUDIENCE.get(sub or "", "confirm_all"), message
        if head in _PARTS:
            return _PARTS[head].get(sub or "", _FIRST[head]), message
        if head == "ab":
            return self._ab_target(parts[1:], message)
        if head == "content":
            if sub != "versions" or len(parts) < 3:
                return "content_language", message
            lang, part = parts[2], (parts[3] if len(parts) > 3 else "subject")
            part = part if part in ("subject", "body") else "subject"
            if lang == self.values["content_language"]:
                return part, message
            for i, row in enumerate(self.versions):
                if row["lang"] == lang:
                    return f"version_{part}-{i}", message
        return None, message

    def _ab_target(self, parts: list[str], message: str) -> tuple[str, str]:
        """ab.metric → ab_metric; ab.subject_b.de → the German row's second subject; ab itself → the box."""
        if not parts:
            return "ab_on", message
        if parts[0] != "subject_b":
            return {"metric": "ab_metric", **AB_NUMBERS}.get(parts[0], "ab_on"), message
        lang = parts[1] if len(parts) > 1 else self.values["content_language"]
        for i, row in enumerate(self.versions):
            if row["lang"] == lang and lang != self.values["content_language"]:
                return f"version_subject_b-{i}", message
        return "ab_subject_b", message


def audience_values(audience: Mapping[str, Any], seller_tz: str) -> dict[str, Any]:
    """A stored filter (a campaign's or a saved audience's) as the wizard's audience fields show it."""
    v: dict[str, Any] = {name: list(audience.get(name) or []) for name in LIST_FIELDS}
    v["tags"] = ", ".join(audience.get("tags") or [])
    for name in ("min_orders", "max_orders", "spend_currency", "bought_product"):
        v[name] = "" if audience.get(name) is None else str(audience[name])
    currency = audience.get("spend_currency")
    for name in ("min_spend", "max_spend"):
        minor = audience.get(f"{name}_minor")
        v[name] = amount_str(minor, currency) if minor is not None and currency else ""
    for name in ("last_order_after", "last_order_before"):
        v[name] = (to_local(datetime.fromisoformat(audience[name]), seller_tz).date().isoformat()
                   if audience.get(name) else "")
    return v


def _given(values: dict[str, str]) -> dict[str, str]:
    """Only the fields filled in: an empty one is left to the service's default (or its "is required")."""
    return {k: v for k, v in values.items() if v}


def _day(raw: str) -> date | None:
    try:
        return date.fromisoformat(raw) if _DATE.fullmatch(raw) else None
    except ValueError:
        return None
