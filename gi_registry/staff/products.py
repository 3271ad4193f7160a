"""GI product editing (地理标志产品): the list of every product, the form for a new or stored one,
its pictures (upload, order, cover, remove) and archiving. Every save goes through
``services.products`` and ``services.images`` as the signed-in staff user."""

from __future__ import annotations

import sqlalchemy as sa
from flask import (
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from gi_registry import paging, vocab
from gi_registry.extensions import db
from gi_registry.models import GIProduct, ProductImage, Region
from gi_registry.services.products import archive_product, save_product, set_product_status
from gi_registry.services.snapshots import product_record as stored_record
from gi_registry.staff.common import act, staff_page
from gi_registry.staff.pictures import change_picture, upload_pictures, version_of
from gi_registry.staff.product_forms import (
    EXTRA_ROWS,
    GROUPS,
    ArchiveForm,
    ImageActionForm,
    ImageUploadForm,
    ProductForm,
    check_rows,
    is_blank,
    place_errors,
    product_record,
)

PER_PAGE = 50
QUERY_MAX = 100
JILIN = "220000"


def find_product(slug: str) -> GIProduct:
    query = sa.select(GIProduct).where(GIProduct.slug == slug)
    return db.session.scalar(query) or abort(404)


def product_query(status: str, text: str) -> sa.Select:
    query = sa.select(GIProduct).options(selectinload(GIProduct.category))
    if status in vocab.PRODUCT_STATUSES:
        query = query.where(GIProduct.status == status)
    if text:
        like = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(
            sa.or_(
                GIProduct.name_zh.ilike(like, escape="\\"),
                GIProduct.name_en.ilike(like, escape="\\"),
                GIProduct.name_pinyin.ilike(like, escape="\\"),
                GIProduct.slug.ilike(like, escape="\\"),
            )
        )
    return query.order_by(GIProduct.updated_at.desc(), GIProduct.id.desc())


@staff_page("/products")
def products():
    status = request.args.get("status", "")
    status = status if status in vocab.PRODUCT_STATUSES else ""
    text = " ".join((request.args.get("q") or "").split())[:QUERY_MAX].replace("\x00", "")
    pagination = db.paginate(
        product_query(status, text),
        page=paging.page_number(request.args, strict=False),
        per_page=PER_PAGE,
        error_out=False,
    )
    return render_template(
        "staff/products.html",
        pagination=pagination,
        status=status,
        q=text,
        statuses=list(vocab.PRODUCT_STATUSES),
    )


def prefectures() -> list[Region]:
    query = (
        sa.select(Region)
        .where(Region.parent_code == JILIN)
        .options(selectinload(Region.children))
        .order_by(Region.code)
    )
    return list(db.session.scalars(query))


def prepare(form: ProductForm) -> None:
    """The region picker's choices, and an empty row in each group to type into."""
    groups = prefectures()
    form.region_codes.prefectures = groups
    if not form.other_regions.data:
        jilin = {r.code for p in groups for r in (p, *p.children)}
        others = [code for code in form.region_codes.data or [] if code not in jilin]
        form.other_regions.data = " ".join(others)
    for group in GROUPS:
        rows = form[group]
        blank = sum(1 for entry in rows.entries if is_blank(entry.form))
        for _n in range(EXTRA_ROWS - blank):
            if len(rows.entries) < rows.max_entries:
                rows.append_entry()


def stored_form(product: GIProduct) -> ProductForm:
    record = stored_record(product)
    data = record | {
        "aliases": "\n".join(record["aliases"]),
        "name_en": record["name_en"] or "",
        "protections": [{k: v or "" for k, v in item.items()} for item in record["protections"]],
        "sources": [{k: v or "" for k, v in item.items()} for item in record["sources"]],
        "version": product.version,
    }
    return ProductForm(formdata=None, data=data, archived=product.is_archived)


@staff_page("/products/new", methods=["GET", "POST"])
def product_new():
    if request.method == "POST":
        return edit_page(ProductForm(), None, posted=True)
    return edit_page(ProductForm(formdata=None, data={"status": "draft"}), None)


@staff_page("/products/<slug:slug>/edit", methods=["GET", "POST"])
def product_edit(slug: str):
    product = find_product(slug)
    if request.method == "POST":
        return edit_page(ProductForm(archived=product.is_archived), product, posted=True)
    return edit_page(stored_form(product), product)


def edit_page(
    form: ProductForm,
    product: GIProduct | None,
    upload: ImageUploadForm | None = None,
    status: int = 200,
    *,
    posted: bool = False,
):
    problems: list[str] = []
    if posted:
        if form.add_protection.data or form.add_source.data:
            group = "protections" if form.add_protection.data else "sources"
            if len(form[group].entries) < form[group].max_entries:
                form[group].append_entry()
        else:
            saved, problems, status = save(form, product)
            if saved is not None:
                flash(_("已保存。"), "success")
                return redirect(url_for("staff.product_edit", slug=saved.slug), code=303)
    prepare(form)
    page = render_template(
        "staff/product_edit.html",
        form=form,
        product=product,
        problems=problems,
        upload=upload or (ImageUploadForm(data={"version": product.version}) if product else None),
        actions=ImageActionForm(data={"version": product.version}) if product else None,
        archive=ArchiveForm(data={"version": product.version}) if product else None,
        history=url_for("staff.history", kind="products", key=product.slug) if product else None,
    )
    return make_response(page, status)


def save(form: ProductForm, product: GIProduct | None) -> tuple[GIProduct | None, list, int]:
    """(the saved product, [], 303) or (None, messages, 422 for input, 409 for a conflict)."""
    valid = form.validate()
    problems = check_rows(form)
    slug = product.slug if product else (form.slug.data or "").strip()
    if not valid or problems:
        return None, [*messages_of(form), *problems], 422
    if product is None and db.session.scalar(sa.select(GIProduct.id).where(GIProduct.slug == slug)):
        message = _("标识：%(slug)s 已被另一个产品使用", slug=slug)
        form.slug.errors = [message]
        return None, [message], 422
    expected = version_of(form) if product else None
    record = product_record(form, slug)
    saved, errors = act(lambda work: save_product(work, record, expected_version=expected))
    if not errors:
        return saved, [], 303
    return None, place_errors(form, errors), 409 if "" in errors else 422


def messages_of(form: ProductForm) -> list[str]:
    return [
        message
        for name, messages in form.errors.items()
        if name not in GROUPS
        for message in (messages if isinstance(messages, list) else [])
        if isinstance(message, str)
    ]


# -- pictures ---------------------------------------------------------------------------------------


@staff_page("/products/<slug:slug>/images", methods=["POST"])
def product_images(slug: str):
    """Upload one or more pictures: each is verified and re-encoded, or none is stored."""
    product = find_product(slug)
    form = ImageUploadForm()
    if not form.validate():
        return refused_upload(product, form, [], 422)
    count, errors = upload_pictures("products", slug, form)
    if errors:
        return refused_upload(product, form, list(errors.values()), 409 if "" in errors else 422)
    flash(_("已上传 %(n)s 张图片。", n=count), "success")
    return redirect(edit_url(product, "images"), code=303)


def refused_upload(product: GIProduct, form: ImageUploadForm, messages: list[str], status: int):
    """The edit page again, the messages under the upload field (the file input starts empty)."""
    form.images.errors = [*form.images.errors, *messages]
    if form.csrf_token.errors:
        form.images.errors.append(_("表单已过期，请重新提交。"))
    form.version.data = product.version
    return edit_page(stored_form(product), product, form, status)


@staff_page("/products/<slug:slug>/images/<int:media_id>", methods=["POST"])
def product_image(slug: str, media_id: int):
    """Move a picture up or down, make it the cover (the first picture) or remove it."""
    product = find_product(slug)
    form = ImageActionForm()
    link = db.session.get(ProductImage, (product.id, media_id))
    if link is None:
        abort(404)
    if not form.validate():
        return back(product, [_("表单已过期，请重新提交。")])
    errors = change_picture("products", slug, link, form)
    if errors:
        return back(product, list(errors.values()))
    flash(_("图片已移除。") if form.remove.data else _("图片顺序已保存。"), "success")
    return redirect(edit_url(product, "images"), code=303)


def back(product: GIProduct, messages: list[str]):
    """The edit page again with the messages above its pictures (a refused upload, a conflict)."""
    for message in messages:
        flash(message, "error")
    return redirect(edit_url(product, "images"), code=303)


def edit_url(product: GIProduct, anchor: str = "") -> str:
    return url_for("staff.product_edit", slug=product.slug, _anchor=anchor or None)


# -- archiving ----------------------------------------------------------------------------------------


@staff_page("/products/<slug:slug>/archive", methods=["POST"])
def product_archive(slug: str):
    """Archive (out of public pages and search, kept as evidence) or restore as a draft."""
    product = find_product(slug)
    form = ArchiveForm()
    if not form.validate():
        return back(product, [_("表单已过期，请重新提交。")])
    expected = version_of(form)
    if form.restore.data:
        change = lambda work: set_product_status(  # noqa: E731
            work, slug, "draft", expected_version=expected
        )
    else:
        change = lambda work: archive_product(work, slug, expected_version=expected)  # noqa: E731
    _done, errors = act(change)
    if errors:
        return back(product, list(errors.values()))
    flash(_("已恢复为草稿。") if form.restore.data else _("已归档，不再公开。"), "success")
    return redirect(edit_url(product), code=303)
