"""The demo market's state and small helpers: identifiers, people, organisations."""

from __future__ import annotations

import json
import math
import random
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from credit.domain.records import (
    OrgRole,
    ProcurementCategory,
    TieKind,
)
from credit.markets.identifiers import USCC_ALPHABET, identity_number
from credit.markets.identifiers import uscc as make_uscc
from credit.markets.ledger import (
    _Award,
    _Bid,
    _Lot,
    _Org,
    _Person,
    _Pool,
    _Project,
    _Ring,
)
from credit.markets.reference import (
    _BANK_PREFIXES,
    _BRAND_CHARS,
    _CITIES,
    _CITY_WEIGHTS,
    _DIGITS,
    _FEMALE_CHARS,
    _MA_CODES_FROM,
    _MALE_CHARS,
    _ORDER,
    _ROADS,
    _SURNAME_WEIGHTS,
    _SURNAMES,
    _T,
    JsonRecord,
    Ref,
    _birth_regions,
    _City,
    _record,
)

# --- the generator --------------------------------------------------------------------------


class MarketBase:
    """Builds the whole market in memory (records refer back and forth), then hands it out."""

    def __init__(
        self, suppliers: int, seed: int, personal_contacts: bool, bids: int | None = None
    ) -> None:
        self.rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not secrets
        self.size = suppliers
        self.bids = bids
        self.personal_contacts = personal_contacts
        self.out: dict[str, list[JsonRecord | str]] = {kind: [] for kind in _ORDER}
        self.taken: set[str] = set()  # identifiers, names and contact values already issued
        self.counters: dict[str, int] = {}
        self.tie_keys: set[str] = set()
        self.suppliers: list[_Org] = []
        self.agencies: list[_Org] = []
        self.purchasers: list[_Org] = []
        self.experts: list[_Person] = []
        self.business_groups: list[list[_Org]] = []
        self.rings: list[_Ring] = []
        self.projects: list[_Project] = []
        self.lots: list[_Lot] = []
        self.awards: list[_Award] = []
        self.refused: list[_Award] = []
        self.reviews: list[tuple[str, _Person, _Lot]] = []
        self.recusal_reviews: list[tuple[str, _Person, _Lot]] = []
        self.consortia: list[_Bid] = []
        self.complaints: list[tuple[JsonRecord, _Lot, _Org]] = []
        self.false_complaints: list[tuple[JsonRecord, _Lot, _Org]] = []
        self.violations: list[tuple[JsonRecord, _Org | None]] = []
        self.penalised: set[_Org | _Person] = set()  # agencies and experts, rated lower
        self.activity: dict[_Org, float] = {}  # how often a supplier bids
        self.pools: dict[tuple[ProcurementCategory, str], _Pool] = {}  # by trade and province
        self.grouped: set[_Org] = set()  # parents and subsidiaries of business groups
        self.shared_rep: dict[_Org, _Org] = {}  # supplier -> the one whose legal rep it shares
        self.specialties: dict[str, list[_Person]] = {}  # experts by specialty
        self.renamed: set[_Person] = set()  # people given a relative's family name
        self.spouses: dict[_Person, _Person] = {}  # legal rep -> spouse and co-owner

    # -- small helpers -------------------------------------------------------------------

    def _keep(self, kind: str, record: JsonRecord) -> None:
        """Keep a record that is final once made as its JSON text: a fifth of the memory of
        the dict, which matters for the millions of bids and reviews of a large market."""
        self.out[kind].append(json.dumps(record, ensure_ascii=False))

    def _day(self, first: date, last: date) -> date:
        return first + timedelta(days=self.rng.randint(0, max(0, (last - first).days)))

    def _next(self, counter: str, step: int = 1) -> int:
        """Next number of a running sequence; a step above 1 leaves realistic gaps."""
        value = self.counters.get(counter, 0) + self.rng.randint(1, step)
        self.counters[counter] = value
        return value

    def _unique(self, make: Any) -> str:
        while True:
            value: str = make()
            if value not in self.taken:
                self.taken.add(value)
                return value

    def _loguniform(self, low: float, high: float) -> float:
        return math.exp(self.rng.uniform(math.log(low), math.log(high)))

    def _city(self) -> _City:
        return self.rng.choices(_CITIES, cum_weights=_CITY_WEIGHTS)[0]

    def _sample(self, items: Sequence[_T], k: int) -> list[_T]:
        return self.rng.sample(list(items), min(k, len(items)))

    def _tie(self, kind: TieKind, source: Ref, target: Ref, **extra: Any) -> None:
        start = extra.get("valid_from")
        key = f"{kind}|{next(iter(source.values()))}|{next(iter(target.values()))}|{start}"
        if key in self.tie_keys:
            return
        self.tie_keys.add(key)
        fields: JsonRecord = {"kind": kind, "from": source, "to": target}
        for name, value in extra.items():
            fields[name] = value.isoformat() if isinstance(value, date) else value
        self._keep("tie", _record("tie", fields))

    # -- identifiers ---------------------------------------------------------------------

    def _uscc(self, kind: str, region: str, registered: date) -> str:
        """18 characters: kind, region, GB 11714 organisation code, GB 32100 check character."""

        def make() -> str:
            if kind == "91" and registered >= _MA_CODES_FROM:
                body = "MA" + "".join(self.rng.choices(USCC_ALPHABET, k=6))
            else:
                body = "".join(self.rng.choices(_DIGITS, k=8))
            return make_uscc(kind, region, body)

        return self._unique(make)

    def _person(
        self,
        city: _City,
        born: tuple[int, int],
        male: bool | None = None,
        expert: JsonRecord | None = None,
    ) -> _Person:
        """A person with a GB 11643 identity number: birthplace, birth date, sex, check digit."""
        rng = self.rng
        is_male = rng.random() < 0.65 if male is None else male
        birth = date(rng.randint(*born), 1, 1) + timedelta(days=rng.randrange(365))

        def make() -> str:
            region = rng.choice(_birth_regions(city, birth.year))
            sequence = rng.randrange(500) * 2 + 1 if is_male else rng.randrange(1, 500) * 2
            return identity_number(region, birth, sequence)

        number = self._unique(make)
        family = rng.choices(_SURNAMES, cum_weights=_SURNAME_WEIGHTS)[0]
        chars = _MALE_CHARS if is_male else _FEMALE_CHARS
        name = family + "".join(rng.choices(chars, k=rng.choice((1, 2, 2))))
        mobile = self._unique(lambda: f"1{rng.choice('3589')}{rng.randrange(10**9):09d}")
        contact = self.personal_contacts
        record = _record(
            "person",
            {
                "id_number": number,
                "name": name,
                "phones": [mobile] if contact else None,
                "emails": [f"p{len(self.out['person']) + 1:06d}@mail.example"] if contact else None,
                "expert": expert,
            },
        )
        self.out["person"].append(record)
        return _Person(number, name, family, is_male, birth, city, mobile, record)

    # -- organisations -------------------------------------------------------------------

    def _org(
        self,
        kind: str,
        name: str,
        brand: str,
        city: _City,
        roles: list[OrgRole],
        registered: date,
    ) -> _Org:
        rng = self.rng
        region, district = rng.choice(city.districts)
        code = self._uscc(kind, region, registered)
        phone = self._unique(
            lambda: f"{city.area_code}-{rng.randint(2, 8)}{rng.randrange(10**7):07d}"
        )
        account = self._unique(lambda: rng.choice(_BANK_PREFIXES) + f"{rng.randrange(10**15):015d}")
        address = f"{city.address_prefix}{district}{rng.choice(_ROADS)}{rng.randint(1, 999)}号"
        record = _record(
            "organization",
            {
                "uscc": code,
                "name": name,
                "roles": roles,
                "region": region,
                "registered_on": registered.isoformat(),
                "address": address,
                "phones": [phone],
                "emails": [f"office@{code.lower()}.example"],
                "bank_accounts": [account],
            },
        )
        self.out["organization"].append(record)
        org = _Org(code, name, brand, city, region, registered, phone, account, record)
        org.ip = self._unique(
            lambda: f"100.{rng.randint(64, 127)}.{rng.randrange(256)}.{rng.randint(1, 254)}"
        )
        org.mac = self._unique(
            lambda: "-".join(
                [
                    f"{rng.randrange(64) << 2 | 2:02X}",
                    *(f"{rng.randrange(256):02X}" for _ in "12345"),
                ]
            )
        )
        return org

    def _company_name(self, city: _City, trade: str, suffix: str) -> tuple[str, str]:
        def make() -> str:
            return city.name + "".join(self.rng.sample(_BRAND_CHARS, 2)) + trade + suffix

        name = self._unique(make)
        return name, name[len(city.name) : len(city.name) + 2]
