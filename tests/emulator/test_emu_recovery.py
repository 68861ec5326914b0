"""The emulator's recovery resources (docs/developer/recovery-reference.md, §1-§5): offered only
where the fleet's recovery key says the firmware has them, the security mode of §2 decrypted with
the logged-in user's key, the device's refusals, and no secret in the control API.
Subnet 127.47.0.0/16 (+50 per xdist worker), ports 80/443."""
import base64
import binascii
import hashlib
import json

import pytest
from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from emuhelp import net, Client, sub_status, text, xml
from emulator.testing import RunningFleet

N = net(47)
PW = {"full": "Full-Pass-0001", "none": "None-Pass-0001", "old": "Old-Pass-00001"}
FLEET = {
    "time_scale": 0.01,
    "subnet": f"{N}.0.0/16",
    "defaults": {"lock_attempts": 3},
    "sites": [{"name": "rec", "devices": [
        {"name": "full", "profile": "current_camera", "password": PW["full"],
         "recovery": ["guid", "questions", "email", "hik_connect"]},
        {"name": "none", "profile": "current_camera", "password": PW["none"]},
        {"name": "old", "profile": "legacy_camera", "password": PW["old"], "recovery": ["questions"]},
    ]}],
}
IV = "00112233445566778899aabbccddeeff"


@pytest.fixture(scope="module")
def fleet(tmp_path_factory):
    with RunningFleet(FLEET, out_dir=tmp_path_factory.mktemp("recovery"),
                      extra_args=["--sadp", "--sadp-reply", "unicast"]) as running:
        yield running


@pytest.fixture(autouse=True)
def fresh(fleet):
    for name, password in PW.items():
        fleet.control.provision(name, activated=True, password=password)
    yield


def client(fleet, name):
    return Client(fleet, name, password=PW[name])


def area(fleet, name):
    return fleet.control.state(name)["areas"]["recovery"]


def key_of(c, password):
    """§2.2, computed from the device's own SecurityCap (a third copy, on purpose)."""
    cap = xml(c.get("/ISAPI/Security/capabilities?username=admin"))
    salt, n = cap.findtext("{*}salt"), int(cap.findtext("{*}keyIterateNum"))
    h = lambda s: hashlib.sha256(s.encode()).hexdigest()  # noqa: E731
    k = h(h("admin" + salt + password) + "AaBbCcDd1234!@#$")
    for _ in range(n - 1):
        k = h(k)
    return k[:32]


def enc(key, value):
    padder = padding.PKCS7(128).padder()
    data = padder.update(base64.b64encode(value.encode())) + padder.finalize()
    e = Cipher(algorithms.AES(binascii.unhexlify(key)), modes.CBC(binascii.unhexlify(IV))).encryptor()
    return binascii.hexlify(e.update(data) + e.finalize()).decode()


def questions_body(answers, password):
    qs = "".join(f"<Question><id>{i}</id><answer>{a}</answer></Question>" for i, a in enumerate(answers, 1))
    pw = f"<password>{password}</password>" if password is not None else ""
    return f"<SecurityQuestion><QuestionList>{qs}</QuestionList>{pw}</SecurityQuestion>".encode()


def test_capabilities_follow_the_recovery_key(fleet):
    cap = xml(client(fleet, "full").get("/ISAPI/Security/capabilities"))
    assert [cap.findtext("{*}" + f) for f in ("isSupportGUIDFileDataExport", "isSupportSecurityQuestionConfig",
                                             "isSupportSecurityEmail")] == ["true", "true", "true"]
    cap = xml(client(fleet, "none").get("/ISAPI/Security/capabilities"))
    # as recorded from the real V5.7.18 camera: questions false, the other two absent
    assert cap.findtext("{*}isSupportSecurityQuestionConfig") == "false"
    assert cap.find("{*}isSupportGUIDFileDataExport") is None
    for path in ("/ISAPI/Security/questionConfiguration", "/ISAPI/Security/email/parameter?format=json"):
        resp = client(fleet, "none").get(path)
        assert resp.status_code == 403 and sub_status(resp) == "notSupport"


def test_questions_in_security_mode_are_marked_and_never_read_back(fleet):
    c = client(fleet, "full")
    key = key_of(c, PW["full"])
    answers = ["answer-one", "answer-two", "answer-three"]
    body = questions_body([enc(key, a) for a in answers], enc(key, PW["full"]))
    resp = c.put(f"/ISAPI/Security/questionConfiguration?security=1&iv={IV}", body)
    assert resp.status_code == 200, resp.text
    got = c.get("/ISAPI/Security/questionConfiguration")
    assert [m.text for m in xml(got).findall(".//{*}mark")] == ["true"] * 3
    assert "answer-one" not in got.text
    assert area(fleet, "full")["questions"] == [1, 2, 3]
    assert "answer-one" not in json.dumps(fleet.control.state("full"))


