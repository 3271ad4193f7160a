"""专用标志核验: may this producer use the GI special mark today? Plain functions, no web code.

A visitor asks by 统一社会信用代码, by authorisation number, or by the QR token printed on a pack.
Each authorisation's own state comes from ``catalog.queries.mark_status`` (one rule with the
producer page); this module only decides what the public is shown and sums the states up.

What the public sees:
- A producer that is not public (pending, suspended, archived) is answered ``not_authorized`` with
  no details: it may not use the mark, and its name and record stay private.
- An authorisation for a draft or archived product is left out, as on the producer page; a token of
  one answers ``not_authorized``.
- A well-formed code, number or token the register does not hold answers ``unknown``.

Precedence when a producer holds several authorisations (each is listed with its own state):
``authorized`` if any one is valid today; otherwise the most serious reason, revoked before
suspended before expired; a producer whose only authorisations have not started yet, or who has
none, is ``not_authorized``.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager

from gi_registry.catalog.queries import mark_status, public_authorizations
from gi_registry.credit_code import (
    CreditCodeError,
    is_valid_credit_code,
    normalize_credit_code,
    verify_credit_code,
)
from gi_registry.extensions import db
from gi_registry.localtime import local_today
from gi_registry.models import Authorization, GIProduct, Producer
from gi_registry.models.visibility import producer_is_public, product_is_public
from gi_registry.paging import ParamError

STATUSES = ("authorized", "expired", "suspended", "revoked", "not_authorized", "unknown")
# An authorisation's own state, in the API's words: mark_status says "valid" and "not_yet".
AUTH_STATES = {"valid": "authorized", "not_yet": "not_yet_valid"}
# Most serious first: the overall answer when nothing is valid today.
SEVERITY = ("revoked", "suspended", "expired")
NUMBER_CHARS = 64  # Authorization.number's column
TOKEN_CHARS = 32  # Authorization.verify_token's column


@dataclass(frozen=True)
class AuthorizationState:
    authorization: Authorization
    status: str  # authorized | not_yet_valid | expired | suspended | revoked


@dataclass(frozen=True)
class Verdict:
    """The answer to one check. ``producer`` is None when nothing may be shown about one."""

    status: str
    by: str  # credit_code | number | token
    query: str
    producer: Producer | None = None
    authorizations: list[AuthorizationState] = field(default_factory=list)

    @property
    def producers(self) -> list[Producer]:
        """The producers named by the answer (a number might, in error, be held by two)."""
        seen: dict[int, Producer] = {}
        for state in self.authorizations:
            seen.setdefault(state.authorization.producer.id, state.authorization.producer)
        if self.producer is not None:
            seen.setdefault(self.producer.id, self.producer)
        return list(seen.values())


def overall_status(states: list[str]) -> str:
    """Sum up the authorisations' states (see the module's docstring for the order)."""
    if "authorized" in states:
        return "authorized"
    for status in SEVERITY:
        if status in states:
            return status
    return "not_authorized"


def auth_state(auth: Authorization, today: date) -> AuthorizationState:
    state = mark_status(auth, today)
    return AuthorizationState(auth, AUTH_STATES.get(state, state))


def clean_credit_code(raw: str | None) -> str:
    """The normalised code, or ParamError naming the field: a typo is not an unknown producer."""
    if not raw or not raw.strip():
        raise ParamError("credit_code", "请输入统一社会信用代码")
    try:
        return verify_credit_code(raw)
    except CreditCodeError as error:
        raise ParamError("credit_code", str(error)) from None


def clean_text(field_name: str, raw: str | None, limit: int, label: str) -> str:
    """Trimmed NFKC text within the column's length. Control characters are refused: no stored
    number holds one, and PostgreSQL would refuse a NUL in a query."""
    value = unicodedata.normalize("NFKC", (raw or "")[: limit * 4]).strip()
    if not value:
        raise ParamError(field_name, f"请输入{label}")
    if len(value) > limit:
        raise ParamError(field_name, f"{label}最长{limit}个字符")
    if not value.isprintable():
        raise ParamError(field_name, f"{label}含有不可见的控制字符")
    return value


def by_credit_code(raw: str | None, today: date | None = None) -> Verdict:
    code = clean_credit_code(raw)
    producer = db.session.scalar(select(Producer).where(Producer.credit_code == code))
    if producer is None:
        return Verdict("unknown", "credit_code", code)
    if not producer.is_public:
        return Verdict("not_authorized", "credit_code", code)
    today = today or local_today()
    states = [auth_state(auth, today) for auth in public_authorizations(producer)]
    return Verdict(
        overall_status([s.status for s in states]), "credit_code", code, producer, states
    )


def by_number(raw: str | None, today: date | None = None) -> Verdict:
    """Numbers are stored as printed; spaces typed or printed differently do not stop a match."""
    number = clean_text("number", raw, NUMBER_CHARS, "授权编号")
    found = numbered(Authorization.number == number)
    if not found:
        # Spaces typed or printed differently: a scan, so only when the indexed match found none.
        compact = number.replace(" ", "")
        found = numbered(func.replace(Authorization.number, " ", "") == compact)
    if not found:
        # Held by a producer or for a product the public cannot see, or not at all: the register
        # has nothing it may show for this number.
        return Verdict("unknown", "number", number)
    today = today or local_today()
    states = [auth_state(auth, today) for auth in found]
    producers = {auth.producer_id for auth in found}
    producer = found[0].producer if len(producers) == 1 else None
    return Verdict(overall_status([s.status for s in states]), "number", number, producer, states)


def numbered(condition) -> list[Authorization]:
    return list(db.session.scalars(visible_authorizations().where(condition)))


def by_token(raw: str | None, today: date | None = None) -> Verdict:
    """The QR code on a pack names one authorisation: the answer is that one's state."""
    token = clean_text("token", raw, TOKEN_CHARS, "核验码")
    auth = db.session.scalar(
        select(Authorization)
        .join(Authorization.producer)
        .join(Authorization.product)
        .where(Authorization.verify_token == token)
        .options(contains_eager(Authorization.producer), contains_eager(Authorization.product))
    )
    if auth is None:
        return Verdict("unknown", "token", token)
    if not auth.producer.is_public:
        return Verdict("not_authorized", "token", token)
    if not auth.product.is_public:
        return Verdict("not_authorized", "token", token, auth.producer)
    state = auth_state(auth, today or local_today())
    return Verdict(overall_status([state.status]), "token", token, auth.producer, [state])


