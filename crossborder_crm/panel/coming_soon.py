"""Capabilities that are planned but not built yet get a tidy "coming soon" page, not a dead link."""
from __future__ import annotations

from flask import render_template

from crossborder_crm.panel.blueprint import bp
from crossborder_crm.panel.nav import N_

# endpoint → (url, title, what it will do). Remove an entry when its real pages arrive.
COMING_SOON = {
    "campaigns": ("/campaigns", N_("Campaigns"),
                  N_("Launches, sales, each country's holidays and each buyer's repurchase cycle, "
                     "planned into messages that reach buyers at a good moment.")),
}


def _page(title: str, description: str):
    def view():
        return render_template("panel/coming_soon.html", title=title, description=description)
    return view


for _endpoint, (_url, _title, _description) in COMING_SOON.items():
    bp.add_url_rule(_url, _endpoint, _page(_title, _description), methods=["GET"])
