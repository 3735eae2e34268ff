"""State shared by the renderers while one world is built."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime

from sandbox.population.model import Cast
from sandbox.population.timeline import Timeline
from sandbox.world import TruthRow, World


@dataclass(slots=True)
class Build:
    rng: random.Random
    world: World
    timeline: Timeline
    cast: Cast
    # Creation times of records other systems' records must not predate, by source id.
    created: dict[str, datetime] = field(default_factory=dict)

    def truth(self, system: str, object_name: str, source_id: str | int, person_key: str | None, company_key: str | None) -> None:
        self.world.truth.append(TruthRow(system, object_name, str(source_id), person_key, company_key))
