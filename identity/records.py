"""Canonical people and companies as one flat table of comparison columns, for both matching tiers.

`load_records(session, entity)` reads every not-deleted canonical record of
the entity with a handful of bulk queries (the canonical rows, their match
keys, and for people the linked company rows) and joins them in pandas: no
ORM object per row, so 100k records load in seconds.

Columns shared by both entities: record_id (the canonical row id), dataset
("system:object"), system, source_ref ("system:object:source_id"),
content_hash, source_updated_at.

People add: given_key, family_key, given_phonetic, family_phonetic,
full_name, email_key (first non-weak email key), email_local (its local
part), phone (first non-weak phone), company_key (registrable domain of the
person's company: the linked company record of the same system, else the
person's company_domain, else the domain of a work email, else the one
domain company records with the person's company name key agree on),
company_name_key,
city, country. Companies add: name_key, domain, phone, city, country, and
member_domain: the work-email domain most of the company record's own people
(same system, company_source_id) write from — the domain evidence of a
record that lists no domain (a Zendesk organization without domain_names).

City is lower-cased ASCII; country is an ISO 3166 alpha-2 code where the
text names a country ("USA", "Deutschland" → "US", "DE"), else lower-cased.
Empty strings are nulls.
"""

from __future__ import annotations

import functools
import math
import re
from typing import Literal

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session
from unidecode import unidecode

from mapping.normalize import company_name_key, is_free_mail_domain, normalize_domain, parse_person_name
from mapping.transforms import country_code
from store.canonical import CompanyRow, MatchKey, PersonRow

Entity = Literal["person", "company"]

COMMON_COLUMNS = ["record_id", "dataset", "system", "source_ref", "content_hash", "source_updated_at"]
PERSON_COLUMNS = [
    *COMMON_COLUMNS,
    "given_key", "family_key", "given_phonetic", "family_phonetic", "full_name",
    "email_key", "email_local", "phone", "company_key", "company_name_key", "city", "country",
]
COMPANY_COLUMNS = [*COMMON_COLUMNS, "name_key", "domain", "phone", "city", "country", "member_domain"]

_SPACES = re.compile(r"\s+")


def load_records(session: Session, entity: Entity) -> pd.DataFrame:
    """One row per not-deleted canonical record of `entity`, with the comparison columns (see module doc)."""
    if entity == "person":
        return _load_people(session)
    if entity == "company":
        return _load_companies(session)
    raise ValueError(f"entity must be 'person' or 'company', not {entity!r}")


def _first_keys(session: Session, entity: str, kinds: tuple[str, ...], *, strong_only: bool = True) -> pd.DataFrame:
    """record_id, kind, value of the first (lowest key id) key per record and kind."""
    query = select(MatchKey.record_id, MatchKey.kind, MatchKey.value).where(MatchKey.entity == entity, MatchKey.kind.in_(kinds))
    if strong_only:
        query = query.where(MatchKey.is_weak.is_(False))
    rows = session.execute(query.order_by(MatchKey.record_id, MatchKey.kind, MatchKey.id)).all()
    frame = pd.DataFrame(rows, columns=["record_id", "kind", "value"])
    return frame.drop_duplicates(["record_id", "kind"], keep="first")


def _key_column(keys: pd.DataFrame, kind: str) -> pd.Series:
    chosen = keys[keys["kind"] == kind]
    return pd.Series(chosen["value"].to_numpy(), index=chosen["record_id"].to_numpy(), dtype=object)


