"""Model rules that hold whatever the data: region lineage, authorisation windows, time, dates."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from sqlalchemy import select
from sqlalchemy.dialects import sqlite

from gi_registry.extensions import db
from gi_registry.interchange import import_document
from gi_registry.models import (
    Authorization,
    Brand,
    GIProduct,
    Producer,
    Protection,
    Region,
    now_utc,
)
from gi_registry.models.base import PartialDate
from tests import factories as f

BEIJING = timezone(timedelta(hours=8))


def region(code: str) -> Region:
    db.session.expire_all()  # read parents back from the database, not from this session's objects
    return db.session.get(Region, code)


def codes(regions: list[Region]) -> list[str]:
    return [r.code for r in regions]


def test_lineage_runs_from_the_province_down(ctx):
    assert codes(region("220581").lineage()) == ["220000", "220500", "220581"]
    assert region("220581").full_name == "吉林省通化市梅河口市"
    assert codes(region("220000").lineage()) == ["220000"]  # empty parent: stops


def test_lineage_stops_at_a_region_that_is_its_own_parent(ctx):
    db.session.add(Region(code="990000", name="自环", level="province", parent_code=None))
    db.session.flush()
    db.session.execute(
        sa.update(Region).where(Region.code == "990000").values(parent_code="990000")
    )
    db.session.commit()
    looped = region("990000")
    assert looped.parent is looped
    assert codes(looped.lineage()) == ["990000"]
    assert looped.full_name == "自环"


def test_lineage_stops_at_a_two_region_cycle(ctx):
    db.session.add(Region(code="990001", name="甲", level="prefecture", parent_code=None))
    db.session.add(Region(code="990002", name="乙", level="county", parent_code="990001"))
    db.session.flush()
    db.session.execute(
        sa.update(Region).where(Region.code == "990001").values(parent_code="990002")
    )
    db.session.commit()
    assert codes(region("990002").lineage()) == ["990001", "990002"]
    assert codes(region("990001").lineage()) == ["990002", "990001"]
    assert region("990001").full_name == "乙甲"


def test_the_database_refuses_a_parent_that_does_not_exist(ctx):
    # The lineage tests rely on foreign keys being enforced, SQLite included.
    db.session.add(Region(code="990003", name="孤儿", level="county", parent_code="999999"))
    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()
    db.session.rollback()


FROM, TO = date(2025, 1, 1), date(2027, 12, 31)


@pytest.mark.parametrize(
    ("status", "valid_from", "valid_to", "day", "expected"),
    [
        ("active", FROM, TO, FROM, True),
        ("active", FROM, TO, TO, True),
        ("active", FROM, TO, date(2026, 6, 1), True),
        ("active", FROM, TO, FROM - timedelta(days=1), False),
        ("active", FROM, TO, TO + timedelta(days=1), False),
        ("active", None, TO, date(1990, 1, 1), True),
        ("active", FROM, None, date(2099, 1, 1), True),
        ("active", None, None, date(2026, 6, 1), True),
        ("suspended", FROM, TO, date(2026, 6, 1), False),
        ("revoked", None, None, date(2026, 6, 1), False),
        ("expired", FROM, TO, date(2026, 6, 1), False),
    ],
)
def test_authorization_is_valid_on(status, valid_from, valid_to, day, expected):
    auth = Authorization(status=status, valid_from=valid_from, valid_to=valid_to)
    assert auth.is_valid_on(day) is expected


def imported_product(slug: str = "test-rice") -> GIProduct:
    assert import_document(f.document(products=[f.product(slug, protections=[f.protection()])])).ok
    return db.session.scalar(select(GIProduct).where(GIProduct.slug == slug))


def test_timestamps_are_aware_utc_after_a_reload(ctx):
    product = imported_product()
    product.archived_at = datetime(2026, 3, 1, 8, 30, tzinfo=BEIJING)
    db.session.commit()
    db.session.expunge_all()
    product = db.session.scalar(select(GIProduct))
    for value in (product.created_at, product.updated_at):
        assert value.tzinfo is UTC
        assert abs(now_utc() - value) < timedelta(minutes=5)  # stamped now, read back as UTC
    # A fixed moment: compared with now it would fail a year after it was written.
    assert product.archived_at.tzinfo is UTC
    assert product.archived_at == datetime(2026, 3, 1, 0, 30, tzinfo=UTC)
    assert product.protections[0].created_at.tzinfo is UTC


def test_a_naive_datetime_is_refused(ctx):
    product = imported_product()
    product.archived_at = datetime(2026, 3, 1, 8, 30)
    with pytest.raises(sa.exc.StatementError, match="naive datetime"):
        db.session.flush()
    db.session.rollback()
    assert db.session.scalar(select(GIProduct)).archived_at is None


def test_partial_dates_are_stored_as_given(ctx):
    values = ["2006", "2006-07", "2006-07-09", "2006-12-31", None]
    assert import_document(
        f.document(products=[f.product(protections=[f.protection() for _ in values])])
    ).ok
    product = db.session.scalar(select(GIProduct))
    for protection, value in zip(product.protections, values, strict=True):
        protection.approved_on = value
    db.session.commit()
    db.session.expunge_all()
    stored = db.session.scalars(select(Protection.approved_on).order_by(Protection.position))
    assert list(stored) == values


def test_the_column_refuses_an_impossible_month(ctx):
    product = imported_product()
    product.protections[0].approved_on = "2006-13"
    with pytest.raises(sa.exc.StatementError, match="not a partial ISO date: '2006-13'"):
        db.session.flush()
    db.session.rollback()
    assert db.session.scalar(select(Protection)).approved_on is None


@pytest.mark.parametrize("value", ["2006-13", "2006-00", "2006-07-32", "06", "2006/07", "2006-7"])
def test_partial_dates_refuse_impossible_or_ambiguous_values(value):
    with pytest.raises(ValueError, match="not a partial ISO date"):
        PartialDate().process_bind_param(value, sqlite.dialect())


def test_archived_records_are_not_public():
    archived = now_utc()
    assert GIProduct(status="published").is_public
    assert not GIProduct(status="published", archived_at=archived).is_public
    assert not GIProduct(status="draft").is_public
    assert Brand(status="published").is_public
    assert not Brand(status="published", archived_at=archived).is_public
    assert Producer(status="active").is_public
    assert not Producer(status="active", archived_at=archived).is_public
    assert not Producer(status="pending").is_public
