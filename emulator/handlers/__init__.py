"""ISAPI resources. Each module registers its routes with emulator.router.route at import;
add a module here to add resources."""
from . import activation, configdata, firmware, contentmgmt, inputproxy, logsearch, network, security, securitycfg, services, system, timesync, users  # noqa: F401
# Resources answered from the recordings of real devices (handlers/recorded.py).
from . import events, io, storage, streaming, video  # noqa: F401
