"""What the history pages say about a record: its name, its public page, its staff edit page, and
who made a change. One table per kind, so a new kind in ``services.records.MODELS`` shows up here."""

from __future__ import annotations

from typing import Any

from flask import current_app, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException

from gi_registry.i18n.content import localized
from gi_registry.services.history import Revision
from gi_registry.services.revisions import RESTORED_FROM

KIND_LABELS = {
    "products": _l("地理标志产品"),
    "brands": _l("品牌"),
    "producers": _l("经营主体"),
    "authorizations": _l("专用标志使用授权"),
    "listings": _l("供需信息"),
    "stories": _l("故事"),
    "events": _l("活动"),
    "slots": _l("首页推荐位"),
    "stations": _l("商标品牌指导站"),
    "guidance": _l("指导咨询"),
    # Entries of kinds with no history page of their own (no restore): listed in the overview.
    "reports": _l("侵权投诉举报"),
    "batches": _l("批次"),
    "users": _l("用户"),
    "invitations": _l("邀请"),
}
ACTION_LABELS = {
    "create": _l("创建"),
    "update": _l("修改"),
    "archive": _l("归档"),
    "restore": _l("恢复"),
}
# Who ran a change that no signed-in user made (``AuditEntry.actor``).
ACTORS = {
    "load-sample": _l("导入示例数据"),
    "system": _l("系统"),
    "guidance-form": _l("公众咨询表单"),
    "report-form": _l("公众举报表单"),
    "trace-scan": _l("扫码"),
}

# Public pages: the endpoint and its arguments from the record.
PUBLIC = {
    "products": ("catalog.product", lambda o: {"slug": o.slug}),
    "brands": ("catalog.brand", lambda o: {"slug": o.slug}),
    "producers": ("catalog.producer", lambda o: {"slug": o.slug}),
    "authorizations": ("verify.token", lambda o: {"token": o.verify_token}),
    "listings": ("catalog.listing", lambda o: {"slug": o.slug}),
    "stories": ("promotion.story", lambda o: {"slug": o.slug}),
    "events": ("promotion.event", lambda o: {"slug": o.slug}),
    "slots": ("catalog.home", lambda o: {}),
    "stations": ("stations.station", lambda o: {"slug": o.slug}),
    "guidance": ("stations.status", lambda o: {"code": o.tracking_code}),
}
# Staff pages that edit a record, by plain path (other parts of the console own them): the first
# one the URL map knows is linked, so a link appears once its page exists. Every kind is tried at
# /staff/<kind>/<key> and /staff/<kind>/<key>/edit, after the paths named here.
EDIT_PATHS = {
    "producers": ["/staff/organisations/{key}"],
}


def edit_paths(kind: str) -> list[str]:
    own = [f"/staff/{kind}/{{key}}/edit", f"/staff/{kind}/{{key}}"]
    return own + EDIT_PATHS.get(kind, [])


def record_name(kind: str, obj: Any) -> str:
    if kind == "authorizations":
        return f"{localized(obj.producer, 'name')} · {localized(obj.product, 'name')}"
    if kind == "listings":
        return obj.title
    if kind in ("stories", "events"):
        return localized(obj, "title")
    if kind == "slots":
        return localized(obj, "headline") or f"#{obj.id}"
    if kind == "guidance":
        return obj.tracking_code
    return localized(obj, "name")


def public_url(kind: str, obj: Any) -> str | None:
    endpoint, arguments = PUBLIC[kind]
    if endpoint not in current_app.view_functions:
        return None
    return url_for(endpoint, **arguments(obj))


def edit_url(kind: str, key: str) -> str | None:
    adapter = current_app.url_map.bind("localhost")
    for pattern in edit_paths(kind):
        path = pattern.format(key=key)
        try:
            adapter.match(path, method="GET")
        except HTTPException:  # no such page (yet), or one that only redirects
            continue
        return path
    return None


def action_of(revision: Revision) -> str:
    """create, update, archive, or restore (an entry that names the entry it restored)."""
    return "restore" if RESTORED_FROM in revision.changes else revision.action


def who(user_email: str | None, actor: str) -> str:
    """The signed-in user's e-mail, else what ran the change: an import, a command, a form."""
    if user_email:
        return user_email
    if actor in ACTORS:
        return str(ACTORS[actor])
    if actor.startswith("init-db"):
        return _("导入（%(actor)s）", actor=actor)
    if actor.startswith("cli"):
        return _("命令行（%(actor)s）", actor=actor)
    return actor
