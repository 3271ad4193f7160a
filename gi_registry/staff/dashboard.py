"""The staff dashboard: every queue of pending work with its count and a link."""

from __future__ import annotations

from flask import render_template

from gi_registry.localtime import local_today
from gi_registry.staff.common import staff_page
from gi_registry.staff.panels import dashboard_panels


@staff_page("/")
def dashboard():
    return render_template("staff/dashboard.html", panels=dashboard_panels(local_today()))
