"""The sample's guidance stations: fictional, marked as samples, in real Jilin regions.

The provincial plan calls for trademark-brand guidance stations but names none, so every station in
``sample/stations.json`` is invented (``sample: true``), with an example.org address and no phone.
"""

from __future__ import annotations

import json
from pathlib import Path

from gi_registry.services.stations import save_station
from gi_registry.services.unit import Work

SAMPLE_STATIONS = Path(__file__).resolve().parent.parent / "sample" / "stations.json"


def load_sample_stations(work: Work) -> int:
    """Save each sample station through the service (a rerun changes nothing); return how many."""
    document = json.loads(SAMPLE_STATIONS.read_text(encoding="utf-8"))
    for record in document["stations"]:
        save_station(work, record)
    return len(document["stations"])
