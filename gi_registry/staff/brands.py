"""Brands for staff (品牌): the list by status and text, a new brand, and the editor of every field
of the interchange format, with the umbrella brand (区域公用品牌) a member belongs to, its links to
products and producers, sources, and archiving instead of deletion. Writes go through
``services.brands``; the history names the staff user."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from gi_registry import vocab
from gi_registry.extensions import db
from gi_registry.models import Brand, BrandImage, GIProduct, Producer
from gi_registry.services.brands import archive_brand, save_brand
from gi_registry.services.fields import SLUG_RE
from gi_registry.services.history import SNAPSHOTS
from gi_registry.services.organisations import new_slug
from gi_registry.services.records import change_fields
from gi_registry.staff.common import act, staff_page
from gi_registry.staff.editing import LIST_LIMIT, like_pattern, list_query, save_form
from gi_registry.staff.pictures import change_picture, upload_pictures
from gi_registry.staff.product_forms import ImageActionForm, ImageUploadForm
from gi_registry.staff.record_forms import (
    ArchiveForm,
    BrandForm,
    record_choice,
    slug_list,
    vocab_choices,
)

EDITABLE_STATUSES = ("draft", "published")  # archiving has its own button


def find_brand(slug: str) -> Brand:
    return db.session.scalar(sa.select(Brand).where(Brand.slug == slug)) or abort(404)


def search_brands(status: str, text: str) -> list[Brand]:
    """Brands of one status (all but the archived by default) whose name or slug holds ``text``."""
    query = sa.select(Brand).options(selectinload(Brand.parent)).order_by(Brand.slug)
    if status in vocab.BRAND_STATUSES:
        query = query.where(Brand.status == status)
    else:
        query = query.where(Brand.status != "archived")
    if text:
        pattern = like_pattern(text)
        query = query.where(
            sa.or_(Brand.name_zh.like(pattern), Brand.slug.like(pattern.lower()))
            | Brand.name_en.ilike(pattern)
        )
    return list(db.session.scalars(query.limit(LIST_LIMIT)))


@staff_page("/brands")
def brands():
    status = request.args.get("status", "")
    text = list_query()
    return render_template(
        "staff/brands.html",
        brands=search_brands(status, text),
        status=status if status in vocab.BRAND_STATUSES else "",
        statuses=list(vocab.BRAND_STATUSES),
        q=text,
    )


def umbrellas(brand: Brand | None) -> list[Brand]:
    """The brands a member can belong to: regional brands that belong to none themselves, not
    archived; and the brand's current umbrella, whatever it is (imported data may differ)."""
    query = sa.select(Brand).where(
        Brand.kind == "regional", Brand.parent_id.is_(None), Brand.status != "archived"
    )
    if brand is not None:
        query = query.where(Brand.id != brand.id)
    found = {b.id: b for b in db.session.scalars(query)}
    if brand is not None and brand.parent is not None:
        found[brand.parent.id] = brand.parent
    return sorted(found.values(), key=lambda b: b.name_pinyin or b.slug)


def offer_choices(form: BrandForm, brand: Brand | None) -> None:
    form.kind.choices = vocab_choices("BRAND_KINDS")
    form.parent.choices = [("", _("（无）"))] + [record_choice(b.slug, b) for b in umbrellas(brand)]
    statuses = EDITABLE_STATUSES + (("archived",) if brand and brand.status == "archived" else ())
    form.status.choices = vocab_choices("BRAND_STATUSES", statuses)


def fill_form(form: BrandForm, brand: Brand) -> None:
    record = SNAPSHOTS["brands"](brand)
    for name in ("name_zh", "name_en", "kind", "trademark_number", "description", "status"):
        form[name].data = record[name] or ""
    form.slug.data = brand.slug
    form.parent.data = record["parent"] or ""
    form.products.data = "\n".join(record["products"])
    form.producers.data = "\n".join(record["producers"])
    form.fill_sources(record["sources"])
    form.version.data = str(brand.version)


def missing_slugs(model, slugs: list[str]) -> list[str]:
    found = set(db.session.scalars(sa.select(model.slug).where(model.slug.in_(slugs))))
    return [s for s in slugs if s not in found]


def check_links(form: BrandForm, brand: Brand | None) -> None:
    """Checks that need the database, each message naming its field (zh and en)."""
    for field, model in ((form.products, GIProduct), (form.producers, Producer)):
        missing = missing_slugs(model, slug_list(field.data))
        if missing:
            field.errors.append(
                _("%(field)s：找不到 %(list)s", field=field.label.text, list=_("、").join(missing))
            )
    if brand is not None and brand.members and form.parent.data:
        form.parent.errors.append(_("所属区域公用品牌：该品牌已有成员品牌，不能再隶属其他品牌"))
    if brand is None and form.slug.data:
        slug = form.slug.data.strip()
        if not SLUG_RE.fullmatch(slug) or not 2 <= len(slug) <= 80:
            form.slug.errors.append(_("网址标识：只能用小写字母、数字和连字符，2 至 80 个字符"))
        elif db.session.scalar(sa.select(Brand.id).where(Brand.slug == slug)):
            form.slug.errors.append(_("网址标识：%(slug)s 已被其他品牌使用", slug=slug))


