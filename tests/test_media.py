"""The image pipeline refuses anything that is not a sane picture and serves only clean re-encodings.

It does so in bounded memory (docs/media.md), and the services store each picture once and attach it
to products, brands and listings.
"""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import pytest
from flask import url_for
from PIL import Image, ImageChops
from sqlalchemy import func, select

from bench import media_memory
from gi_registry import media, services
from gi_registry.extensions import db
from gi_registry.media import MediaError, decoded_bytes, process_image
from gi_registry.models import Brand, GIProduct, Listing, MediaAsset
from gi_registry.services.errors import ValidationError
from gi_registry.services.media import attach_image, remove_image, store_image
from gi_registry.web import srcset
from tests.conftest import make_app

RED, BLUE = (220, 20, 20), (20, 20, 220)
ORIENTATION, GPS_IFD, MAKE = 0x0112, 0x8825, 0x010F


def encode(image: Image.Image, fmt: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def halves(width: int = 200, height: int = 100, mode: str = "RGB") -> Image.Image:
    """Left half red, right half blue: shows where the pixels went after a rotation."""
    image = Image.new(mode, (width, height), RED)
    image.paste(Image.new(mode, (width // 2, height), BLUE), (width // 2, 0))
    return image


def phone_jpeg() -> bytes:
    """A phone photo held upright: stored landscape, EXIF says rotate 90° clockwise, with GPS."""
    exif = Image.Exif()
    exif[ORIENTATION] = 6
    exif[MAKE] = "TestPhone"
    gps = exif.get_ifd(GPS_IFD)
    gps[1], gps[2] = "N", (43.0, 52.0, 0.0)
    return encode(halves(), "JPEG", exif=exif, quality=95)


def png_header(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims ``width``×``height``: a bomb never needs to be decoded."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def written(app) -> list[Path]:
    return sorted(p for p in Path(app.config["MEDIA_ROOT"]).rglob("*") if p.is_file())


def open_variant(asset: MediaAsset, app, name: str) -> Image.Image:
    return Image.open(Path(app.config["MEDIA_ROOT"]) / asset.file_for(name))


@pytest.fixture
def bare(tmp_path):
    """An app whose database has no tables: a refusal must come before any query.

    It also keeps the PostgreSQL run quick, as no database is created for these many cases.
    """
    app = make_app(tmp_path / "bare", "sqlite://")
    with app.app_context():
        yield app


def refusal(data: bytes, field: str = "photo") -> str:
    with pytest.raises(MediaError) as caught:
        store_image(data, field=field)
    assert caught.value.field == field
    assert str(caught.value).startswith(f"{field}: ")
    return caught.value.message


def test_exif_orientation_is_applied_and_all_metadata_is_gone(ctx):
    asset = store_image(phone_jpeg(), field="photo")
    assert (asset.width, asset.height) == (100, 200)
    files = written(ctx)
    assert len(files) == 3 and all(p.suffix == ".jpg" for p in files)
    for path in files:
        with Image.open(path) as image:
            assert image.format == "JPEG"
            assert image.size == (100, 200)
            exif = image.getexif()
            assert dict(exif) == {} and dict(exif.get_ifd(GPS_IFD)) == {}
            assert not {"exif", "icc_profile", "xmp", "comment"} & set(image.info)
            # Rotated clockwise: the left (red) half of the stored picture is now on top.
            rgb = image.convert("RGB")
            assert rgb.getpixel((50, 40))[0] > 180 and rgb.getpixel((50, 160))[2] > 180


def test_png_alpha_is_flattened_onto_white(ctx):
    image = Image.new("RGBA", (120, 120), (0, 0, 0, 0))
    image.paste(Image.new("RGBA", (60, 120), (0, 0, 255, 255)), (60, 0))
    asset = store_image(encode(image, "PNG"))
    with open_variant(asset, ctx, "hero") as hero:
        assert hero.mode == "RGB"
        assert all(channel > 245 for channel in hero.getpixel((10, 60)))  # was transparent black
        assert hero.getpixel((110, 60))[2] > 200


def test_variants_have_their_widths_and_are_jpeg(ctx):
    asset = store_image(encode(halves(2000, 1000), "PNG"))
    assert (asset.width, asset.height) == (2000, 1000)
    expected = {"thumb": (320, 160), "card": (640, 320), "hero": (1280, 640)}
    assert {name: (v["width"], v["height"]) for name, v in asset.variants.items()} == expected
    for name, size in expected.items():
        with open_variant(asset, ctx, name) as image:
            assert image.format == "JPEG" and image.size == size


def test_a_small_picture_is_never_enlarged(ctx):
    asset = store_image(encode(halves(100, 80), "JPEG"))
    assert {v["width"] for v in asset.variants.values()} == {100}


def test_the_same_picture_twice_is_one_asset(ctx):
    data = encode(halves(), "PNG")
    first = store_image(data)
    db.session.commit()
    second = store_image(data)
    db.session.commit()
    assert second.id == first.id
    assert db.session.scalar(select(func.count()).select_from(MediaAsset)) == 1
    assert len(written(ctx)) == 3


def test_an_animated_gif_keeps_its_first_frame(ctx):
    frames = [Image.new("RGB", (100, 100), RED), Image.new("RGB", (100, 100), BLUE)]
    data = encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    asset = store_image(data)
    with open_variant(asset, ctx, "hero") as hero:
        red, _, blue = hero.getpixel((50, 50))
        assert red > 180 and blue < 80


def test_a_multi_picture_jpeg_from_a_phone_keeps_its_first_frame(ctx):
    # Many phones save MPO: the photo, then a depth map or second view appended as further frames.
    frames = [halves(200, 100), Image.new("RGB", (200, 100), BLUE)]
    data = encode(frames[0], "MPO", save_all=True, append_images=frames[1:], quality=95)
    with Image.open(io.BytesIO(data)) as probe:
        assert probe.format == "MPO" and probe.n_frames == 2
    asset = store_image(data, field="photo")
    assert (asset.width, asset.height) == (200, 100)
    with open_variant(asset, ctx, "hero") as hero:
        assert hero.format == "JPEG" and getattr(hero, "n_frames", 1) == 1
        assert hero.getpixel((20, 50))[0] > 180  # the first frame's red half, not the blue frame


def truncated_jpeg() -> bytes:
    data = encode(Image.effect_noise((400, 400), 64).convert("RGB"), "JPEG")
    return data[: len(data) // 2]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "请选择一张图片"),
        (bytes(range(256)) * 8, "无法识别的图片文件"),
        ("这不是图片，只是改了扩展名的文本。\n".encode() * 20, "无法识别的图片文件"),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg" width="800" height="600">'
            b"<script>alert(1)</script></svg>",
            "无法识别的图片文件",
        ),
        (b"<!DOCTYPE html><html><body><img src=x onerror=alert(1)></body></html>", "无法识别"),
        (truncated_jpeg(), "图片文件已损坏或不完整"),
        (encode(halves(300, 40), "PNG"), "图片太小（300×40），短边至少 64 像素"),
        (encode(halves(200, 100), "BMP"), "不支持的图片格式"),
        (encode(halves(200, 100), "TIFF"), "不支持的图片格式"),
        # Over MEDIA_MAX_PIXELS (40 M) but under Pillow's own limit: our header check.
        (png_header(8000, 6000), "图片尺寸过大（8000×6000）"),
        # Over Pillow's warning limit (89 M) and over its hard limit (179 M).
        (png_header(10000, 10000), "图片尺寸过大"),
        (png_header(20000, 20000), "图片尺寸过大"),
    ],
    ids=[
        "empty",
        "random",
        "text-renamed",
        "svg",
        "html",
        "truncated-jpeg",
        "too-small",
        "bmp",
        "tiff",
        "over-max-pixels",
        "bomb-warning",
        "bomb-error",
    ],
)
def test_bad_files_are_refused_in_chinese_naming_the_field(bare, data, expected):
    assert refusal(data).startswith(expected)
    assert written(bare) == [] and not db.session.new


def test_a_real_compressed_bomb_is_refused(bare):
    # 20000×20000 one-bit pixels compress to ~50 kB: small on the wire, 1.2 GB once decoded as RGB.
    data = encode(Image.new("1", (20000, 20000)), "PNG")
    assert len(data) < 100_000
    assert refusal(data).startswith("图片尺寸过大")


def test_the_configured_pixel_limit_applies_to_real_pictures(ctx):
    ctx.config["MEDIA_MAX_PIXELS"] = 150 * 150
    assert refusal(encode(halves(200, 200), "PNG")) == "图片尺寸过大（200×200），请缩小后再上传"
    assert store_image(encode(halves(150, 150), "PNG")).width == 150


def test_a_file_over_the_byte_limit_is_refused_before_decoding(bare):
    bare.config["MEDIA_MAX_BYTES"] = 2048
    big = encode(Image.effect_noise((200, 200), 64).convert("RGB"), "PNG")
    assert len(big) > 2048
    assert refusal(big) == "图片不能超过 2 KB"
    bare.config["MEDIA_MAX_BYTES"] = 12 * 1024 * 1024
    assert refusal(b"x" * (12 * 1024 * 1024 + 1)) == "图片不能超过 12 MB"


def test_the_media_route_serves_variants_with_a_long_cache(ctx):
    asset = store_image(encode(halves(), "JPEG"))
    db.session.commit()
    with ctx.test_client().get(f"/media/{asset.file_for('thumb')}") as response:
        assert response.status_code == 200
        assert response.mimetype == "image/jpeg"
        assert response.cache_control.max_age == 31536000 and response.cache_control.public
        assert Image.open(io.BytesIO(response.data)).size == (200, 100)


@pytest.mark.parametrize(
    "url",
    [
        "/media/ab/missing-thumb.jpg",
        "/media/../config.py",
        "/media/%2e%2e/secret_key",
        "/media/..%2fsecret_key",
        "/media/%2e%2e%2fsecret_key",
    ],
)
def test_the_media_route_404s_for_missing_files_and_traversal(bare, url):
    instance = Path(bare.instance_path)
    (instance / "secret_key").write_text("do-not-serve", encoding="ascii")
    (instance / "config.py").write_text("SECRET = 1\n", encoding="ascii")
    Path(bare.config["MEDIA_ROOT"]).mkdir(parents=True, exist_ok=True)
    with bare.test_client().get(url) as response:
        assert response.status_code == 404
        assert b"do-not-serve" not in response.data and b"SECRET" not in response.data


def swapped_primaries_profile() -> bytes:
    """An RGB ICC profile whose red and blue primaries are swapped: red pixels mean blue.

    Built from Pillow's sRGB profile by swapping the offsets of its rXYZ and bXYZ tags, so a
    conversion to sRGB must visibly change the pixels.
    """
    from PIL import ImageCms

    data = bytearray(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    count = struct.unpack(">I", data[128:132])[0]
    entries = {}
    for index in range(count):
        at = 132 + 12 * index
        entries[bytes(data[at : at + 4])] = at
    red, blue = entries[b"rXYZ"], entries[b"bXYZ"]
    data[red + 4 : red + 12], data[blue + 4 : blue + 12] = (
        data[blue + 4 : blue + 12],
        data[red + 4 : red + 12],
    )
    return bytes(data)


def test_an_embedded_colour_profile_is_converted_to_srgb(ctx):
    buffer = io.BytesIO()
    Image.new("RGB", (200, 200), (220, 0, 0)).save(
        buffer, "JPEG", quality=95, icc_profile=swapped_primaries_profile()
    )
    asset = store_image(buffer.getvalue())
    with Image.open(Path(ctx.config["MEDIA_ROOT"]) / asset.file_for("card")) as out:
        assert "icc_profile" not in out.info
        red, _green, blue = out.convert("RGB").getpixel((100, 100))
    assert blue > 150 and red < 80  # "red" in the swapped profile is blue in sRGB


def test_a_png_with_a_transparent_colour_key_is_flattened_onto_white(ctx):
    image = Image.new("RGB", (100, 100), (0, 255, 0))
    buffer = io.BytesIO()
    image.save(buffer, "PNG", transparency=(0, 255, 0))
    asset = store_image(buffer.getvalue())
    with Image.open(Path(ctx.config["MEDIA_ROOT"]) / asset.file_for("thumb")) as out:
        red, green, blue = out.convert("RGB").getpixel((50, 50))
    assert min(red, green, blue) > 240


# --- modes that Pillow decodes differently ---------------------------------------------------------


def centre(asset: MediaAsset, app, name: str = "thumb") -> tuple[int, int, int]:
    with open_variant(asset, app, name) as image:
        return image.convert("RGB").getpixel((image.width // 2, image.height // 2))


def test_a_16_bit_grey_png_keeps_its_grey(ctx):
    # Pillow's own conversion clips 16-bit samples at 255: this picture used to come out white.
    asset = store_image(media_memory.png_gray16(200, 100, 128 * 257))
    assert all(abs(channel - 128) <= 2 for channel in centre(asset, ctx))


def test_a_16_bit_rgb_png_keeps_its_colours(ctx):
    asset = store_image(media_memory.png_rgb16(300, 100))
    with open_variant(asset, ctx, "hero") as hero:
        red, blue = hero.getpixel((40, 50)), hero.getpixel((260, 50))
    assert red[0] > 180 and red[2] < 60 and blue[2] > 180 and blue[0] < 60


def test_a_palette_png_with_a_transparent_entry_is_flattened_onto_white(ctx):
    asset = store_image(media_memory.png_palette_transparent(300, 100))
    with open_variant(asset, ctx, "hero") as hero:
        clear, red, blue = (hero.getpixel((x, 50)) for x in (40, 150, 260))
    assert min(clear) > 240 and red[0] > 180 and red[2] < 60 and blue[2] > 180


def cmyk_jpeg(profile: bytes | None) -> bytes:
    cyan = Image.new("CMYK", (200, 200), (255, 0, 0, 0))
    return encode(cyan, "JPEG", quality=95, **({"icc_profile": profile} if profile else {}))


def test_a_cmyk_jpeg_is_converted_with_its_profile(ctx):
    # The test profile swaps cyan and magenta: the result shows the profile was used.
    red, green, blue = centre(store_image(cmyk_jpeg(media_memory.cmyk_profile(swap=True))), ctx)
    assert red > 200 and green < 60 and blue > 200


def test_a_cmyk_jpeg_without_a_profile_takes_the_plain_conversion(ctx):
    red, green, blue = centre(store_image(cmyk_jpeg(None)), ctx)
    assert red < 60 and green > 200 and blue > 200


# --- bounded memory ---------------------------------------------------------------------------------

MIB = 1024 * 1024
# Decoding the 6300×6300 RGB PNG alone takes 6300 × 6300 × 4 bytes (Pillow keeps RGB in 32 bits):
# 151 MiB, whatever reads it. The pipeline adds bands, the largest stored size and the encoders
# (about 18 MiB measured), but must never make a second full-size copy, another 151 MiB: each full-size
# step of the earlier pipeline (EXIF transpose, flatten, resize) did, and it peaked at 304 MiB.
DECODED_6300 = 6300 * 6300 * 4
MEMORY_BOUND_6300 = 200 * MIB


def test_a_6300_square_png_is_ingested_within_its_memory_bound(tmp_path):
    path = tmp_path / "big.png"
    path.write_bytes(media_memory.png_rgb(6300, 6300))
    assert path.stat().st_size < 300_000  # tiny on the wire, like the probe's 154 KB
    result = media_memory.measure(path, "ingest")  # a fresh process: its own high-water mark
    assert (result["width"], result["height"]) == (2560, 2560)
    # Below the decoded size, the measure itself would be broken (it must see the decode).
    assert DECODED_6300 * 0.9 < result["growth"] < MEMORY_BOUND_6300


def test_a_large_jpeg_is_decoded_at_reduced_scale_within_the_limit(ctx):
    ctx.config["MEDIA_MAX_PIXELS"] = 3_000_000
    picture = halves(5200, 2000)
    # A PNG is decoded whole: 10.4 MP, over the limit.
    assert refusal(encode(picture, "PNG")) == "图片尺寸过大（5200×2000），请缩小后再上传"
    # The JPEG is decoded at half scale, 2600×1000, still twice the largest size stored.
    asset = store_image(encode(picture, "JPEG", quality=90))
    assert (asset.width, asset.height) == (2560, 985)
    assert asset.variants["hero"]["width"] == 1280


def test_a_large_sideways_photo_gets_upright_sizes(ctx):
    exif = Image.Exif()
    exif[ORIENTATION] = 6
    asset = store_image(encode(halves(5200, 2000), "JPEG", exif=exif, quality=90))
    assert (asset.width, asset.height) == (985, 2560)
    sizes = {name: (v["width"], v["height"]) for name, v in asset.variants.items()}
    assert sizes == {"hero": (985, 2560), "card": (640, 1663), "thumb": (320, 832)}
    with open_variant(asset, ctx, "hero") as hero:
        assert hero.size == (985, 2560)
        top, bottom = hero.getpixel((492, 400)), hero.getpixel((492, 2160))
    assert top[0] > 180 and bottom[2] > 180  # turned clockwise: the left (red) half on top


def test_a_webp_counts_the_copies_its_reader_makes(ctx):
    # Pillow holds a WebP four times over while decoding it, so it gets a quarter of the pixels.
    ctx.config["MEDIA_MAX_PIXELS"] = 40_000
    assert store_image(encode(halves(150, 150), "PNG")).width == 150
    webp = encode(halves(150, 150), "WEBP")
    assert refusal(webp) == "图片尺寸过大（150×150），请缩小后再上传"
    ctx.config["MEDIA_MAX_PIXELS"] = 4 * 150 * 150
    assert store_image(webp).width == 150


@pytest.mark.parametrize(
    ("mode", "fmt", "per_pixel"),
    [
        ("P", "PNG", 1),
        ("L", "PNG", 1),
        ("I;16", "PNG", 2),
        ("LA", "PNG", 4),
        ("RGB", "PNG", 4),
        ("RGB", "WEBP", 16),
        ("CMYK", "JPEG", 4),
    ],
)
def test_the_decoded_size_is_known_before_decoding(mode, fmt, per_pixel):
    image = Image.open(io.BytesIO(encode(Image.new(mode, (300, 200)), fmt)))
    assert decoded_bytes(image) == 300 * 200 * per_pixel
    image.load()  # the estimate was made in the mode Pillow then decodes into
    assert image.mode == mode


def test_shrinking_band_by_band_equals_one_whole_resize(monkeypatch):
    monkeypatch.setattr(media, "BAND_PIXELS", 30_000)  # dozens of bands
    bands = []
    working = media._working
    monkeypatch.setattr(media, "_working", lambda band: bands.append(band.size) or working(band))
    planes = [Image.effect_noise((900, 700), 90) for _ in range(3)]
    image = Image.merge("RGB", planes)
    banded = media._shrink(image, (256, 199), (900.0, 700.0))
    assert len(bands) >= 10 and all(height < 700 for _width, height in bands)  # really banded
    whole = image.resize((256, 199), Image.Resampling.LANCZOS)
    assert max(high for _low, high in ImageChops.difference(banded, whole).getextrema()) <= 1


def test_the_pipeline_needs_no_application():
    processed = process_image(encode(halves(), "PNG"), max_pixels=100_000, max_bytes=100_000)
    assert (processed.width, processed.height) == (200, 100)
    assert [v.name for v in processed.variants] == ["hero", "card", "thumb"]
    assert all(v.data.startswith(b"\xff\xd8") for v in processed.variants)  # JPEG
    assert processed.sha256 == process_image(encode(halves(), "PNG")).sha256


# --- storing and attaching ---------------------------------------------------------------------------


def test_a_lost_file_is_written_again(ctx):
    data = encode(halves(), "PNG")
    asset = store_image(data)
    db.session.commit()
    lost = Path(ctx.config["MEDIA_ROOT"]) / asset.file_for("card")
    lost.unlink()
    assert store_image(data).id == asset.id
    with Image.open(lost) as image:
        assert image.size == (200, 100)


def test_media_error_is_the_same_class_through_the_services():
    assert services.media.MediaError is MediaError


def first(model):
    return db.session.scalars(select(model).order_by(model.id)).first()


@pytest.mark.parametrize("model", [GIProduct, Brand, Listing])
def test_attach_and_remove_keep_positions_in_order(sample_ctx, model):
    record = first(model)
    before = [link.media_id for link in record.images]
    red = store_image(encode(halves(), "PNG"))
    blue = store_image(encode(Image.new("RGB", (100, 100), BLUE), "PNG"))
    last = attach_image(record, red, alt=" 红色示意图 ")
    assert last.alt == "红色示意图" and record.images[-1] is last
    assert attach_image(record, red, alt="再来一次") is last  # already shown: no change
    attach_image(record, blue, alt="蓝色示意图", position=0)
    db.session.flush()
    assert [link.media_id for link in record.images] == [blue.id, *before, red.id]
    assert [link.position for link in record.images] == list(range(len(before) + 2))
    assert remove_image(record, blue.id) and not remove_image(record, blue.id)
    db.session.commit()
    db.session.expire_all()
    record = db.session.get(model, record.id)
    assert [link.media_id for link in record.images] == [*before, red.id]
    assert [link.position for link in record.images] == list(range(len(before) + 1))
    assert db.session.get(MediaAsset, blue.id) is not None  # other records may still show it


def test_an_overlong_alt_is_refused_naming_the_field(sample_ctx):
    record = first(GIProduct)
    asset = store_image(encode(halves(), "PNG"))
    with pytest.raises(ValidationError) as caught:
        attach_image(record, asset, alt="说明" * 101)
    assert list(caught.value.errors) == ["alt"] and "200" in caught.value.errors["alt"]
    assert all(link.media is not asset for link in record.images)


def test_srcset_lists_every_size_smallest_first(ctx):
    asset = store_image(encode(halves(2000, 1000), "PNG"))
    with ctx.test_request_context():
        expected = ", ".join(
            f"{url_for('media.file', filename=asset.file_for(name))} {width}w"
            for name, width in (("thumb", 320), ("card", 640), ("hero", 1280))
        )
        assert srcset(asset) == expected
        assert expected.startswith("/media/")


def test_media_check_names_missing_and_damaged_files_and_the_records_showing_them(sample_app):
    runner = sample_app.test_cli_runner()
    intact = runner.invoke(args=["media", "check", "--deep"])
    assert intact.exit_code == 0 and "图片文件完整" in intact.output
    with sample_app.app_context():
        product = db.session.scalar(select(GIProduct).where(GIProduct.images.any()))
        asset = product.images[0].media
        root = Path(sample_app.config["MEDIA_ROOT"])
        missing, damaged = asset.file_for("card"), asset.file_for("thumb")
        slug = product.slug
    (root / missing).unlink()
    (root / damaged).write_bytes(b"\xff\xd8\xff not a whole jpeg")
    (root / "ab").mkdir(exist_ok=True)
    (root / "ab" / "leftover.jpg.part").write_bytes(b"x")

    shallow = runner.invoke(args=["media", "check"])
    assert shallow.exit_code == 1
    assert f"{missing}: 文件缺失" in shallow.output and f"products/{slug}" in shallow.output
    assert damaged not in shallow.output  # only a decode finds a damaged file
    assert "1 个未写完的临时文件" in shallow.output
    deep = runner.invoke(args=["media", "check", "--deep"])
    assert deep.exit_code == 1 and f"{damaged}: 文件损坏" in deep.output
    assert "2 个图片文件缺失或损坏" in deep.output

    # The shipped sample's pictures are written again by load-sample (the damaged one is replaced
    # only once it is removed: a file's name is its content, so one that is there is trusted).
    (root / damaged).unlink()
    assert runner.invoke(args=["load-sample"]).exit_code == 0
    restored = runner.invoke(args=["media", "check", "--deep"])
    assert restored.exit_code == 0, restored.output
