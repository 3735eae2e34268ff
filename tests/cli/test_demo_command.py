"""`loophub demo --no-serve`: the loop over a fresh sandbox, and a summary that adds up."""

from __future__ import annotations

import re
from pathlib import Path


def test_given_a_small_sandbox_when_the_demo_runs_then_it_syncs_maps_resolves_and_summarises(run_loophub, tmp_path: Path) -> None:
    result = run_loophub("demo", "--no-serve", "--people", "80", "--dir", str(tmp_path / "demo"))

    assert result.returncode == 0, result.stdout + result.stderr
    pulled = dict(re.findall(r"(salesforce|hubspot|zendesk) ([\d,]+)", result.stdout.split("records pulled", 1)[1].splitlines()[0]))
    assert set(pulled) == {"salesforce", "hubspot", "zendesk"}
    people = re.search(r"golden people\s*│\s*([\d,]+) from ([\d,]+) records", result.stdout)
    assert people, result.stdout
    golden, records = (int(group.replace(",", "")) for group in people.groups())
    assert 0 < golden < records  # people seen in several systems became one
    assert (tmp_path / "demo" / "loophub.yaml").exists() and (tmp_path / "demo" / "loophub.db").exists()
