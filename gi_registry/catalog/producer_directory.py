"""The producer directory: public producers filtered by region, kind and the GI they may use today.

A row shows name, kind, region and the GIs the producer may use today, never contact details
(``models.producers.CONTACT_FIELDS``): those stay on the producer's own page.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date

from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload
from werkzeug.datastructures import MultiDict

from gi_registry import vocab
from gi_registry.catalog.queries import (
    public_producers,
    public_products,
    region_family,
    region_name_options,
)
from gi_registry.extensions import db
from gi_registry.models import Authorization, GIProduct, Producer
from gi_registry.models.regions import find_region
from gi_registry.models.visibility import (
    authorization_valid_on,
    producer_is_public,
    product_is_public,
)


@dataclass(frozen=True)
class ProducerFilters:
    region: str | None = None
    kind: str | None = None
    gi: str | None = None  # a product slug: producers that may use its mark today

    def query_args(self) -> dict[str, str]:
        return {name: value for name, value in asdict(self).items() if value}

    @property
    def active(self) -> bool:
        return bool(self.query_args())


def producer_filters(args: MultiDict) -> ProducerFilters:
    """The page's filters; an unknown value is dropped (the list shows everything) rather than
    failing, as on the product list."""
    region = args.get("region") or None
    kind = args.get("kind") or None
    gi = args.get("gi") or None
    if region and find_region(region) is None:
        region = None
    if kind not in vocab.PRODUCER_KINDS:
        kind = None
    if gi and not (len(gi) <= 80 and db.session.scalar(_public_product_id(gi))):
        gi = None
    return ProducerFilters(region=region, kind=kind, gi=gi)


def _public_product_id(slug: str) -> Select:
    return select(GIProduct.id).where(GIProduct.slug == slug, product_is_public())


def directory(filters: ProducerFilters, today: date) -> Select:
    """Public producers by name, with their region names and authorisations loaded for the row."""
    query = public_producers()
    if filters.region:
        below, _ = region_family(filters.region)
        query = query.where(Producer.region_code.in_(below))
    if filters.kind:
        query = query.where(Producer.kind == filters.kind)
    if filters.gi:
        query = query.where(
            Producer.authorizations.any(
                (Authorization.product_id == _public_product_id(filters.gi).scalar_subquery())
                & authorization_valid_on(today)
            )
        )
    return query.options(
        region_name_options(Producer.region),
        selectinload(Producer.authorizations).selectinload(Authorization.product),
    ).order_by(Producer.name_pinyin, Producer.id)


def usable_today(producer: Producer, today: date) -> list[GIProduct]:
    """The public GIs whose mark the producer may use today (from the loaded authorisations)."""
    return [
        a.product for a in producer.authorizations if a.is_valid_on(today) and a.product.is_public
    ]


def authorised_products(today: date) -> list[GIProduct]:
    """Public GIs that at least one public producer may use today: the choices of the GI filter."""
    holders = (
        select(Authorization.product_id)
        .join(Authorization.producer)
        .where(producer_is_public(), authorization_valid_on(today))
    )
    return list(
        db.session.scalars(
            public_products()
            .where(GIProduct.id.in_(holders))
            .order_by(GIProduct.name_pinyin, GIProduct.id)
        )
    )
