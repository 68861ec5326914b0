"""Documents recorded from real devices (emulator/data/recorded_devices.json), per model.

Each emulated model is answered from the recording of the same model, or of the nearest recorded
one: the legacy DS-2CD2155FWD-I has no recording, so the older-generation DS-2CD2532F-IWS (V5.2.0)
stands in. Handlers take a deep copy and put in the device's own values (names, ids, live state).
"""
from __future__ import annotations

import copy
import functools
import json
import os

DATA = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "data",
                    "recorded_devices.json")

# emulated model (a profile's models, fleet `model:`) -> recording it is answered from
MODEL_RECORDING = {
    "DS-2CD2155FWD-I": "DS-2CD2532F-IWS",
    "DS-2CD2T86G2-ISU/SL": "DS-2CD2T86G2-ISU",
    "DS-2CD2346G2-ISU/SL": "DS-2CD2346G2-ISU",
    "DS-2CD2T46G2-ISU/SL": "DS-2CD2T46G2-ISU",
    "DS-2CD2386G2-IU": "DS-2CD2386G2-IU",
    "DS-7608NXI-I2/8P/S": "DS-7608NXI-I2",
}
# a model the fleet names but nothing recorded: the profile's first model stands in
PROFILE_RECORDING = {"legacy_camera": "DS-2CD2532F-IWS", "current_camera": "DS-2CD2T86G2-ISU",
                     "nvr": "DS-7608NXI-I2"}


@functools.lru_cache(maxsize=1)
def _recordings() -> dict:
    with open(DATA, encoding="utf-8") as fh:
        return json.load(fh)["devices"]


def recording_of(spec) -> str:
    return MODEL_RECORDING.get(spec.model) or PROFILE_RECORDING[spec.profile.name]


def recorded(spec, key: str, fallback_profile: bool = True):
    """(root, tree) of the recorded document `key` for this device's model, a deep copy; None when
    that recording has no such document (then the profile's base recording, if asked)."""
    devices = _recordings()
    entry = devices[recording_of(spec)].get(key)
    if entry is None and fallback_profile:
        entry = devices[PROFILE_RECORDING[spec.profile.name]].get(key)
    if entry is None or "tree" not in entry:
        return None
    return entry["root"], copy.deepcopy(entry["tree"])


def strip_head(tree: dict) -> dict:
    """The recorded tree without its own version/xmlns: the reply builder adds the profile's."""
    return {k: v for k, v in tree.items() if k not in ("@version", "@xmlns")}


def as_list(value) -> list:
    """xmltodict gives one child as a dict and several as a list (docs/developer/isapi-reference.md, §1.3)."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]
