"""Capability trees per profile: the documents real firmware of the profile's model sent, whole
(emulator/data/capabilities/<profile>.json, each with its source), not a trimmed imitation.

Only per-device values are filled in at request time (the SecurityCap salt, the NVR's channel
count); a flag the recording lacks is absent here too, so capability-gated client logic meets the
trees it will meet on hardware.
"""
from __future__ import annotations

import copy
import hashlib
import json
import os
from functools import lru_cache

DATA_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "data")


@lru_cache(maxsize=None)
def recorded(profile_name: str) -> dict:
    """The recorded DeviceCap of a profile, with its documented overrides applied."""
    with open(os.path.join(DATA_DIR, "capabilities", f"{profile_name}.json"), encoding="utf-8") as fh:
        doc = json.load(fh)
    tree = doc["DeviceCap"]
    for path, value in (doc.get("overrides") or {}).items():
        node = tree
        *parents, leaf = path.split("/")
        for part in parents:
            node = node[part]
        node[leaf] = value
    return tree


def _per_device(device, tree: dict) -> dict:
    tree = copy.deepcopy(tree)
    sec = tree.get("SecurityCap") or {}
    if "salt" in sec:
        # The salt is per device on real firmware (session-login hashing, §2.4).
        sec["salt"] = hashlib.sha256(("salt" + device.spec.serial).encode()).hexdigest()
    if device.spec.recovery:
        # The fleet's recovery key models firmware that offers these methods
        # (docs/developer/recovery-reference.md, §1); the recorded trees offer none.
        sec = tree.setdefault("SecurityCap", {})
        methods = device.spec.recovery
        sec["isSupportGUIDFileDataExport"] = "true" if "guid" in methods else "false"
        sec["isSupportSecurityQuestionConfig"] = "true" if "questions" in methods else "false"
        sec["isSupportSecurityEmail"] = "true" if "email" in methods else "false"
    racm = tree.get("RacmCap")
    if racm and "inputProxyNums" in racm:
        racm["inputProxyNums"] = str(device.spec.profile.input_proxy_nums)
    return tree


def device_cap(device) -> dict:
    return _per_device(device, recorded(device.spec.profile.name))


def security_cap(device, *, nested: bool) -> dict:
    """SecurityCap as embedded in DeviceCap; /ISAPI/Security/capabilities answers the same tree
    (§4.3), rendered as a root element."""
    sec = dict(device_cap(device).get("SecurityCap") or {})
    if not nested:
        sec.pop("@version", None)
        sec.pop("@xmlns", None)
    return sec


@lru_cache(maxsize=None)
def recorded_document(name: str) -> tuple:
    """(root, tree) of a recorded document kept as emulator/data/<name>.json (its "source" key
    says where it comes from)."""
    with open(os.path.join(DATA_DIR, f"{name}.json"), encoding="utf-8") as fh:
        doc = json.load(fh)
    (root, tree), = [(k, v) for k, v in doc.items() if k != "source"]
    return root, tree