def visible_authorizations():
    """Authorisations the public may see: a public producer's, for a public product."""
    return (
        select(Authorization)
        .join(Authorization.producer)
        .join(Authorization.product)
        .where(producer_is_public(), product_is_public())
        .options(contains_eager(Authorization.producer), contains_eager(Authorization.product))
        .order_by(Producer.name_pinyin, GIProduct.name_pinyin, Authorization.id)
    )


def by_code_or_number(raw: str | None, today: date | None = None) -> Verdict:
    """The page's one box (``code``; not ``q``, which the header's search box echoes): an
    authorisation number if one matches, else a credit code
    when it looks like one (so a mistyped code is told what is wrong), else an unknown number."""
    text = clean_text("code", raw, NUMBER_CHARS, "统一社会信用代码或授权编号")
    if is_valid_credit_code(text):  # no number is also a code with a valid check character
        return by_credit_code(text, today)
    verdict = by_number(text, today)
    if verdict.status != "unknown" or not looks_like_credit_code(text):
        return verdict
    try:
        return by_credit_code(text, today)
    except ParamError as error:
        raise ParamError("code", error.message) from None


def looks_like_credit_code(text: str) -> bool:
    """Letters and digits only, about 18 of them: what someone copying a credit code types."""
    code = normalize_credit_code(text)
    return 15 <= len(code) <= 20 and code.isascii() and code.isalnum()


CHECKS = {
    "credit_code": by_credit_code,
    "number": by_number,
    "token": by_token,
    "code": by_code_or_number,
}


def lookup(args, today: date | None = None) -> Verdict | None:
    """The check a query string asks for (the first of ``CHECKS`` it names), or None."""
    for name, check in CHECKS.items():
        if name in args:
            return check(args.get(name), today)
    return None
