"""The /matching page. Public and cacheable: it depends on the registry, the day, the language and
the URL only."""

from __future__ import annotations

from flask import current_app, render_template, request
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from gi_registry.extensions import db
from gi_registry.localtime import local_today
from gi_registry.matching import bp
from gi_registry.matching.board import board_filters, build_board, product_choices
from gi_registry.matching.reasons import reason_lists
from gi_registry.models import Category, Region
from gi_registry.models.regions import find_region


@bp.route("/matching")
def board():
    filters = board_filters(request.args)
    result = build_board(filters, local_today())
    home = find_region(current_app.config["HOME_REGION_CODE"])
    return render_template(
        "matching/board.html",
        filters=filters,
        board=result,
        pair_reasons=reason_lists([pair.reasons for pair in result.pairs]),
        products=product_choices(),
        categories=list(db.session.scalars(select(Category).order_by(Category.position))),
        home=home,
        prefectures=prefectures(home),
    )


def prefectures(home: Region | None) -> list[Region]:
    """The home province's prefectures with their counties (two statements)."""
    if home is None:
        return []
    return list(
        db.session.scalars(
            select(Region)
            .where(Region.parent_code == home.code)
            .options(selectinload(Region.children))
            .order_by(Region.code)
        )
    )
