"""The dashboard: every panel of the signed-in user's organisation on one page."""

from __future__ import annotations

from flask import render_template
from flask_login import login_required

from gi_registry.accounts.access import signed_in_user
from gi_registry.caching import exempt
from gi_registry.portal import bp
from gi_registry.portal.panels import dashboard_panels


@bp.route("/")
@exempt
@login_required
def dashboard():
    return render_template("portal/dashboard.html", panels=dashboard_panels(signed_in_user()))
