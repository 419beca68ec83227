"""Entities (people, organisations, places, states) with their aliases, from a data file."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from classifiers.normalize import normalize
from core.models import Entity

TYPES = ("person", "org", "armed_group", "place_sy", "place", "state")


@dataclass(frozen=True, slots=True)
class Gazetteer:
    entities: tuple[Entity, ...]
    aliases: Mapping[str, tuple[str, ...]]  # entity id -> names as written
    ambiguous: frozenset[str] = frozenset()  # normalised spellings that also mean something else

    def by_id(self, entity_id: str) -> Entity | None:
        return next((e for e in self.entities if e.id == entity_id), None)

    def of_type(self, entity_type: str) -> tuple[Entity, ...]:
        return tuple(e for e in self.entities if e.type == entity_type)


def parse_gazetteer(raw: Mapping) -> tuple[Gazetteer, list[str]]:
    """Build from parsed TOML (``[[entity]]`` tables); returns problems instead of raising."""
    problems: list[str] = []
    entities: list[Entity] = []
    aliases: dict[str, tuple[str, ...]] = {}
    within: dict[str, str] = {}  # entity -> the place that contains it
    for index, item in enumerate(raw.get("entity", [])):
        where = f"entity[{index}]"
        entity_id, entity_type, name = item.get("id"), item.get("type"), item.get("name")
        if not entity_id or not name:
            problems.append(f"{where}: needs an id and a name")
            continue
        if entity_type not in TYPES:
            problems.append(f"{where} ({entity_id}): type must be one of {', '.join(TYPES)}")
            continue
        if entity_id in aliases:
            problems.append(f"{where}: duplicate id {entity_id!r}")
            continue
        hashtag = item.get("hashtag") or name.replace(" ", "_")
        entities.append(Entity(entity_id, entity_type, name, hashtag))
        aliases[entity_id] = tuple(dict.fromkeys([name, *item.get("aliases", [])]))
        within[entity_id] = item.get("within", "")
    regions = {}
    for entity in entities:
        chain, place = [], within[entity.id]
        while place and place not in chain and place in within:
            chain.insert(0, place)
            place = within[place]
        if within[entity.id] and within[entity.id] not in within:
            problems.append(f"{entity.id}: within names no entity ({within[entity.id]!r})")
        elif place:
            problems.append(f"{entity.id}: within goes round in a circle ({' < '.join(chain)})")
        regions[entity.id] = tuple(chain)
    entities = [replace(e, region=regions[e.id]) for e in entities]
    spellings = {normalize(alias) for names in aliases.values() for alias in names}
    ambiguous = frozenset(normalize(word) for word in raw.get("ambiguous", []))
    problems += [f"ambiguous: {word!r} is the spelling of no entity" for word in sorted(ambiguous - spellings)]
    return Gazetteer(tuple(entities), aliases, ambiguous), problems
