"""All models, imported here so that SQLAlchemy and Alembic see every table."""

from gi_registry.models.accounts import Invitation, LoginFailure, User
from gi_registry.models.audit import AuditEntry, WriteLock
from gi_registry.models.base import now_utc
from gi_registry.models.batches import TraceBatch, TraceScan
from gi_registry.models.brands import Brand, brand_producers, brand_products
from gi_registry.models.catalog import GIProduct, Protection, product_regions
from gi_registry.models.inquiries import InquiryMessage, InquiryThread
from gi_registry.models.listings import Listing, ListingStat
from gi_registry.models.media import BrandImage, ListingImage, MediaAsset, ProductImage
from gi_registry.models.producers import Authorization, Producer
from gi_registry.models.promotion import Event, FeatureSlot, Story, story_brands, story_products
from gi_registry.models.regions import Category, Region
from gi_registry.models.reports import MisuseReport, ReportNote
from gi_registry.models.search import SearchOutbox
from gi_registry.models.stations import (
    GuidanceRequest,
    GuidanceStation,
    station_brands,
    station_producers,
)

__all__ = [
    "AuditEntry",
    "Authorization",
    "Brand",
    "BrandImage",
    "Category",
    "Event",
    "FeatureSlot",
    "GIProduct",
    "GuidanceRequest",
    "GuidanceStation",
    "InquiryMessage",
    "InquiryThread",
    "Invitation",
    "Listing",
    "ListingImage",
    "ListingStat",
    "LoginFailure",
    "MediaAsset",
    "MisuseReport",
    "Producer",
    "ProductImage",
    "Protection",
    "Region",
    "ReportNote",
    "SearchOutbox",
    "Story",
    "TraceBatch",
    "TraceScan",
    "User",
    "WriteLock",
    "brand_producers",
    "brand_products",
    "now_utc",
    "product_regions",
    "station_brands",
    "station_producers",
    "story_brands",
    "story_products",
]