def test_questions_refusals(fleet):
    c = client(fleet, "full")
    ok = ["a1", "a2", "a3"]
    assert c.put("/ISAPI/Security/questionConfiguration", questions_body(ok, None)).status_code == 400
    wrong = c.put("/ISAPI/Security/questionConfiguration", questions_body(ok, "Wrong-Pass-01"))
    assert wrong.status_code == 400 and sub_status(wrong) == "loginPasswordError"
    dup = c.put("/ISAPI/Security/questionConfiguration", questions_body(["x", "x", "y"], PW["full"]))
    assert dup.status_code == 403 and sub_status(dup) == "invalidOperation"
    two = c.put("/ISAPI/Security/questionConfiguration", questions_body(["x", "y"], PW["full"]))
    assert two.status_code == 400 and sub_status(two) == "badParameters"
    # an answer encrypted with another password's key is a wrong value, not a crash
    other = key_of(c, "Not-The-Pass1")
    bad = c.put(f"/ISAPI/Security/questionConfiguration?security=1&iv={IV}",
                questions_body([enc(other, a) for a in ok], enc(other, PW["full"])))
    assert bad.status_code == 400 and sub_status(bad) == "loginPasswordError"
    assert area(fleet, "full")["questions"] == [] and area(fleet, "full")["writes"] == 0


def test_plain_questions_on_firmware_without_security_mode(fleet):
    c = client(fleet, "old")
    assert c.put("/ISAPI/Security/questionConfiguration", questions_body(["a", "b", "c"], PW["old"])).status_code == 200
    assert area(fleet, "old")["questions"] == [1, 2, 3]
    refused = c.put(f"/ISAPI/Security/questionConfiguration?security=1&iv={IV}", questions_body(["a", "b", "c"], PW["old"]))
    assert refused.status_code == 400 and sub_status(refused) == "badParameters"


def test_reserved_email_is_masked_in_a_get(fleet):
    c = client(fleet, "full")
    body = {"SecurityEmail": {"SecurityInformation": [{"emailAddress": "ops@example.com"}], "password": PW["full"]}}
    resp = c.put("/ISAPI/Security/email/parameter?format=json", json.dumps(body).encode())
    assert resp.status_code == 200 and resp.json()["subStatusCode"] == "ok"
    shown = c.get("/ISAPI/Security/email/parameter?format=json").json()
    assert shown["SecurityEmail"]["SecurityInformation"] == [{"emailAddress": "o****@example.com"}]
    body["SecurityEmail"]["password"] = "Wrong-Pass-01"
    resp = c.put("/ISAPI/Security/email/parameter?format=json", json.dumps(body).encode())
    assert resp.status_code == 400 and resp.json()["subStatusCode"] == "loginPasswordError"


def test_guid_export_in_security_mode_and_its_lock(fleet):
    c = client(fleet, "full")
    key = key_of(c, PW["full"])
    url = f"/ISAPI/Security/GUIDFileData?security=1&iv={IV}"
    plain = c.post("/ISAPI/Security/GUIDFileData", f"<LoginPassword><password>{PW['full']}</password></LoginPassword>".encode())
    assert plain.status_code == 400  # never in plain text
    good = c.post(url, f"<LoginPassword><password>{enc(key, PW['full'])}</password></LoginPassword>".encode())
    assert good.status_code == 200 and len(good.content) == 128
    retries = []
    for _ in range(3):
        bad = c.post(url, f"<LoginPassword><password>{enc(key, 'Wrong-Pass-01')}</password></LoginPassword>".encode())
        retries.append((bad.status_code, text(bad, "lockStatus"), text(bad, "retryTimes")))
    assert retries == [(400, "unlock", "2"), (400, "unlock", "1"), (403, "locked", "0")]
    locked = c.post(url, f"<LoginPassword><password>{enc(key, PW['full'])}</password></LoginPassword>".encode())
    assert locked.status_code == 403 and text(locked, "lockStatus") == "locked"
    assert int(text(locked, "resLockTime")) > 0
    assert good.content.decode() not in json.dumps(fleet.control.state("full"))


def _sadp_reset(fleet, name, method, secret, new_password):
    from ansible_collections.camfleet.hikvision.plugins.module_utils import sadp, recovery_reset
    with sadp.SadpSocket(["lo"]) as sock:
        return recovery_reset.send_reset(sock, sock.link_named("lo"), sadp.normalize_mac(fleet.devices[name]["mac"]),
                                         method, secret, new_password, 3.0, 2)


def _export(c, password):
    key = key_of(c, password)
    return c.post(f"/ISAPI/Security/GUIDFileData?security=1&iv={IV}",
                  f"<LoginPassword><password>{enc(key, password)}</password></LoginPassword>".encode()).content.decode()


