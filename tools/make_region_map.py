#!/usr/bin/env python3
"""Turn the Jilin prefecture boundaries shipped in the echarts 4.9.0 npm package into the small SVG
path file the site draws its map from (gi_registry/data/jilin_prefectures.json).

Run once, offline; the output is committed, so the site never needs the package:

    npm pack echarts@4.9.0            # echarts-4.9.0.tgz, Apache-2.0
    python tools/make_region_map.py echarts-4.9.0.tgz

The package's map/json/province/jilin.json holds one feature per prefecture (id = GB/T 2260 code) with
coordinates in echarts' "UTF8Encoding" (zigzag, delta, 1/1024 degree steps). This script decodes it
exactly as echarts' src/coord/geo/parseGeoJson.js does, projects longitude and latitude onto a plane
(equirectangular, longitude scaled by the cosine of the middle latitude, so shapes are not stretched),
simplifies each ring (Douglas-Peucker, tolerance in output pixels), drops slivers smaller than a pixel,
and writes one path per prefecture. Standard library only.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys
import tarfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
MEMBER = "package/map/json/province/jilin.json"
OUTPUT = REPO / "gi_registry" / "data" / "jilin_prefectures.json"
DIVISIONS = REPO / "gi_registry" / "data" / "cn_divisions.csv"
PROVINCE = "220000"
WIDTH = 600.0  # viewBox width; the height follows the province's shape
MARGIN = 6.0
TOLERANCE = 0.8  # px: invisible at the map's largest size, and it cuts the points tenfold
MIN_AREA = 4.0  # px²: rings smaller than this are slivers along rivers, not places

Point = tuple[float, float]


def load_geojson(source: Path) -> dict:
    if source.suffix in {".tgz", ".gz"}:
        with tarfile.open(source) as archive:
            member = archive.extractfile(MEMBER)
            if member is None:
                sys.exit(f"{source} has no {MEMBER}")
            return json.load(member)
    return json.loads(source.read_text(encoding="utf-8"))


def decode_ring(encoded: str, offsets: list[int], scale: float) -> list[Point]:
    """echarts' decodePolygon: pairs of characters, each zigzag-coded and a delta from the last."""
    x, y = offsets
    points = []
    for i in range(0, len(encoded), 2):
        dx = ord(encoded[i]) - 64
        dy = ord(encoded[i + 1]) - 64
        x += (dx >> 1) ^ -(dx & 1)
        y += (dy >> 1) ^ -(dy & 1)
        points.append((x / scale, y / scale))
    return points


def polygons(feature: dict, scale: float) -> list[list[list[Point]]]:
    """The feature's polygons, each a list of rings (outer first), in degrees."""
    geometry = feature["geometry"]
    coordinates, offsets = geometry["coordinates"], geometry["encodeOffsets"]
    if geometry["type"] == "Polygon":
        return [[decode_ring(r, o, scale) for r, o in zip(coordinates, offsets, strict=True)]]
    return [
        [decode_ring(r, o, scale) for r, o in zip(rings, ring_offsets, strict=True)]
        for rings, ring_offsets in zip(coordinates, offsets, strict=True)
    ]


def simplify(points: list[Point], tolerance: float) -> list[Point]:
    """Douglas-Peucker, iterative (a ring may have thousands of points)."""
    if len(points) < 3:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (x1, y1), (x2, y2) = points[first], points[last]
        length = math.hypot(x2 - x1, y2 - y1)
        worst, worst_at = 0.0, -1
        for i in range(first + 1, last):
            px, py = points[i]
            if length == 0:
                distance = math.hypot(px - x1, py - y1)
            else:
                distance = abs((x2 - x1) * (y1 - py) - (x1 - px) * (y2 - y1)) / length
            if distance > worst:
                worst, worst_at = distance, i
        if worst > tolerance:
            keep[worst_at] = True
            stack += [(first, worst_at), (worst_at, last)]
    return [p for p, kept in zip(points, keep, strict=True) if kept]


def area(points: list[Point]) -> float:
    return abs(
        sum(
            x1 * y2 - x2 * y1
            for (x1, y1), (x2, y2) in zip(points, points[1:] + points[:1], strict=True)
        )
        / 2
    )


def centroid(points: list[Point]) -> Point:
    """The area centroid of a simple ring: where a label sits (echarts' own "cp" points crowd
    通化 and 白山 into one corner)."""
    twice_area = cx = cy = 0.0
    for (x1, y1), (x2, y2) in zip(points, points[1:] + points[:1], strict=True):
        cross = x1 * y2 - x2 * y1
        twice_area += cross
        cx += (x1 + x2) * cross
        cy += (y1 + y2) * cross
    return (cx / (3 * twice_area), cy / (3 * twice_area))


def path_data(rings: list[list[Point]]) -> str:
    def number(v: float) -> str:
        return f"{v:.1f}".rstrip("0").rstrip(".")

    parts = []
    for ring in rings:
        head, *rest = ring
        parts.append(
            f"M{number(head[0])} {number(head[1])}"
            + "L"
            + " ".join(f"{number(x)} {number(y)}" for x, y in rest)
            + "Z"
        )
    return "".join(parts)


def prefecture_names() -> dict[str, str]:
    with DIVISIONS.open(encoding="utf-8") as f:
        return {
            row["code"]: row["name"]
            for row in csv.DictReader(f)
            if row["level"] == "prefecture" and row["parent_code"] == PROVINCE
        }


def convert(geojson: dict) -> dict:
    scale = float(geojson.get("UTF8Scale") or 1024)
    shapes = {f["id"]: (f["properties"], polygons(f, scale)) for f in geojson["features"]}
    expected = prefecture_names()
    if set(shapes) != set(expected):
        sys.exit(f"codes differ from cn_divisions.csv: {sorted(set(shapes) ^ set(expected))}")

    every = [p for _, polys in shapes.values() for poly in polys for ring in poly for p in ring]
    west, east = min(p[0] for p in every), max(p[0] for p in every)
    south, north = min(p[1] for p in every), max(p[1] for p in every)
    squeeze = math.cos(math.radians((south + north) / 2))
    k = (WIDTH - 2 * MARGIN) / ((east - west) * squeeze)
    height = round((north - south) * k + 2 * MARGIN, 1)

    def project(point: Point) -> Point:
        lon, lat = point
        return (MARGIN + (lon - west) * squeeze * k, MARGIN + (north - lat) * k)

    regions, kept_points, source_points = {}, 0, len(every)
    for code in sorted(shapes):
        _, polys = shapes[code]
        rings = []
        for poly in polys:
            for ring in poly:
                simple = simplify([project(p) for p in ring], TOLERANCE)
                if len(simple) >= 4 and area(simple) >= MIN_AREA:
                    rings.append(simple[:-1] if simple[0] == simple[-1] else simple)
        kept_points += sum(len(r) for r in rings)
        label = centroid(max(rings, key=area))
        regions[code] = {
            "name": expected[code],
            "d": path_data(rings),
            "label": [round(label[0], 1), round(label[1], 1)],
        }
    print(f"{source_points} points in, {kept_points} out", file=sys.stderr)
    return {
        "province": PROVINCE,
        "source": "echarts 4.9.0 (npm, Apache-2.0), map/json/province/jilin.json",
        "view_box": [0, 0, WIDTH, height],
        "regions": regions,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="echarts-4.9.0.tgz or its jilin.json")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args()
    result = convert(load_geojson(args.source))
    args.output.write_text(
        json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    print(f"wrote {args.output} ({args.output.stat().st_size} bytes)", file=sys.stderr)


if __name__ == "__main__":
    main()
