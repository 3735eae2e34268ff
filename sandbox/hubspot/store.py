"""The HubSpot portal's state: records per type, associations, owners, custom properties.

Seeded from `world.hubspot`; every write stamps times from the sandbox clock
and takes new ids from `world.ids.hubspot(type)`, so records created later
never collide with seeded ones. Writes come in two steps (`prepare_*` checks,
`apply_*`/`insert` changes) so that batch endpoints can refuse a whole batch
before touching anything, as HubSpot does.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sandbox.hubspot.associations import AssociationIndex
from sandbox.hubspot.errors import conflict, not_found, validation_error
from sandbox.hubspot.object_types import OBJECT_TYPES, SEEDED_TYPES, find_type
from sandbox.hubspot.owners import OwnerDirectory
from sandbox.hubspot.schema import PropertyRegistry, registries
from sandbox.hubspot.tables import ObjectTable, Properties, Record
from sandbox.hubspot.validation import normalise_write
from sandbox.hubspot.values import iso_ms, parse_instant
from sandbox.world import World

_NEVER_COPIED_ON_MERGE = {"hs_object_id", "createdate", "lastmodifieddate", "hs_lastmodifieddate", "hs_merged_object_ids", "email"}


class HubSpotStore:
    """Everything the HubSpot stand-in holds; exposed as `app.state.store`."""

    def __init__(self, world: World, now: Callable[[], datetime]) -> None:
        self.now = now
        self._ids = world.ids
        self.registries: dict[str, PropertyRegistry] = registries()
        self.tables: dict[str, ObjectTable] = {name: ObjectTable(OBJECT_TYPES[name], self.registries[name]) for name in OBJECT_TYPES}
        self.associations = AssociationIndex()
        self.owners = OwnerDirectory(world.hubspot.get("owners", []))
        self._seed(world)

    def table(self, object_type: str) -> ObjectTable:
        return self.tables[object_type]

    # -- reads ---------------------------------------------------------------------------------------------

    def read(self, object_type: str, object_id: str, id_property: str | None = None, archived: bool = False) -> Record:
        """One record by id (following merges) or by a unique property; HubSpot's 404 otherwise."""
        found = self.lookup(object_type, object_id, id_property, archived)
        if found is None:
            raise not_found(object_id)
        return found

    def lookup(self, object_type: str, object_id: str, id_property: str | None = None, archived: bool = False) -> Record | None:
        table = self.tables[object_type]
        if id_property in (None, "", "hs_object_id"):
            return table.find(str(object_id), archived)
        if id_property not in table.registry.unique_properties():
            raise validation_error(f"Property '{id_property}' is not a unique identifier property for {object_type}")
        record = table.find_by_unique(id_property, str(object_id))
        return record if record is not None and not archived else None

    # -- writes --------------------------------------------------------------------------------------------

    def prepare_create(self, object_type: str, raw: object, *, taken: dict[str, str] | None = None) -> Properties:
        """Checked properties of a new record; 400 for bad values, 409 for a taken unique value."""
        properties = normalise_write(self.registries[object_type], raw)
        self._lower_email(object_type, properties)
        self._check_unique(object_type, properties, None, taken)
        return properties

    def insert(self, object_type: str, properties: Properties) -> Record:
        """Create a record from prepared properties."""
        table = self.tables[object_type]
        now = self.now()
        object_id = self._ids.hubspot(object_type)
        values: Properties = {name: value for name, value in properties.items() if value is not None}
        values["hs_object_id"] = object_id
        values.setdefault("createdate", iso_ms(now))
        values[table.object_type.modified_property] = iso_ms(now)
        created = parse_instant(values["createdate"]) or now
        record = Record(object_id, values, created, now)
        table.insert(record)
        return record

    def create(self, object_type: str, raw: object) -> Record:
        return self.insert(object_type, self.prepare_create(object_type, raw))

    def prepare_update(self, object_type: str, record: Record, raw: object, *, taken: dict[str, str] | None = None) -> Properties:
        properties = normalise_write(self.registries[object_type], raw)
        self._lower_email(object_type, properties)
        self._check_unique(object_type, properties, record.id, taken)
        return properties

    def apply_update(self, object_type: str, record: Record, properties: Properties) -> Record:
        self.tables[object_type].set_properties(record, properties, self.now())
        return record

    def update(self, object_type: str, object_id: str, raw: object, id_property: str | None = None) -> Record:
        record = self.read(object_type, object_id, id_property)
        return self.apply_update(object_type, record, self.prepare_update(object_type, record, raw))

    def archive(self, object_type: str, object_id: str) -> bool:
        """Archive a live record; False if there is none (HubSpot answers 204 either way)."""
        table = self.tables[object_type]
        record = table.find(object_id)
        if record is None:
            return False
        table.archive(record, self.now())
        return True

    def merge(self, object_type: str, primary_id: str, merged_id: str) -> Record:
        """Merge `merged_id` into `primary_id`: the primary survives, the other id resolves to it from now on."""
        table = self.tables[object_type]
        survivor = table.find(str(primary_id))
        merged = table.find(str(merged_id))
        if survivor is None or merged is None:
            raise not_found(str(primary_id if survivor is None else merged_id))
        if survivor.id == merged.id:
            raise validation_error("Cannot merge an object with itself")
        now = self.now()
        changes = {
            name: value
            for name, value in merged.properties.items()
            if value is not None and survivor.properties.get(name) is None and name not in _NEVER_COPIED_ON_MERGE
        }
        merged_ids = _split(survivor.properties.get("hs_merged_object_ids")) + [merged.id]
        merged_ids += _split(merged.properties.get("hs_merged_object_ids"))
        changes["hs_merged_object_ids"] = ";".join(dict.fromkeys(merged_ids))
        old_email = merged.properties.get("email") if object_type == "contacts" else None
        if old_email:
            extra = _split(survivor.properties.get("hs_additional_emails")) + [old_email]
            extra += _split(merged.properties.get("hs_additional_emails"))
            changes["hs_additional_emails"] = ";".join(dict.fromkeys(extra))
        table.archive(merged, now)
        merged.merged_into = survivor.id
        table.alias(merged.id, survivor.id)
        self.associations.move(object_type, merged.id, survivor.id)
        table.set_properties(survivor, changes, now)  # hs_merged_object_ids always changes, so this stamps
        return survivor

    # -- associations --------------------------------------------------------------------------------------

    def associate(self, from_type: str, from_id: str, to_type: str, to_id: str, type_id: int) -> tuple[Record, Record]:
        """Associate two live records (ids may be merged-away ones); 404 if either is missing."""
        source = self.read(from_type, from_id)
        target = self.read(to_type, to_id)
        self.associations.add(from_type, source.id, to_type, target.id, type_id)
        return source, target

    def live_targets(self, from_type: str, from_id: str, to_type: str) -> list[tuple[str, list[int]]]:
        """Associations to records that are still live."""
        table = self.tables[to_type]
        return [(to_id, types) for to_id, types in self.associations.targets(from_type, from_id, to_type) if table.find(to_id)]

    # -- internals -----------------------------------------------------------------------------------------

    def _lower_email(self, object_type: str, properties: Properties) -> None:
        # HubSpot keeps contact emails lower-cased.
        if object_type == "contacts" and properties.get("email"):
            properties["email"] = str(properties["email"]).strip().lower()

    def _check_unique(self, object_type: str, properties: Properties, own_id: str | None, taken: dict[str, str] | None) -> None:
        table = self.tables[object_type]
        for name in table.registry.unique_properties():
            value = properties.get(name)
            if not value:
                continue
            owner = table.owner_of(name, value)
            if owner is not None and owner != own_id:
                noun = "Contact" if object_type == "contacts" else table.object_type.label
                raise conflict(owner, noun)
            if taken is None:
                continue
            # Two inputs of one batch claiming the same value: HubSpot refuses the batch.
            key = f"{name}:{value.lower()}"
            if key in taken and taken[key] != own_id:
                raise validation_error(f"Duplicate {name} values found in batch input: [{value}]")
            taken[key] = own_id or ""

    def _seed(self, world: World) -> None:
        for object_type in SEEDED_TYPES:
            table = self.tables[object_type]
            for row in world.hubspot.get(object_type, []):
                table.insert(_seed_record(row, table.object_type.modified_property))
        for row in world.hubspot.get("associations", []):
            self._seed_association(row)

    def _seed_association(self, row: dict[str, Any]) -> None:
        from_type, to_type = find_type(str(row["from_type"])), find_type(str(row["to_type"]))
        if from_type is None or to_type is None:
            raise ValueError(f"unknown object type in association seed {row!r}")
        self.associations.add(from_type.name, str(row["from_id"]), to_type.name, str(row["to_id"]), int(row["type_id"]))


def _seed_record(row: dict[str, Any], modified_property: str) -> Record:
    object_id = str(row["id"])
    created = parse_instant(row.get("createdAt")) or parse_instant(row["properties"].get("createdate"))
    updated = parse_instant(row.get("updatedAt")) or created
    if created is None or updated is None:
        raise ValueError(f"HubSpot seed record {object_id} has no createdAt")
    properties: Properties = {name: (None if value is None else str(value)) for name, value in row["properties"].items()}
    properties["hs_object_id"] = object_id
    properties.setdefault("createdate", iso_ms(created))
    properties[modified_property] = iso_ms(updated)
    archived = bool(row.get("archived", False))
    return Record(object_id, properties, created, updated, archived, updated if archived else None)


def _split(value: str | None) -> list[str]:
    return [part for part in (value or "").split(";") if part]