def test_guid_reset_works_once_and_dies_with_a_password_change(fleet):
    c = client(fleet, "full")
    guid = _export(c, PW["full"])
    assert _sadp_reset(fleet, "full", "guid", guid, "New-Pass-00001") == "success"
    assert fleet.control.check_password("full", "admin", "New-Pass-00001")
    with pytest.raises(Exception, match="invalidGUID"):  # used up
        _sadp_reset(fleet, "full", "guid", guid, "New-Pass-00002")
    c = Client(fleet, "full", password="New-Pass-00001")
    guid = _export(c, "New-Pass-00001")
    c.put("/ISAPI/Security/users/1", b"<User><id>1</id><userName>admin</userName><password>New-Pass-00003</password>"
          b"<loginPassword>New-Pass-00001</loginPassword></User>")
    assert fleet.control.check_password("full", "admin", "New-Pass-00003")
    with pytest.raises(Exception, match="invalidGUID"):  # exported before the change
        _sadp_reset(fleet, "full", "guid", guid, "New-Pass-00004")
    assert area(fleet, "full")["reset_failures"] == 2


def test_answer_reset_needs_all_three_and_counts_to_the_lock(fleet):
    c = client(fleet, "old")
    c.put("/ISAPI/Security/questionConfiguration", questions_body(["red", "green", "blue"], PW["old"]))
    with pytest.raises(Exception, match=r"AnswerError\); 6 attempt"):
        _sadp_reset(fleet, "old", "answers", ["red", "green", "yellow"], "New-Pass-00001")
    assert fleet.control.check_password("old", "admin", PW["old"])
    assert _sadp_reset(fleet, "old", "answers", ["red", "green", "blue"], "New-Pass-00001") == "success"
    assert area(fleet, "old")["reset_failures"] == 0
    for _ in range(6):
        with pytest.raises(Exception, match="AnswerError"):
            _sadp_reset(fleet, "old", "answers", ["x", "y", "z"], "New-Pass-00002")
    with pytest.raises(Exception, match="refuses password resets for 1 more minute"):
        _sadp_reset(fleet, "old", "answers", ["x", "y", "z"], "New-Pass-00002")
    # locked: even the right answers are refused now
    with pytest.raises(Exception, match="refuses password resets"):
        _sadp_reset(fleet, "old", "answers", ["red", "green", "blue"], "New-Pass-00002")
    assert fleet.control.check_password("old", "admin", "New-Pass-00001")


def test_sadp_reset_on_firmware_without_the_method_fails(fleet):
    with pytest.raises(Exception, match="Result failed"):
        _sadp_reset(fleet, "none", "guid", "f" * 128, "New-Pass-00001")


def test_vendor_request_and_the_support_desk_test_double(fleet):
    from ansible_collections.camfleet.hikvision.plugins.module_utils import sadp, recovery_reset
    mac = sadp.normalize_mac(fleet.devices["none"]["mac"])
    with sadp.SadpSocket(["lo"]) as sock:
        link = sock.link_named("lo")
        first = base64.b64decode(recovery_reset.export_request(sock, link, mac, 3.0))
        assert first[:4] == b"\x03\x00\x00\x00"
        old_key = fleet.control.support_desk("none")
        second = base64.b64decode(recovery_reset.export_request(sock, link, mac, 3.0))
        assert second != first
        key = fleet.control.support_desk("none")
        assert key != old_key and len(key) == 8
        with pytest.raises(Exception, match="codeError"):  # the key of the voided first request
            recovery_reset.send_reset(sock, link, mac, "key", old_key, "New-Pass-00001", 3.0, 2)
        assert recovery_reset.send_reset(sock, link, mac, "key", key, "New-Pass-00001", 3.0, 2) == "success"
    assert fleet.control.check_password("none", "admin", "New-Pass-00001")


def _sadp(fleet, name, types):
    """One MAC-addressed SADP command, its ProbeMatch fields (None when the device stays silent)."""
    from ansible_collections.camfleet.hikvision.plugins.module_utils import sadp
    uid = sadp.new_uuid()
    mac = sadp.normalize_mac(fleet.devices[name]["mac"])
    with sadp.SadpSocket(["lo"]) as sock:
        return sadp.transact(sock, sock.link_named("lo"), types, uid, sadp.build_probe(types, uid, mac=mac), 1.0)


def _set_email(c, password, address):
    body = {"SecurityEmail": {"SecurityInformation": [{"emailAddress": address}], "password": password}}
    assert c.put("/ISAPI/Security/email/parameter?format=json", json.dumps(body).encode()).status_code == 200


