"""The registry's day: its users live in one time zone (``TIMEZONE``), whatever the server's is."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app

from gi_registry.models.base import now_utc


def local_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["TIMEZONE"])


def local_today() -> date:
    """Today's date where the registry's users are: an authorisation runs to the end of their day."""
    return now_utc().astimezone(local_zone()).date()


def local_date(moment: datetime) -> date:
    return moment.astimezone(local_zone()).date()


def local_datetime(moment: datetime) -> str:
    """A moment as people there read it: ``2026-11-29 12:03``."""
    return moment.astimezone(local_zone()).strftime("%Y-%m-%d %H:%M")


__all__ = ["local_date", "local_datetime", "local_today", "local_zone"]