def brand_record(form: BrandForm, brand: Brand | None) -> dict:
    """The whole record for ``save_brand``: the form's fields over the stored ones (``sample``)."""
    stored = SNAPSHOTS["brands"](brand) if brand else {"sample": False}
    slug = brand.slug if brand else (form.slug.data or "").strip()
    return stored | {
        "slug": slug or new_slug(form.name_zh.data, Brand, "brand"),
        "name_zh": form.name_zh.data,
        "name_en": (form.name_en.data or "").strip() or None,
        "kind": form.kind.data,
        "parent": form.parent.data or None,
        "products": slug_list(form.products.data),
        "producers": slug_list(form.producers.data),
        "trademark_number": (form.trademark_number.data or "").strip() or None,
        "description": form.description.data or "",
        "sources": form.sources_data(),
        "status": form.status.data,
    }


class CheckedBrandForm(BrandForm):
    """The brand form with the checks that need the stored brand (set as ``stored``)."""

    stored: Brand | None = None

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        check_links(self, self.stored)
        return valid and not any(field.errors for field in self)


@staff_page("/brands/new", methods=["GET", "POST"])
def new_brand():
    return edit_page(None)


@staff_page("/brands/<slug:slug>/edit", methods=["GET", "POST"])
def edit_brand(slug: str):
    return edit_page(find_brand(slug))


def edit_page(brand: Brand | None):
    form = CheckedBrandForm()
    form.stored = brand
    offer_choices(form, brand)
    status = 200
    if not form.is_submitted():
        if brand is not None:
            fill_form(form, brand)
        else:
            form.status.data = "draft"
            form.fill_sources([])
    else:
        saved, status = save_form(
            form,
            lambda work: save_brand(
                work, brand_record(form, brand), expected_version=form.expected_version()
            ),
        )
        if saved is not None:
            flash(_("已保存品牌“%(name)s”。", name=saved.name_zh), "success")
            return redirect(url_for("staff.edit_brand", slug=saved.slug), code=303)
    page = render_template(
        "staff/brand.html",
        form=form,
        brand=brand,
        archive_form=ArchiveForm(formdata=None, version=brand.version if brand else ""),
        upload=ImageUploadForm(formdata=None, version=brand.version if brand else ""),
        actions=ImageActionForm(formdata=None, version=brand.version if brand else ""),
    )
    return make_response(page, status)


ARCHIVE_DONE = {
    "archive": _l("已归档，该品牌不再公开。"),
    "unarchive": _l("已取消归档，该品牌现为草稿，发布后才公开。"),
}


@staff_page("/brands/<slug:slug>/<any(archive, unarchive):action>", methods=["POST"])
def brand_archive(slug: str, action: str):
    brand = find_brand(slug)
    form = ArchiveForm()
    if form.validate():
        version = form.expected_version()
        if action == "archive":
            _done, errors = act(lambda work: archive_brand(work, slug, expected_version=version))
        else:
            _done, errors = act(
                lambda work: change_fields(
                    work, "brands", slug, save_brand, version, status="draft"
                )
            )
        for message in errors.values():
            flash(message, "error")
        if not errors:
            flash(str(ARCHIVE_DONE[action]), "success")
    else:
        flash(_("表单已过期，请重新提交。"), "error")
    return redirect(url_for("staff.edit_brand", slug=brand.slug), code=303)


# -- pictures ---------------------------------------------------------------------------------------


def back_to_pictures(slug: str, messages=()):
    """The edit page again, at its pictures, with any refusal as a message."""
    for message in messages:
        flash(message, "error")
    return redirect(url_for("staff.edit_brand", slug=slug, _anchor="images"), code=303)


@staff_page("/brands/<slug:slug>/images", methods=["POST"])
def brand_images(slug: str):
    """Upload one or more pictures: each is verified and re-encoded, or none is stored."""
    find_brand(slug)
    form = ImageUploadForm()
    if not form.validate():
        return back_to_pictures(slug, [m for ms in form.errors.values() for m in ms])
    count, errors = upload_pictures("brands", slug, form)
    if errors:
        return back_to_pictures(slug, errors.values())
    flash(_("已上传 %(n)s 张图片。", n=count), "success")
    return back_to_pictures(slug)


@staff_page("/brands/<slug:slug>/images/<int:media_id>", methods=["POST"])
def brand_image(slug: str, media_id: int):
    """Move a picture up or down, make it the cover (the first picture) or remove it."""
    brand = find_brand(slug)
    link = db.session.get(BrandImage, (brand.id, media_id)) or abort(404)
    form = ImageActionForm()
    if not form.validate():
        return back_to_pictures(slug, [_("表单已过期，请重新提交。")])
    errors = change_picture("brands", slug, link, form)
    if errors:
        return back_to_pictures(slug, errors.values())
    flash(_("图片已移除。") if form.remove.data else _("图片顺序已保存。"), "success")
    return back_to_pictures(slug)
