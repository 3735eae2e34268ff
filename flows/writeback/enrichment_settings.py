"""The `policies.enrichment` section of loophub.yaml: golden values copied into the records that lack them.

```yaml
policies:
  enrichment:
    enabled: true
    rules:
      - name: person_title          # a shipped rule, by name: only what differs
        mode: never
      - name: company_domain
        targets: {hubspot: null}    # null: not written there
      - name: person_city           # a rule of your own
        entity: person
        golden_field: city
        targets: {salesforce: MailingCity, hubspot: city}
```

A rule takes one field of the golden profile (`identity/survivorship.py`)
and names the field it goes into in each system's person or company record
(Salesforce Contact / Account, HubSpot contacts / companies, Zendesk users /
organizations). Its mode is `fill_if_blank` unless it says otherwise. A rule
named like a shipped one is laid over it (the targets system by system);
shipped rules it does not name keep running as shipped, after the rules
written here.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, model_validator

from flows.writeback.setting_types import SYSTEMS, Mode, StrictModel, overlay

Format = Literal["as_is", "https_url"]
Kind = Literal["text", "number", "count"]
# Golden fields a rule may copy, per entity, with the kind they are compared and written as. Left out on
# purpose: emails (the vendors key people on them, a copy can collide), names (Salesforce derives Name;
# survivorship may pick a nickname), owner and lifecycle (their values mean something only in one system).
ENRICHABLE: dict[str, dict[str, Kind]] = {
    "person": {"phones": "text", "title": "text", "city": "text", "country": "text", "company_name": "text"},
    "company": {
        "phones": "text", "domains": "text", "name": "text", "industry": "text", "city": "text", "country": "text",
        "annual_revenue": "number", "employees": "count",
    },
}  # fmt: skip
SHIPPED_RULES: list[dict[str, Any]] = [
    {"name": "person_phone", "entity": "person", "golden_field": "phones", "targets": {"salesforce": "Phone", "hubspot": "phone", "zendesk": "phone"}},
    {"name": "person_title", "entity": "person", "golden_field": "title", "targets": {"salesforce": "Title", "hubspot": "jobtitle"}},
    # Zendesk organizations have no standard phone field: a company phone stays in the CRMs.
    {"name": "company_phone", "entity": "company", "golden_field": "phones", "targets": {"salesforce": "Phone", "hubspot": "phone"}},
    # Salesforce keeps a URL in Website; HubSpot keys companies on the bare `domain` (its `website` is a URL too).
    {
        "name": "company_domain", "entity": "company", "golden_field": "domains",
        "targets": {"salesforce": {"field": "Website", "format": "https_url"}, "hubspot": "domain"},
    },
]  # fmt: skip


class EnrichmentTarget(StrictModel):
    """The field a golden value goes into in one system, and how the value is shaped for it."""

    field: str | None = Field(None, description="Salesforce API name, HubSpot property, Zendesk attribute or `user_fields.<key>`")
    format: Format = Field("as_is", description="https_url writes a domain as https://<domain> (for URL fields)")

    @model_validator(mode="before")
    @classmethod
    def _short_form(cls, given: Any) -> Any:
        """`salesforce: Phone` names the field; `salesforce: null` turns the system off."""
        return {"field": given} if given is None or isinstance(given, str) else given


class EnrichmentTargets(StrictModel):
    salesforce: EnrichmentTarget | None = None
    hubspot: EnrichmentTarget | None = None
    zendesk: EnrichmentTarget | None = None

    def items(self) -> list[tuple[str, EnrichmentTarget]]:
        """(system, target) for every system the rule writes into."""
        found = [(system, getattr(self, system)) for system in SYSTEMS]
        return [(system, target) for system, target in found if target is not None and target.field]


class EnrichmentRule(StrictModel):
    """One golden field copied into the records of the same golden profile that lack it."""

    name: str = Field(min_length=1)
    enabled: bool = True
    entity: Literal["person", "company"]
    golden_field: str
    mode: Mode = "fill_if_blank"
    targets: EnrichmentTargets = Field(default_factory=EnrichmentTargets)

    @model_validator(mode="after")
    def _copyable(self) -> EnrichmentRule:
        fields = ENRICHABLE[self.entity]
        if self.golden_field not in fields:
            raise ValueError(f"rule {self.name!r}: golden_field {self.golden_field!r} is not a {self.entity} field loophub copies; use one of {', '.join(fields)}")
        for system, target in self.targets.items():
            if target.format == "https_url" and self.golden_field != "domains":
                raise ValueError(f"rule {self.name!r}: format https_url ({system}) shapes a domain; use it with golden_field: domains")
        return self

    @property
    def kind(self) -> Kind:
        return ENRICHABLE[self.entity][self.golden_field]


class EnrichmentPolicy(StrictModel):
    """Fill fields a record lacks with the value its golden profile holds (a phone only Zendesk knows → the CRM)."""

    enabled: bool = True
    rules: list[EnrichmentRule]

    @model_validator(mode="before")
    @classmethod
    def _defaults(cls, given: Any) -> Any:
        if given is None:
            given = {}
        if not isinstance(given, dict):
            return given  # let validation name the problem
        return {**given, "rules": with_shipped_rules(given.get("rules"))}

    @model_validator(mode="after")
    def _one_writer_per_field(self) -> EnrichmentPolicy:
        """Two rules filling one field would take turns overwriting each other."""
        names: set[str] = set()
        writers: dict[tuple[str, str, str | None], str] = {}
        for rule in self.rules:
            if rule.name in names:
                raise ValueError(f"two rules are named {rule.name!r}; give each rule its own name")
            names.add(rule.name)
            for system, target in rule.targets.items() if rule in self.active_rules() else ():
                key = (rule.entity, system, target.field)
                if key in writers:
                    raise ValueError(f"rules {writers[key]!r} and {rule.name!r} both write {system} {rule.entity} field {target.field!r}; keep one")
                writers[key] = rule.name
        return self

    def active_rules(self) -> list[EnrichmentRule]:
        return [rule for rule in self.rules if rule.enabled and rule.mode != "never" and rule.targets.items()]


def with_shipped_rules(given: Any) -> Any:
    """The admin's rules in their order (each laid over the shipped rule of its name), then the shipped rules not named."""
    if given is None:
        given = []
    if not isinstance(given, list):
        return given  # let validation name the problem
    shipped = {rule["name"]: rule for rule in SHIPPED_RULES}
    merged = [_over_shipped(shipped.get(rule.get("name")) if isinstance(rule, dict) else None, rule) for rule in given]
    named = {rule.get("name") for rule in given if isinstance(rule, dict)}
    return merged + [rule for name, rule in shipped.items() if name not in named]


def _over_shipped(shipped: dict[str, Any] | None, given: Any) -> Any:
    """A rule laid over the shipped rule of its name: in its targets, `{format: as_is}` keeps the shipped field; a name or null replaces it."""
    if shipped is None or not isinstance(given, dict):
        return given
    if isinstance(given.get("targets"), dict):  # a shipped short-form target becomes a mapping the admin's parts can lie over
        shipped = {**shipped, "targets": {system: ({"field": t} if isinstance(t, str) else t) for system, t in shipped["targets"].items()}}
    return overlay(shipped, given)
