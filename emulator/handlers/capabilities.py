"""Capability trees per profile, trimmed from the HN fixture dumps of real devices."""
from __future__ import annotations

import hashlib

from ..profiles import Profile


def _nested(profile: Profile) -> dict:
    # Cameras repeat version/xmlns on each capability block; the isapi.org NVR does not (HN).
    if profile.kind == "camera":
        return {"@version": "2.0", "@xmlns": profile.namespace}
    return {}


def security_cap(device, *, nested: bool) -> dict:
    profile = device.spec.profile
    low, high = profile.password_len
    head = _nested(profile) if nested else {}
    limits = {"LoginPasswordLenLimit": {"@min": low, "@max": high}}
    if profile.name == "legacy_camera":
        return {**head, "supportUserNums": 32, "userBondIpNums": 0, "userBondMacNums": 0,
                "isSupCertificate": True, "issupIllegalLoginLock": True,
                "SecurityLimits": limits}
    salt = hashlib.sha256(("salt" + device.spec.serial).encode()).hexdigest()
    web_cert = {"CertificateType": {"@opt": "digest,digest/basic"},
                "SecurityAlgorithm": {"algorithmType": {"@opt": "MD5,SHA256,MD5/SHA256"}}}
    if profile.kind == "nvr":
        return {**head, "supportUserNums": 32, "userBondIpNums": 1, "userBondMacNums": 1,
                "issupIllegalLoginLock": True, "securityVersion": {"@opt": "1"},
                "keyIterateNum": 100, "isSupportUserCheck": True, "SecurityLimits": limits,
                "isSupportGetOnlineUserListSC": True, "isSupportONVIFUserManagement": True,
                "WebCertificateCap": {"CertificateType": {"@opt": "digest,digest/basic", "#text": "digest"},
                                      "SecurityAlgorithm": web_cert["SecurityAlgorithm"]},
                "isSupportConfigFileImport": True, "isSupportConfigFileExport": True,
                "cfgFileSecretKeyLenLimit": {"@min": 1, "@max": 16},
                "isSupportDeviceCertificatesManagement": True}
    return {**head, "supportUserNums": 32, "userBondIpNums": 0, "userBondMacNums": 0,
            "isSupCertificate": True, "issupIllegalLoginLock": True, "isSupportOnlineUser": True,
            "isSupportAnonymous": False, "isSupportStreamEncryption": False,
            "securityVersion": {"@opt": "1"}, "keyIterateNum": 100, "isSupportUserCheck": True,
            "SecurityLimits": {**limits, "SecurityAnswerLenLimit": {"@min": 1, "@max": 128}},
            "RSAKeyLength": {"@opt": "1024,2048", "@def": "2048"},
            "isSupportONVIFUserManagement": True, "WebCertificateCap": web_cert,
            "isSupportConfigFileImport": True, "isSupportConfigFileExport": True,
            "cfgFileSecretKeyLenLimit": {"@min": 1, "@max": 16},
            "isIrreversible": True, "salt": salt,
            "maxIllegalLoginTimes": {"@min": 3, "@max": 20, "@def": 7},
            "maxIllegalLoginLockTime": {"@min": 1, "@max": 120, "@def": 30}}


def _network_cap(profile: Profile) -> dict:
    flags = {
        "isSupportWireless": False, "isSupportPPPoE": True, "isSupportBond": False,
        "isSupport802_1x": profile.name != "legacy_camera", "isSupportNtp": True,
        "isSupportFtp": profile.kind == "camera", "isSupportUpnp": True, "isSupportDdns": True,
        "isSupportHttps": True, "SnmpCap": {"isSupport": True}, "isSupportIPFilter": True,
        "isSupportEZVIZ": True, "isSupportEhome": profile.name != "legacy_camera",
    }
    if profile.name != "legacy_camera":
        flags.update({"isSupportMACFilter": profile.kind == "camera", "isSupportIntegrate": True,
                      "isSupportWebSocket": True})
    if profile.name == "current_camera":
        flags.update({"isSupportWebSocketS": True, "isSupportEmailEncrypt": True})
    return {**_nested(profile), **flags}


def device_cap(device) -> dict:
    profile = device.spec.profile
    nested = _nested(profile)
    camera = profile.kind == "camera"
    sys_cap = {
        "isSupportDst": True,
        "NetworkCap": _network_cap(profile),
        "IOCap": {**nested, "IOInputPortNums": 1 if camera else 4, "IOOutputPortNums": 1},
        "VideoCap": {**nested, "videoInputPortNums": 0, "videoOutputPortNums": 0 if camera else 3},
        "AudioCap": {**nested, "audioInputNums": 1, "audioOutputNums": 1},
    }
    tree = {"SysCap": sys_cap, "voicetalkNums": 1 if camera else 2, "isSupportSnapshot": True,
            "SecurityCap": security_cap(device, nested=True)}
    if profile.kind == "nvr":
        tree["RacmCap"] = {"isSupportZeroChan": True, "inputProxyNums": profile.input_proxy_nums,
                           "eSATANums": 0, "miniSASNums": 0, "nasNums": 8, "ipSanNums": 8,
                           "isSupportRaid": False, "isSupportIpcImport": True,
                           "isSupportActivateIpc": True}
    elif profile.name == "current_camera":
        tree["RacmCap"] = {**nested, "nasNums": 8}
    return tree
