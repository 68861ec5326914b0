"""Online upgrade (docs/developer/isapi-reference.md, §9.3) and the `?format=json` answers the
sources show for it (§1.2, §13.1).

Emulated devices have no route to the vendor's upgrade server, so they report that no new
version is known and nothing is downloading. The current camera and the NVR have the resource;
legacy firmware answers statusCode 4 `notSupport` with an extra `description`, as unsupported
models do (§9.3). With `?format=json` the same answers come as JSON, and ResponseStatus takes its
JSON form (`requestURL`, `statusCode`, `statusString`, `subStatusCode`, `errorCode`, `errorMsg`).
"""
from __future__ import annotations

from aiohttp import web

from ..errors import STATUS_STRINGS, SUB_CODES, IsapiError
from ..responses import SERVER_HEADER, xml_response
from ..router import route

UNSUPPORTED = "the device does not support online upgrade"


def wants_json(ctx) -> bool:
    return ctx.request.query.get("format", "").lower() == "json"


def json_status(ctx, sub: str, message: str = "", http=None) -> web.Response:
    status_code, error_code, default_http = SUB_CODES[sub]
    body = {"requestURL": ctx.path, "statusCode": status_code,
            "statusString": STATUS_STRINGS[status_code], "subStatusCode": sub,
            "errorCode": error_code or 0, "errorMsg": message or sub}
    response = web.json_response(body, status=http or default_http)
    response.headers["Server"] = SERVER_HEADER
    return response


def answer(ctx, root: str, tree: dict) -> web.Response:
    if wants_json(ctx):
        response = web.json_response({root: tree})
        response.headers["Server"] = SERVER_HEADER
        return response
    return ctx.reply(root, tree)


def _supported(ctx):
    """None when supported, else the not-supported answer (XML with description, or JSON)."""
    if ctx.profile.name != "legacy_camera":
        return None
    if wants_json(ctx):
        return json_status(ctx, "notSupport", UNSUPPORTED)
    status_code, error_code, http = SUB_CODES["notSupport"]
    tree = {"requestURL": ctx.path, "statusCode": status_code,
            "statusString": STATUS_STRINGS[status_code], "subStatusCode": "notSupport",
            "description": UNSUPPORTED}
    return xml_response(ctx.device, "ResponseStatus", tree, status=http,
                        version=ctx.profile.status_version)


def _installed(ctx) -> str:
    from .system import installed_firmware
    version, build = installed_firmware(ctx.device)
    return f"{version} {build}"


DOCUMENTS = {
    "capabilities": ("OnlineUpgradeCap", lambda ctx: {
        "isSupportServer": True, "isSupportVersion": True, "isSupportDownloadPackage": True,
        "isSupportUpgradeWithoutDownload": True}),
    "status": ("OnlineUpgradeStatus", lambda ctx: {"status": "notUpgrade", "percent": 0}),
    "server": ("OnlineUpgradeServer", lambda ctx: {"connectStatus": False}),
    "version": ("OnlineUpgradeVersion", lambda ctx: {
        "newVersionAvailable": False, "currentVersion": _installed(ctx)}),
    "downloadPackage/status": ("DownloadPackageStatus", lambda ctx: {"status": "notDownload",
                                                                     "percent": 0}),
}


def _document(path: str, root: str, builder) -> None:
    @route("GET", f"/ISAPI/System/onlineUpgrade/{path}")
    async def get_document(ctx):
        refused = _supported(ctx)
        return refused if refused is not None else answer(ctx, root, builder(ctx))


for _path, (_root, _builder) in DOCUMENTS.items():
    _document(_path, _root, _builder)


@route(("PUT",), "/ISAPI/System/onlineUpgrade/{action:downloadPackage|upgradeWithoutDownload}")
async def start_online_upgrade(ctx):
    refused = _supported(ctx)
    if refused is not None:
        return refused
    # No upgrade server is reachable from an emulated device: nothing to download (⚠ the
    # firmware's exact answer is not in the sources).
    if wants_json(ctx):
        return json_status(ctx, "invalidOperation", "no new version available")
    raise IsapiError("invalidOperation", detail="no new version available")
