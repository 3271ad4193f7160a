"""A record's history for the staff console, and restoring an earlier state of it."""

from __future__ import annotations

from typing import Any

from gi_registry.extensions import db
from gi_registry.services.authorizations import find_authorization, save_authorization
from gi_registry.services.brands import save_brand
from gi_registry.services.errors import NotFoundError, ValidationError
from gi_registry.services.history import SNAPSHOTS, Revision, entity_key, history, state_after
from gi_registry.services.listings import save_listing
from gi_registry.services.producers import save_producer
from gi_registry.services.products import save_product
from gi_registry.services.promotion import save_event, save_slot, save_story
from gi_registry.services.records import LABELS, MODELS, find_record
from gi_registry.services.stations import find_request, restore_request, save_station
from gi_registry.services.unit import Work
from gi_registry.services.writer import check_version

SAVES = {
    "products": save_product,
    "brands": save_brand,
    "producers": save_producer,
    "authorizations": save_authorization,
    "listings": save_listing,
    "stories": save_story,
    "events": save_event,
    "slots": save_slot,
    "stations": save_station,
    "guidance": restore_request,
}
# The field a restore adds to its own entry: [None, the id of the entry restored]. Not a field of the
# record, so a later restore (``state_after``) passes over it.
RESTORED_FROM = "restored_from"


def record_history(kind: str, entity_id: int) -> list[Revision]:
    """Every change to one record, newest first, with who made it and each field before and after."""
    return history(kind, entity_id)


def revision_state(kind: str, entity_id: int, revision_id: int) -> dict[str, Any]:
    """The record as it was right after ``revision_id``, in the interchange format's terms."""
    obj = _require(kind, entity_id)
    return state_after(kind, SNAPSHOTS[kind](obj), history(kind, entity_id), revision_id)


def current_state(kind: str, entity_id: int) -> dict[str, Any]:
    """The record as it is now, in the same terms as its history."""
    return SNAPSHOTS[kind](_require(kind, entity_id))


def restore_revision(
    work: Work,
    kind: str,
    entity_id: int,
    revision_id: int,
    *,
    expected_version: int | None = None,
):
    """Save the record as it was right after ``revision_id``. The restore is a new entry of its
    own (by whoever restored, naming the entry restored), so restoring loses nothing and can itself
    be undone. ``expected_version`` is the version the person saw when they chose to restore.

    An archived record comes back with the status it had then. The kind's own save checks the
    restored record like any other write (a brand member archived since, say, is refused).
    """
    obj = _require(kind, entity_id)
    check_version(obj, expected_version)
    current = SNAPSHOTS[kind](obj)
    try:
        state = state_after(kind, current, history(kind, entity_id), revision_id)
    except KeyError:
        raise NotFoundError(f"{LABELS[kind]}没有编号为 {revision_id} 的历史记录") from None
    if entity_key(kind, state) != entity_key(kind, current):
        # The services name a record by its key: saving the old key would write another record.
        raise ValidationError(
            {"$": f"该版本的标识 {entity_key(kind, state)} 与现在的不同，不能恢复"}
        )
    work.history.annotate(kind, entity_id, {RESTORED_FROM: [None, revision_id]})
    # Slots carry no row version.
    return SAVES[kind](work, state, expected_version=getattr(obj, "version", None))


def entity_id_for(kind: str, key: str) -> int:
    """The row id of a record named as people name it: a slug, ``producer/product`` for an
    authorisation, or the tracking code of a guidance request."""
    if kind not in MODELS:
        raise NotFoundError(f"未知的记录类型 {kind}（可用：{'、'.join(MODELS)}）")
    if kind == "authorizations":
        producer, _, product = key.partition("/")
        obj = find_authorization(producer, product)
    elif kind == "slots":
        obj = db.session.get(MODELS[kind], int(key)) if key.isdigit() else None
    elif kind == "guidance":
        obj = find_request(key)
    else:
        obj = find_record(MODELS[kind], key)
    if obj is None:
        raise NotFoundError(f"找不到{LABELS[kind]} {key}")
    return obj.id


def _require(kind: str, entity_id: int):
    obj = db.session.get(MODELS[kind], entity_id)
    if obj is None:
        raise NotFoundError(f"找不到{LABELS[kind]}（id {entity_id}）")
    return obj
