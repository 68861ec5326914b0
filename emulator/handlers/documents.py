"""Read-write documents described as data: a template tree (recorded or from the sources), the
elements a PUT may change with their checks, and the device state that keeps the changes.

`document_resource(path, root, template, fields)` registers GET and PUT for a resource; GET
answers the template with the stored values put in, PUT validates every listed element present
in the body before storing any (a rejected body changes nothing). Elements not listed are
accepted and not modelled, as on the rest of the emulator.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Callable, Optional

from .. import xmlgen
from ..errors import IsapiError
from ..router import route
from ..state import register_area


@dataclass(frozen=True)
class Field:
    path: str  # element path inside the root, e.g. "MotionDetectionLayout/sensitivityLevel"
    kind: str = "bool"  # bool | int | choice | text
    low: Optional[int] = None
    high: Optional[int] = None
    choices: tuple = ()
    max_len: int = 128


@dataclass
class Documents:
    # resource key (path with its ids) -> {element path: value}
    values: dict = field(default_factory=dict)


register_area("documents", lambda spec: Documents())


def check(f: Field, raw: str):
    where = f"<{f.path}>"
    if f.kind == "bool":
        try:
            return xmlgen.to_bool(raw)
        except ValueError:
            raise IsapiError("badParameters", detail=f"{where} is not true/false") from None
    if f.kind == "int":
        try:
            number = int(raw)
        except ValueError:
            raise IsapiError("badParameters", detail=f"{where} is not an integer") from None
        if (f.low is not None and number < f.low) or (f.high is not None and number > f.high):
            raise IsapiError("badParameters", detail=f"{where} out of range {f.low}-{f.high}")
        return number
    if f.kind == "choice":
        if raw not in f.choices:
            raise IsapiError("badParameters", detail=f"{where} must be one of {', '.join(f.choices)}")
        return raw
    if len(raw) > f.max_len:
        raise IsapiError("badParameters", detail=f"{where} longer than {f.max_len}")
    return raw


def parse(doc, fields) -> dict:
    """Validated values of the listed elements the body carries."""
    found = {}
    for f in fields:
        raw = xmlgen.text(doc, f.path)
        if raw is not None:
            found[f.path] = check(f, raw)
    return found


def put_path(tree: dict, path: str, value) -> None:
    *parents, leaf = path.split("/")
    node = tree
    for name in parents:
        child = node.get(name)
        if isinstance(child, list) and child and isinstance(child[0], dict):
            child = child[0]  # a path through a list names its first entry, like xmlgen.text
        elif not isinstance(child, dict):
            child = node[name] = {}
        node = child
    old = node.get(leaf)
    if isinstance(old, dict) and "#text" in old:  # keep the element's opt/min/max attributes
        old["#text"] = value
    else:
        node[leaf] = value


def render(template: dict, values: dict) -> dict:
    tree = copy.deepcopy(template)
    for path, value in values.items():
        put_path(tree, path, value)
    return tree


def stored(device, key: str) -> dict:
    return device.state.areas["documents"].values.get(key, {})


def store(device, key: str, values: dict) -> None:
    area = device.state.areas["documents"]
    area.values[key] = {**area.values.get(key, {}), **values}


def document_resource(path: str, root: str, template: Callable, fields: tuple, *,
                      kinds=("camera", "nvr"), writable: bool = True,
                      check_ids: Optional[Callable] = None) -> None:
    """template(ctx) -> tree (no version/xmlns: the reply adds the profile's), or raises
    IsapiError; check_ids(ctx) validates the path's ids first."""

    def key(ctx) -> str:
        return ctx.request.path

    @route("GET", path, kinds=kinds)
    async def get_document(ctx):
        if check_ids:
            check_ids(ctx)
        return ctx.reply(root, render(template(ctx), stored(ctx.device, key(ctx))))

    if not writable:
        return

    @route("PUT", path, kinds=kinds)
    async def put_document(ctx):
        if check_ids:
            check_ids(ctx)
        template(ctx)  # a resource the device lacks answers before the body is read
        store(ctx.device, key(ctx), parse(ctx.xml(root), fields))
        return ctx.ok()