def test_extern_capabilities_per_profile_and_recovery_key(fleet):
    cap = xml(client(fleet, "full").get("/ISAPI/Security/extern/capabilities"))
    assert cap.tag.endswith("externSecurityCap")
    assert [cap.findtext("{*}" + f) for f in ("isSupportWithGUIDFileData", "isSupportWithSecurityQuestion",
                                             "isSupportWithSecurityEmail", "isSupportWithHCApp",
                                             "minResetAdminPassWordNum")] == ["true", "true", "true", "true", "0"]
    cap = xml(client(fleet, "none").get("/ISAPI/Security/extern/capabilities"))
    assert cap.findtext("{*}isSupportWithSecurityEmail") == "false" and cap.findtext("{*}isSupportWithHCApp") == "false"
    old = client(fleet, "old").get("/ISAPI/Security/extern/capabilities")
    assert old.status_code == 403 and sub_status(old) == "notSupport"


def test_get_password_reset_type_says_what_is_set_up(fleet):
    c = client(fleet, "full")
    before = _sadp(fleet, "full", "getPasswordResetType")
    assert (before["security_question_enabled"], before["guid_file_data_enabled"], before["security_email_enabled"],
            before["hc_verification_code_enabled"]) == (False, False, False, True)  # Hik-Connect is on as shipped
    c.put("/ISAPI/Security/questionConfiguration", questions_body(["a1", "a2", "a3"], PW["full"]))
    _set_email(c, PW["full"], "ops@example.com")
    _export(c, PW["full"])
    after = _sadp(fleet, "full", "getPasswordResetType")
    assert (after["security_question_enabled"], after["guid_file_data_enabled"],
            after["security_email_enabled"]) == (True, True, True)
    # the ProbeMatch flags follow the recovery key; devices without it stay silent, as for any unknown Types
    from ansible_collections.camfleet.hikvision.plugins.module_utils import sadp
    with sadp.SadpSocket(["lo"]) as sock:
        found = dict((d["mac"], d) for d in sadp.discover(None, timeout=1.0, sock=sock))
    full = found[sadp.normalize_mac(fleet.devices["full"]["mac"])]
    assert (full["support_guid"], full["support_mailbox"], full["support_password_reset_type"]) == (True, True, True)
    assert "support_password_reset_type" not in found[sadp.normalize_mac(fleet.devices["none"]["mac"])]
    assert _sadp(fleet, "none", "getPasswordResetType") is None
    assert _sadp(fleet, "old", "getPasswordResetType") is None


def test_qr_export_and_the_email_code_reset_within_the_budget(fleet):
    c = client(fleet, "full")
    assert _sadp(fleet, "full", "GetQRcodes")["result"] == "notSetMailBox"  # no reserved address yet
    _set_email(c, PW["full"], "ops@example.com")
    qr = _sadp(fleet, "full", "GetQRcodes")
    assert qr["result"] == "success" and qr["mailbox"] == "o****@example.com"
    assert qr["mail_service_box"] == "pw_recovery@hikvision.com"
    assert base64.b64decode(qr["qr_codes"])[:4] == b"\x03\x00\x00\x00"
    assert area(fleet, "full")["request_kind"] == "qr"
    code = fleet.control.verification_code("full")  # the mail service's TEST DOUBLE
    assert len(code) == 8 and code not in json.dumps(fleet.control.state("full"))
    with pytest.raises(Exception, match=r"refused the verification code \(codeError\); 6 attempt"):
        _sadp_reset(fleet, "full", "email_code", "WRONG000", "New-Pass-00001")
    assert fleet.control.check_password("full", "admin", PW["full"])
    assert _sadp_reset(fleet, "full", "email_code", code, "New-Pass-00001") == "success"
    assert fleet.control.check_password("full", "admin", "New-Pass-00001")
    assert area(fleet, "full")["reset_failures"] == 0
    with pytest.raises(Exception, match="no longer holds the QR code"):  # used up
        _sadp_reset(fleet, "full", "email_code", code, "New-Pass-00002")
    # a change of the reserved address voids the code of a QR exported before it
    _sadp(fleet, "full", "GetQRcodes")
    code = fleet.control.verification_code("full")
    _set_email(Client(fleet, "full", password="New-Pass-00001"), "New-Pass-00001", "other@example.com")
    with pytest.raises(Exception, match="no longer holds the QR code"):
        _sadp_reset(fleet, "full", "email_code", code, "New-Pass-00002")
    # a support key answers the QR request as it answers the file
    _sadp(fleet, "full", "GetQRcodes")
    assert _sadp_reset(fleet, "full", "key", fleet.control.support_desk("full"), "New-Pass-00003") == "success"
    assert fleet.control.check_password("full", "admin", "New-Pass-00003")


def test_email_code_on_firmware_without_the_method_fails(fleet):
    assert _sadp(fleet, "none", "GetQRcodes")["result"] == "notSetMailBox"
    with pytest.raises(Exception, match="Result failed"):
        _sadp_reset(fleet, "none", "email_code", "ABCDEFGH", "New-Pass-00001")
