"""Product categories for staff (产品类别): the list in its order with how many records use each,
renaming (Chinese and English), moving up and down, adding, and removing an unused one. Writes go
through ``services.categories``; each is a history entry naming the staff user, listed below."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from gi_registry.extensions import db
from gi_registry.models import AuditEntry, Category, GIProduct, Listing
from gi_registry.services.categories import (
    CODE_RE,
    add_category,
    category_version,
    move_category,
    ordered,
    remove_category,
    rename_category,
)
from gi_registry.staff.common import act, staff_page
from gi_registry.staff.diffs import FIELD_LABELS
from gi_registry.staff.editing import save_form
from gi_registry.staff.record_forms import CategoryForm, CategoryMoveForm

RECENT_CHANGES = 20


def use_counts() -> dict[int, int]:
    """Category id → GI products and listings in it (two grouped queries)."""
    counts: dict[int, int] = {}
    for model in (GIProduct, Listing):
        query = sa.select(model.category_id, sa.func.count()).group_by(model.category_id)
        for category_id, count in db.session.execute(query):
            if category_id is not None:
                counts[category_id] = counts.get(category_id, 0) + count
    return counts


def recent_changes() -> list[AuditEntry]:
    query = (
        sa.select(AuditEntry)
        .where(AuditEntry.entity == "categories")
        .options(selectinload(AuditEntry.user))
        .order_by(AuditEntry.id.desc())
        .limit(RECENT_CHANGES)
    )
    return list(db.session.scalars(query))


def list_page(add_form: CategoryForm, status: int = 200):
    categories = ordered()
    page = render_template(
        "staff/categories.html",
        categories=categories,
        counts=use_counts(),
        versions={c.id: category_version(c) for c in categories},
        move_form=CategoryMoveForm(formdata=None),
        form=add_form,
        changes=recent_changes(),
        field_labels=FIELD_LABELS,
    )
    return make_response(page, status)


@staff_page("/categories")
def categories():
    return list_page(CategoryForm(formdata=None))


@staff_page("/categories/new", methods=["POST"])
def new_category():
    form = CategoryForm()
    data = {name: form[name].data for name in ("code", "name_zh", "name_en")}
    saved, status = save_form(form, lambda work: add_category(work, data))
    if saved is None:
        return list_page(form, status)
    flash(_("已添加产品类别“%(name)s”。", name=saved.name_zh), "success")
    return redirect(url_for("staff.categories"), code=303)


def find_category(code: str) -> Category:
    if not CODE_RE.fullmatch(code):  # never a NUL or a long text at the database (a 500 there)
        abort(404)
    return db.session.scalar(sa.select(Category).where(Category.code == code)) or abort(404)


@staff_page("/categories/<code>", methods=["GET", "POST"])
def edit_category(code: str):
    category = find_category(code)
    form = CategoryForm()
    status = 200
    if not form.is_submitted():
        form.name_zh.data, form.name_en.data = category.name_zh, category.name_en
        form.version.data = category_version(category)
    else:
        data = {"name_zh": form.name_zh.data, "name_en": form.name_en.data}
        saved, status = save_form(
            form,
            lambda work: rename_category(
                work, code, data, expected_version=form.version.data or None
            ),
        )
        if saved is not None:
            flash(_("已保存产品类别“%(name)s”。", name=saved.name_zh), "success")
            return redirect(url_for("staff.categories"), code=303)
    page = render_template(
        "staff/category.html", category=category, form=form, used=use_counts().get(category.id, 0)
    )
    return make_response(page, status)


@staff_page("/categories/<code>/move", methods=["POST"])
def category_move(code: str):
    find_category(code)
    form = CategoryMoveForm()
    if not form.validate():
        flash(_("表单已过期，请重新提交。"), "error")
        return redirect(url_for("staff.categories"), code=303)
    version = form.version.data or None
    if form.remove.data:
        _done, errors = act(lambda work: remove_category(work, code, expected_version=version))
        done = _("已删除该产品类别。")
    else:
        step = -1 if form.up.data else 1
        _done, errors = act(lambda work: move_category(work, code, step, expected_version=version))
        done = _("已调整顺序。")
    for message in errors.values():
        flash(message, "error")
    if not errors:
        flash(done, "success")
    return redirect(url_for("staff.categories"), code=303)
