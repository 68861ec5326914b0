"""Alarm inputs and outputs (`/ISAPI/System/IO/inputs|outputs`, their ids and `/status`).

Port counts follow the device's capability tree (IOCap: cameras 1 input, the NVR 4; one output
each). The input document is the recorded one of the model; the status document is the recorded
`IOPortStatus`. An input's state follows the alarms injected through the control API
(`POST /devices/<name>/events`, type `IO`); an output's follows `PUT .../outputs/<id>/trigger`
(`IOPortData/outputState` `high` = active, `low` = inactive).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .. import xmlgen
from ..errors import IsapiError
from ..router import route
from ..state import register_area
from .documents import Field, document_resource, render, stored
from .recorded import recorded, strip_head

INPUT_FIELDS = (Field("enabled"), Field("triggering", "choice", choices=("high", "low")),
                Field("name", "text", max_len=32))
OUTPUT_STATES = {"high": True, "low": False}


@dataclass
class IOState:
    inputs_active: list = field(default_factory=list)  # input ids whose alarm is on
    outputs_active: list = field(default_factory=list)


register_area("io", lambda spec: IOState())


def port_counts(device) -> tuple:
    """(inputs, outputs) as the capability tree advertises them."""
    return (1 if device.spec.kind == "camera" else 4), 1


def _port(ctx, direction: str) -> int:
    try:
        port = int(ctx.params["id"])
    except ValueError:
        raise IsapiError("invalidID") from None
    count = port_counts(ctx.device)[0 if direction == "input" else 1]
    if not 1 <= port <= count:
        raise IsapiError("invalidID")
    return port


def input_tree(device, port: int) -> dict:
    found = recorded(device.spec, "io_input")
    tree = strip_head(found[1]) if found else {"id": 1, "enabled": False, "triggering": "low", "name": None}
    tree["id"] = port
    return tree


def output_tree(device, port: int) -> dict:
    # Not in the recordings: the element names of the ISAPI guides' IOOutputPort (README ⚠).
    return {"id": port, "PowerOnState": {"defaultState": "low", "outputState": "pulse",
                                         "pulseDuration": 1000}, "name": None}


TREES = {"input": ("inputs", input_tree), "output": ("outputs", output_tree)}

document_resource("/ISAPI/System/IO/inputs/{id:\\d+}", "IOInputPort",
                  lambda ctx: input_tree(ctx.device, _port(ctx, "input")), INPUT_FIELDS)
document_resource("/ISAPI/System/IO/outputs/{id:\\d+}", "IOOutputPort",
                  lambda ctx: output_tree(ctx.device, _port(ctx, "output")), (), writable=False)


def status_tree(port: int, direction: str, active: bool) -> dict:
    return {"ioPortID": port, "ioPortType": direction, "ioState": "active" if active else "inactive"}


def _list(ctx, direction: str) -> list:
    count = port_counts(ctx.device)[0 if direction == "input" else 1]
    plural, tree = TREES[direction]
    head = {"@version": "2.0", "@xmlns": ctx.profile.namespace} if ctx.profile.kind == "camera" else {}
    return [{**head, **render(tree(ctx.device, port), stored(ctx.device, f"/ISAPI/System/IO/{plural}/{port}"))}
            for port in range(1, count + 1)]


@route("GET", "/ISAPI/System/IO/inputs")
async def list_inputs(ctx):
    return ctx.reply("IOInputPortList", {"IOInputPort": _list(ctx, "input")})


@route("GET", "/ISAPI/System/IO/outputs")
async def list_outputs(ctx):
    return ctx.reply("IOOutputPortList", {"IOOutputPort": _list(ctx, "output")})


@route("GET", "/ISAPI/System/IO/inputs/{id:\\d+}/status")
async def input_status(ctx):
    port = _port(ctx, "input")
    active = port in ctx.state.areas["io"].inputs_active
    return ctx.reply("IOPortStatus", status_tree(port, "input", active))


@route("GET", "/ISAPI/System/IO/outputs/{id:\\d+}/status")
async def output_status(ctx):
    port = _port(ctx, "output")
    active = port in ctx.state.areas["io"].outputs_active
    return ctx.reply("IOPortStatus", status_tree(port, "output", active))


@route("PUT", "/ISAPI/System/IO/outputs/{id:\\d+}/trigger")
async def trigger_output(ctx):
    port = _port(ctx, "output")
    state = xmlgen.text(ctx.xml("IOPortData"), "outputState")
    if state not in OUTPUT_STATES:
        raise IsapiError("badParameters", detail="<outputState> must be high or low")
    active = ctx.state.areas["io"].outputs_active
    if OUTPUT_STATES[state] and port not in active:
        active.append(port)
    elif not OUTPUT_STATES[state] and port in active:
        active.remove(port)
    return ctx.ok()
