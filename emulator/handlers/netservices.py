"""UPnP, e-mail and the remote log server (docs/developer/isapi-reference.md, §11.4, §11.10,
§12.4).

* `/ISAPI/System/Network/UPnP` (root `UPnP`, `enabled`) is the same switch as the interface's
  `Discovery/UPnP/enabled` (handlers/network.py): either resource changes both.
* E-mail: cameras `/ISAPI/System/Network/mailing/<id>` with root `mailing` (the QB element set);
  the NVR the list form `/ISAPI/System/Network/mailing` (`mailingList`). One sender, three
  receivers. An SMTP password is accepted and never shown.
* `/ISAPI/System/logServer` (root `LogServer`, with `transmissionEncryption`): ⚠ the element set
  beyond the guide's `transmissionEncryption` is not in the sources. Not on the 2017 legacy
  firmware (the guide dates the resource's encryption switch 2019).
"""
from __future__ import annotations

from ..errors import IsapiError
from ..router import route
from .common import need_bool
from .documents import Field, document_resource

RECEIVERS = 3
MAILING_FIELDS = (
    Field("sender/emailAddress", "text", max_len=64), Field("sender/name", "text", max_len=32),
    Field("sender/smtp/enableAuthorization"), Field("sender/smtp/enableSSL"),
    Field("sender/smtp/addressingFormatType", "choice", choices=("hostname", "ipaddress")),
    Field("sender/smtp/hostName", "text", max_len=64), Field("sender/smtp/portNo", "int", 1, 65535),
    Field("sender/smtp/accountName", "text", max_len=64), Field("sender/smtp/enableTLS"),
    Field("sender/smtp/startTLS"), Field("attachment/snapshot/enabled"),
    Field("attachment/snapshot/interval", "int", 1, 10),
) + tuple(Field(f"receiverList/receiver/{key}", "text", max_len=64) for key in ("name", "emailAddress"))
LOG_FIELDS = (
    Field("enabled"), Field("addressingFormatType", "choice", choices=("ipaddress", "hostname")),
    Field("ipAddress", "text", max_len=15), Field("hostName", "text", max_len=64),
    Field("portNo", "int", 1, 65535), Field("transmissionEncryption"),
)


# --- UPnP ---------------------------------------------------------------------------------------
@route("GET", "/ISAPI/System/Network/UPnP")
async def get_upnp(ctx):
    return ctx.reply("UPnP", {"enabled": ctx.state.link.upnp})


@route("PUT", "/ISAPI/System/Network/UPnP")
async def put_upnp(ctx):
    ctx.state.link.upnp = need_bool(ctx.xml("UPnP"), "enabled")
    return ctx.ok()


# --- e-mail -------------------------------------------------------------------------------------
def mailing_tree(mail_id: int) -> dict:
    return {
        "id": mail_id,
        "sender": {"emailAddress": None, "name": None, "smtp": {
            "enableAuthorization": False, "enableSSL": False, "addressingFormatType": "hostname",
            "hostName": None, "portNo": 25, "accountName": None, "enableTLS": False, "startTLS": False}},
        "receiverList": {"receiver": [{"id": n, "name": None, "emailAddress": None}
                                      for n in range(1, RECEIVERS + 1)]},
        "attachment": {"snapshot": {"enabled": False, "interval": 2}},
    }


def _camera_mailing(ctx) -> dict:
    if ctx.params["id"] != "1":
        raise IsapiError("invalidID")
    return mailing_tree(1)


document_resource("/ISAPI/System/Network/mailing/{id}", "mailing", _camera_mailing, MAILING_FIELDS,
                  kinds=("camera",))
document_resource("/ISAPI/System/Network/mailing", "mailingList",
                  lambda ctx: {"mailing": mailing_tree(1)},
                  tuple(Field(f"mailing/{f.path}", f.kind, f.low, f.high, f.choices, f.max_len)
                        for f in MAILING_FIELDS), kinds=("nvr",))


# --- remote log server --------------------------------------------------------------------------
def log_server(ctx) -> dict:
    if ctx.profile.name == "legacy_camera":
        raise IsapiError("notSupport", http=404)
    return {"enabled": False, "addressingFormatType": "ipaddress", "ipAddress": "0.0.0.0",
            "portNo": 514, "transmissionEncryption": False}


document_resource("/ISAPI/System/logServer", "LogServer", log_server, LOG_FIELDS)
