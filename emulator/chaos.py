"""Random fault mode: each request is hit, with a given probability, by one fault of a given set
of kinds (README, "How faults work"), so a soak's "10% of requests" is literal and counted.

What each kind does to the request it hits:
  busy     503 deviceBusy before authentication; nothing applied
  refuse   the connection is closed unanswered and the device stops listening for
           refuse_seconds; nothing applied
  timeout  the request is held timeout_ms (past the client's read timeout), then its connection
           is closed unanswered; nothing applied
  drop     a write (non-GET) is applied, then its connection is closed unanswered
  reboot   the request is answered (whatever the answer, a 401 too), then the device reboots
           (a real reboot: its reboot time, staged network settings applied, log event faultReboot)
drop is only drawn for writes. A drop drawn for a write that never reaches a handler (a 401, an
unknown path) does not happen and is not counted: faults_injected counts what did.
"""
from __future__ import annotations

import random
from typing import Optional

from .state import RANDOM_KINDS, RandomFaults

BEFORE_HANDLER = ("busy", "refuse", "timeout")


def parse(data, name: str) -> Optional[RandomFaults]:
    """The control API's {"rate": 0.1, "kinds": [...], "seed": 7, "timeout_ms": .., "refuse_seconds": ..};
    None (or rate 0) switches the mode off. Raises ValueError on bad input."""
    if data is None:
        return None
    if not isinstance(data, dict):
        raise ValueError("random must be an object")
    unknown = set(data) - {"rate", "kinds", "seed", "timeout_ms", "refuse_seconds"}
    if unknown:
        raise ValueError(f"unknown random keys {sorted(unknown)}")
    rate = float(data.get("rate", 0))
    if not 0 <= rate <= 1:
        raise ValueError("rate must be between 0 and 1")
    if rate == 0:
        return None
    kinds = tuple(data.get("kinds") or RANDOM_KINDS)
    bad = [k for k in kinds if k not in RANDOM_KINDS]
    if bad:
        raise ValueError(f"unknown kinds {bad}; known: {list(RANDOM_KINDS)}")
    seed = data.get("seed")
    faults = RandomFaults(rate=rate, kinds=kinds, seed=None if seed is None else int(seed),
                          timeout_ms=max(0, int(data.get("timeout_ms", RandomFaults.timeout_ms))),
                          refuse_seconds=max(0.0, float(data.get("refuse_seconds",
                                                                 RandomFaults.refuse_seconds))))
    # One generator per device, seeded with the device's name: the draws of one device do not
    # depend on how requests to the others interleave.
    faults.rng = random.Random(None if seed is None else f"{int(seed)}:{name}")
    return faults


def public(faults: Optional[RandomFaults]) -> Optional[dict]:
    if faults is None:
        return None
    return {"rate": faults.rate, "kinds": list(faults.kinds), "seed": faults.seed,
            "timeout_ms": faults.timeout_ms, "refuse_seconds": faults.refuse_seconds}


def draw(device, method: str) -> Optional[str]:
    """The fault that hits this request, if any (not yet counted: see injected())."""
    faults = device.faults.random
    if faults is None:
        return None
    device.counters.random_requests += 1
    rng = faults.rng
    if rng.random() >= faults.rate:
        return None
    kinds = [k for k in faults.kinds if k != "drop" or method != "GET"]
    return rng.choice(kinds) if kinds else None


def injected(device, kind: str) -> None:
    counts = device.counters.faults_injected
    counts[kind] = counts.get(kind, 0) + 1
