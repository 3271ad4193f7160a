"""Administrative divisions (GB/T 2260) and product categories: reference data."""

from __future__ import annotations

import re

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gi_registry.extensions import db
from gi_registry.models.base import choice

REGION_LEVELS = ("province", "prefecture", "county")
# Used with fullmatch: `$` would accept a trailing newline, and `\d` the full-width digits (２２００００).
REGION_CODE_RE = re.compile(r"[0-9]{6}")


class Region(db.Model):
    __tablename__ = "regions"

    code: Mapped[str] = mapped_column(sa.String(6), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(64))
    level: Mapped[str] = mapped_column(choice("region_level", REGION_LEVELS))
    parent_code: Mapped[str | None] = mapped_column(sa.ForeignKey("regions.code"), index=True)

    parent: Mapped[Region | None] = relationship(remote_side=[code], back_populates="children")
    children: Mapped[list[Region]] = relationship(back_populates="parent", order_by="Region.code")

    def lineage(self) -> list[Region]:
        """This region and its ancestors, province first.

        Stops at an empty parent and at a cycle: imported data may name a region as its own parent.
        """
        chain: list[Region] = []
        seen: set[str] = set()
        node: Region | None = self
        while node is not None and node.code not in seen:
            seen.add(node.code)
            chain.append(node)
            node = node.parent
        return list(reversed(chain))

    @property
    def full_name(self) -> str:
        return "".join(r.name for r in self.lineage() if r.name != "市辖区")

    def __repr__(self) -> str:
        return f"<Region {self.code} {self.name}>"


class Category(db.Model):
    """A product class such as grain or medicinal herbs (产品类别)."""

    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(32), unique=True)
    name_zh: Mapped[str] = mapped_column(sa.String(32), unique=True)
    name_en: Mapped[str] = mapped_column(sa.String(64))
    position: Mapped[int] = mapped_column(default=0)

    def __repr__(self) -> str:
        return f"<Category {self.code}>"


def is_region_code(value: str) -> bool:
    return REGION_CODE_RE.fullmatch(value) is not None


def find_region(code: str | None) -> Region | None:
    """The region with this code; None for a missing, unknown or malformed one. A malformed code
    never reaches the database (PostgreSQL refuses text with a NUL in it: a 500)."""
    return db.session.get(Region, code) if code and is_region_code(code) else None


def region_tree(code: str) -> dict[str, str | None]:
    """The region and every region below it, as code → parent code (None for the region itself).

    Walks ``parent_code`` links, not code prefixes, one statement per level; a cycle in imported data
    ends the walk instead of looping.
    """
    tree: dict[str, str | None] = {code: None}
    frontier = [code]
    while frontier:
        rows = db.session.execute(
            sa.select(Region.code, Region.parent_code).where(Region.parent_code.in_(frontier))
        ).all()
        frontier = [child for child, _ in rows if child not in tree]
        tree.update((child, parent) for child, parent in rows if child in frontier)
    return tree


def region_family(code: str) -> tuple[list[str], list[str]]:
    """(the region and everything below it, the regions above it). Walks links, not code prefixes."""
    below = list(region_tree(code))
    region = db.session.get(Region, code)
    above = [r.code for r in region.lineage()[:-1]] if region else []
    return below, above
