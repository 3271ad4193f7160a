"""The pictures of an illustrated record (a GI product, a brand) in the staff area: upload one or
more (each verified and re-encoded, or none is stored), move one up or down, make it the cover (the
first picture), remove it. ``services.images`` writes, with the record's version; the views of each
kind only find the record and say where to go back to."""

from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _

from gi_registry.media import MediaError
from gi_registry.services.errors import ValidationError
from gi_registry.services.images import add_image, move_record_image, remove_record_image
from gi_registry.staff.common import act, say
from gi_registry.staff.forms import posted_version


def version_of(form) -> int:
    """The version the page showed; a missing or garbled one counts as stale (a conflict)."""
    version = posted_version(form.version.data)
    return -1 if version is None else version


def numbered(number: int, count: int, error: MediaError) -> str:
    """The media pipeline's message, naming the field and, for several files, which one."""
    problem = say(error.message)
    if count > 1:
        problem = _("第 %(n)s 个文件：%(problem)s", n=number, problem=problem)
    return _("%(label)s：%(problem)s", label=_("上传图片"), problem=problem)


def upload_pictures(kind: str, slug: str, form) -> tuple[int, dict[str, str]]:
    """Store every file of a validated ``ImageUploadForm`` on the record, all or none.
    Returns (how many files, {field: message} from ``act``)."""
    files = [f for f in form.images.data if getattr(f, "filename", "")]
    expected = version_of(form)

    def upload(work):
        for number, file in enumerate(files, start=1):
            data = file.read(current_app.config["MEDIA_MAX_BYTES"] + 1)
            try:
                add_image(
                    work,
                    kind,
                    slug,
                    data,
                    alt=form.alt.data or "",
                    expected_version=expected if number == 1 else None,
                )
            except MediaError as error:
                raise ValidationError({"images": numbered(number, len(files), error)}) from None

    _done, errors = act(upload)
    return len(files), errors


def change_picture(kind: str, slug: str, link, form) -> dict[str, str]:
    """Apply a validated ``ImageActionForm`` to the picture ``link``: remove it, make it the
    cover or move it one place. Returns ``act``'s messages."""
    expected = version_of(form)
    media_id = link.media_id
    if form.remove.data:
        _done, errors = act(
            lambda work: remove_record_image(work, kind, slug, media_id, expected_version=expected)
        )
        return errors
    position = 0 if form.cover.data else link.position + (-1 if form.up.data else 1)
    _done, errors = act(
        lambda work: move_record_image(
            work, kind, slug, media_id, position, expected_version=expected
        )
    )
    return errors
