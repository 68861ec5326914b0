"""ISAPI resources. Each module registers its routes with emulator.router.route at import;
add a module here to add resources."""
# Fixed /capabilities paths first: routes match in registration order (handlers/capdocs.py).
from . import capdocs  # noqa: F401
from . import activation, configdata, firmware, contentmgmt, inputproxy, logsearch, network, recovery, security, securitycfg, services, system, timesync, users  # noqa: F401
# Resources answered from the recordings of real devices (handlers/recorded.py).
from . import events, io, netservices, onlineupgrade, onvif, sessionlogin, storage, streaming, video  # noqa: F401