def _common(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.rename(columns={"id": "record_id"})
    frame["dataset"] = frame["system"] + ":" + frame["object"]
    frame["source_ref"] = frame["dataset"] + ":" + frame["source_id"]
    return frame


def _load_companies(session: Session) -> pd.DataFrame:
    columns = [CompanyRow.id, CompanyRow.system, CompanyRow.object, CompanyRow.source_id, CompanyRow.content_hash,
               CompanyRow.source_updated_at, CompanyRow.name, CompanyRow.city, CompanyRow.country]
    rows = session.execute(select(*columns).where(CompanyRow.is_deleted.is_(False)).order_by(CompanyRow.id)).all()
    frame = _common(pd.DataFrame(rows, columns=[c.key for c in columns]))
    keys = _first_keys(session, "company", ("domain", "phone"))
    frame["name_key"] = frame["name"].map(_company_name_key)
    frame["domain"] = frame["record_id"].map(_key_column(keys, "domain"))
    frame["phone"] = frame["record_id"].map(_key_column(keys, "phone"))
    frame["city"] = frame["city"].map(_city)
    frame["country"] = frame["country"].map(_country)
    frame["member_domain"] = _member_domains(session, frame)
    return _finish(frame, COMPANY_COLUMNS)


def _member_domains(session: Session, companies: pd.DataFrame) -> pd.Series:
    """Per company row, the most common work-email domain among the people linked to it in its own system."""
    rows = session.execute(
        select(PersonRow.system, PersonRow.company_source_id, MatchKey.value)
        .join(MatchKey, (MatchKey.record_id == PersonRow.id) & (MatchKey.entity == "person") & (MatchKey.kind == "email"))
        .where(PersonRow.is_deleted.is_(False), PersonRow.company_source_id.is_not(None))
    ).all()
    emails = pd.DataFrame(rows, columns=["system", "source_id", "email"])
    emails["domain"] = emails["email"].map(_work_domain)
    emails = emails.dropna(subset=["domain"])
    if emails.empty:
        return pd.Series([None] * len(companies), index=companies.index, dtype=object)
    counts = emails.groupby(["system", "source_id", "domain"]).size().reset_index(name="n")
    top = counts.sort_values(["n", "domain"], ascending=[False, True]).drop_duplicates(["system", "source_id"])
    joined = companies[["system", "source_id"]].merge(top[["system", "source_id", "domain"]], on=["system", "source_id"], how="left")
    return pd.Series(joined["domain"].to_numpy(), index=companies.index, dtype=object)


def _load_people(session: Session) -> pd.DataFrame:
    columns = [PersonRow.id, PersonRow.system, PersonRow.object, PersonRow.source_id, PersonRow.content_hash,
               PersonRow.source_updated_at, PersonRow.first_name, PersonRow.last_name, PersonRow.full_name,
               PersonRow.company_name, PersonRow.company_domain, PersonRow.company_source_id, PersonRow.city,
               PersonRow.country]
    rows = session.execute(select(*columns).where(PersonRow.is_deleted.is_(False)).order_by(PersonRow.id)).all()
    frame = _common(pd.DataFrame(rows, columns=[c.key for c in columns]))

    names = [_name(full, first, last) for full, first, last in zip(frame["full_name"], frame["first_name"], frame["last_name"])]
    name_frame = pd.DataFrame(names, columns=["given_key", "family_key", "given_phonetic", "family_phonetic", "display"], index=frame.index)
    frame = pd.concat([frame, name_frame], axis=1)
    frame["full_name"] = frame["display"].where(frame["display"] != "", frame["full_name"])

    keys = _first_keys(session, "person", ("email", "phone"))
    frame["email_key"] = frame["record_id"].map(_key_column(keys, "email"))
    frame["email_local"] = frame["email_key"].map(lambda key: key.rsplit("@", 1)[0] if isinstance(key, str) else None)
    frame["phone"] = frame["record_id"].map(_key_column(keys, "phone"))
    # Any address (a shared mailbox too) tells where its writer works, unless it is free mail.
    all_emails = _first_keys(session, "person", ("email",), strong_only=False)
    email_any = frame["record_id"].map(_key_column(all_emails, "email"))
    work_domain = email_any.map(_work_domain)

    linked = _linked_companies(session, frame)
    own_domain = frame["company_domain"].map(_registrable)
    own_name = frame["company_name"].map(_company_name_key)
    frame["company_name_key"] = linked["linked_name_key"].combine_first(own_name)
    named_domain = frame["company_name_key"].map(_domain_by_company_name(session))
    frame["company_key"] = (
        linked["linked_domain"].combine_first(own_domain).combine_first(work_domain).combine_first(named_domain)
    )
    frame["city"] = frame["city"].map(_city)
    frame["country"] = frame["country"].map(_country)
    return _finish(frame, PERSON_COLUMNS)


def _linked_companies(session: Session, people: pd.DataFrame) -> pd.DataFrame:
    """Per person row, the domain and name key of the company record its company_source_id names in its own system."""
    rows = session.execute(
        select(CompanyRow.id, CompanyRow.system, CompanyRow.source_id, CompanyRow.name).where(CompanyRow.is_deleted.is_(False))
    ).all()
    companies = pd.DataFrame(rows, columns=["company_record_id", "system", "company_source_id", "company_name"])
    domains = _key_column(_first_keys(session, "company", ("domain",)), "domain")
    companies["linked_domain"] = companies["company_record_id"].map(domains)
    companies["linked_name_key"] = companies["company_name"].map(_company_name_key)
    companies = companies.drop_duplicates(["system", "company_source_id"])
    wanted = people[["system", "company_source_id"]].astype(object)
    joined = wanted.merge(companies[["system", "company_source_id", "linked_domain", "linked_name_key"]],
                          on=["system", "company_source_id"], how="left")
    joined.index = people.index
    return joined


def _domain_by_company_name(session: Session) -> dict[str, str]:
    """Company name key → domain, for names every company record holding them agrees on one domain."""
    rows = session.execute(select(CompanyRow.id, CompanyRow.name).where(CompanyRow.is_deleted.is_(False))).all()
    names = pd.DataFrame(rows, columns=["record_id", "name"])
    names["name_key"] = names["name"].map(_company_name_key)
    names["domain"] = names["record_id"].map(_key_column(_first_keys(session, "company", ("domain",)), "domain"))
    names = names.dropna(subset=["name_key", "domain"])
    agreed = names.groupby("name_key")["domain"].agg(["nunique", "first"])
    agreed = agreed[agreed["nunique"] == 1]
    return dict(zip(agreed.index, agreed["first"]))


def _finish(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    out = frame[columns].copy()
    for column in columns:
        if column in ("record_id", "source_updated_at"):
            continue
        # Text columns are object dtype with None for missing, even when every value is missing.
        out[column] = out[column].astype(object).map(_none_if_missing)
    out["record_id"] = out["record_id"].astype("int64")
    return out.reset_index(drop=True)


def _none_if_missing(value: object) -> object:
    if value is None or value == "" or (isinstance(value, float) and math.isnan(value)):
        return None
    return value


@functools.lru_cache(maxsize=262144)
def _name(full: str | None, first: str | None, last: str | None) -> tuple[str, str, str, str, str]:
    name = parse_person_name(full, first, last)
    return name.given_key, name.family_key, name.given_phonetic, name.family_phonetic, name.display


@functools.lru_cache(maxsize=65536)
def _company_name_key(name: str | None) -> str | None:
    return company_name_key(name) or None if isinstance(name, str) else None


@functools.lru_cache(maxsize=65536)
def _registrable(value: str | None) -> str | None:
    if not isinstance(value, str) or not value:
        return None
    domain = normalize_domain(value)
    if domain is None or is_free_mail_domain(domain.registrable):
        return None
    return domain.registrable


def _work_domain(email_key: str | None) -> str | None:
    if not isinstance(email_key, str) or "@" not in email_key:
        return None
    return _registrable(email_key.rsplit("@", 1)[1])


@functools.lru_cache(maxsize=65536)
def _city(value: str | None) -> str | None:
    if not isinstance(value, str):
        return None
    return _SPACES.sub(" ", unidecode(value).lower()).strip() or None


def _country(value: str | None) -> str | None:
    """An ISO 3166 alpha-2 code for a country as typed (mapping's table); else the text folded, so it still compares."""
    if not isinstance(value, str) or not value.strip():
        return None
    return country_code(value) or _SPACES.sub(" ", unidecode(value).lower()).strip(" .") or None
