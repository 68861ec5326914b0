"""User management and password policy. Subnet 127.35.0.0/16 (+50 per xdist worker), ports 80/443."""
import pytest
import requests

from emuhelp import net, Client, sub_status, text, xml
from emulator.testing import RunningFleet

N = net(35)  # this module's 127.x prefix (distinct per xdist worker)

ADMIN_PW = "Admin-Pass-01"
FLEET = {
    "time_scale": 0.01,
    "subnet": f"{N}.0.0/16",
    "sites": [{"name": "users", "devices": [
        {"name": "cur", "profile": "current_camera", "password": ADMIN_PW},
        {"name": "leg", "profile": "legacy_camera", "password": ADMIN_PW},
        {"name": "nvr", "profile": "nvr", "password": ADMIN_PW},
    ]}],
}


@pytest.fixture(scope="module")
def fleet(tmp_path_factory):
    with RunningFleet(FLEET, out_dir=tmp_path_factory.mktemp("users")) as running:
        yield running


@pytest.fixture
def cur(fleet):
    fleet.control.provision("cur", activated=True, password=ADMIN_PW)
    return Client(fleet, "cur", password=ADMIN_PW)


def user_xml(name=None, password=None, level=None, login=ADMIN_PW, uid=None):
    parts = ['<User version="2.0" xmlns="http://www.hikvision.com/ver20/XMLSchema">']
    for tag, value in (("id", uid), ("userName", name), ("password", password), ("userLevel", level),
                       ("loginPassword", login)):
        if value is not None:
            parts.append(f"<{tag}>{value}</{tag}>")
    return "".join(parts) + "</User>"


@pytest.mark.parametrize("password,sub", [
    ("Ab1", "userPwdLenUnder8"),
    ("abcdefghij", "userPwdLenUnder8"),          # one character class
    ("12345678", "userPwdLenUnder8"),
    ("Operator7x", "userPwdNameSame"),
    ("x7rotarepo", "userPwdNameMirror"),
    ("Abcdefgh-12345678", "badParameters"),      # longer than LoginPasswordLenLimit max 16
])
def test_password_policy(cur, password, sub):
    name = "operator7x"
    r = cur.post("/ISAPI/Security/users", user_xml(name, password, "Operator"))
    assert r.status_code == 400 and sub_status(r) == sub, r.text
    assert text(r, "statusCode") == "6"
    assert text(r, "errorCode") is None  # not in the recorded ResponseStatus of this firmware


def test_two_classes_is_enough(cur):
    assert cur.post("/ISAPI/Security/users", user_xml("viewer1", "abcdefg1", "Viewer")).status_code == 200


def test_crud_round_trip(fleet, cur):
    r = cur.get("/ISAPI/Security/users")
    assert r.status_code == 200 and xml(r).tag == "UserList"
    assert [u.findtext("userName") for u in xml(r).findall("User")] == ["admin"]
    r = cur.post("/ISAPI/Security/users", user_xml("op1", "Op-Pass-001", "Operator"))
    assert r.status_code == 200 and sub_status(r) == "ok"
    new_id = text(r, "id")
    assert new_id == "2"
    assert [c.tag for c in xml(r)] == ["requestURL", "statusCode", "statusString", "id", "subStatusCode"]
    r = cur.get(f"/ISAPI/Security/users/{new_id}")
    assert text(r, "userName") == "op1" and text(r, "userLevel") == "Operator"
    assert b"password" not in cur.get("/ISAPI/Security/users").content.lower()
    assert fleet.control.check_password("cur", "op1", "Op-Pass-001")
    r = cur.put(f"/ISAPI/Security/users/{new_id}", user_xml("op1", "Op-Pass-002", "Viewer", uid=new_id))
    assert r.status_code == 200, r.text
    assert text(cur.get(f"/ISAPI/Security/users/{new_id}"), "userLevel") == "Viewer"
    assert fleet.control.check_password("cur", "op1", "Op-Pass-002")
    r = cur.delete(f"/ISAPI/Security/users/{new_id}", params={"loginPassword": ADMIN_PW})
    assert r.status_code == 200
    r = cur.get(f"/ISAPI/Security/users/{new_id}")
    assert r.status_code == 404 and sub_status(r) == "userInexistence"
    assert fleet.control.state("cur")["users"] == [{"id": 1, "name": "admin", "level": "Administrator"}]


def test_delete_with_login_password_in_body(cur):
    cur.post("/ISAPI/Security/users", user_xml("op2", "Op-Pass-001", "Operator"))
    r = cur.delete("/ISAPI/Security/users/2", body=user_xml(login=ADMIN_PW))
    assert r.status_code == 200


def test_login_password_required_on_current(cur):
    r = cur.post("/ISAPI/Security/users", user_xml("op1", "Op-Pass-001", "Operator", login=None))
    assert r.status_code == 400 and sub_status(r) == "loginPasswordError"
    assert text(r, "statusCode") == "4"
    r = cur.post("/ISAPI/Security/users", user_xml("op1", "Op-Pass-001", "Operator", login="wrong"))
    assert r.status_code == 400 and sub_status(r) == "loginPasswordError"
    assert cur.post("/ISAPI/Security/users", user_xml("op1", "Op-Pass-001", "Operator")).status_code == 200
    r = cur.delete("/ISAPI/Security/users/2")
    assert sub_status(r) == "loginPasswordError"


def test_legacy_ignores_login_password(fleet):
    fleet.control.provision("leg", activated=True, password=ADMIN_PW)
    leg = Client(fleet, "leg", password=ADMIN_PW)
    r = leg.post("/ISAPI/Security/users", user_xml("op1", "Op-Pass-001", "Operator", login=None))
    assert r.status_code == 200, r.text
    assert text(r, "errorCode") is None  # legacy ResponseStatus carries no errorCode
    assert leg.post("/ISAPI/Security/users", user_xml("op2", "Op-Pass-001", "Operator", login="x")).status_code == 200
    assert leg.delete("/ISAPI/Security/users/2").status_code == 200


def test_nvr_requires_login_password(fleet):
    fleet.control.provision("nvr", activated=True, password=ADMIN_PW)
    nvr = Client(fleet, "nvr", password=ADMIN_PW)
    r = nvr.post("/ISAPI/Security/users", user_xml("op1", "Op-Pass-001", "Operator", login=None))
    assert sub_status(r) == "loginPasswordError"
    r = nvr.post("/ISAPI/Security/users", user_xml("op1", "Op-Pass-001", "Operator"))
    assert r.status_code == 200 and b"http://www.isapi.org/ver20/XMLSchema" in r.content


def test_duplicate_admin_and_unknown(cur):
    assert cur.post("/ISAPI/Security/users", user_xml("op1", "Op-Pass-001", "Operator")).status_code == 200
    r = cur.post("/ISAPI/Security/users", user_xml("op1", "Op-Pass-001", "Viewer"))
    assert sub_status(r) == "userExist"
    r = cur.post("/ISAPI/Security/users", user_xml("boss", "Op-Pass-001", "Administrator"))
    assert sub_status(r) == "userCannotCreatAdmin"
    r = cur.delete("/ISAPI/Security/users/1", params={"loginPassword": ADMIN_PW})
    assert r.status_code == 403 and sub_status(r) == "userCannotDelAdmin"
    r = cur.delete("/ISAPI/Security/users/9", params={"loginPassword": ADMIN_PW})
    assert r.status_code == 404 and sub_status(r) == "userInexistence"
    r = cur.put("/ISAPI/Security/users/9", user_xml("x", uid=9))
    assert r.status_code == 404
    r = cur.post("/ISAPI/Security/users", user_xml("op3", "Op-Pass-001", "Superuser"))
    assert sub_status(r) == "badParameters"
    r = cur.post("/ISAPI/Security/users", user_xml(None, "Op-Pass-001", "Viewer"))
    assert sub_status(r) == "badXmlContent"


def test_account_limit(cur):
    for i in range(31):
        assert cur.post("/ISAPI/Security/users", user_xml(f"u{i}", "Pass-word-1", "Viewer")).status_code == 200
    assert len(xml(cur.get("/ISAPI/Security/users")).findall("User")) == 32
    r = cur.post("/ISAPI/Security/users", user_xml("u99", "Pass-word-1", "Viewer"))
    assert r.status_code == 403 and sub_status(r) == "invalidOperation"


def test_only_administrators_manage_users(fleet, cur):
    cur.post("/ISAPI/Security/users", user_xml("op1", "Op-Pass-001", "Operator"))
    op = Client(fleet, "cur", user="op1", password="Op-Pass-001")
    assert op.get("/ISAPI/Security/users").status_code == 200
    r = op.post("/ISAPI/Security/users", user_xml("op9", "Op-Pass-001", "Viewer", login="Op-Pass-001"))
    assert r.status_code == 403 and sub_status(r) == "lowPrivilege"
    r = op.put("/ISAPI/System/deviceInfo", "<DeviceInfo><deviceName>x</deviceName></DeviceInfo>")
    assert sub_status(r) == "lowPrivilege"


def test_password_change_invalidates_old_credential(fleet, cur):
    r = cur.put("/ISAPI/Security/users/1", user_xml("admin", "New-Admin-02", "Administrator", uid=1))
    assert r.status_code == 200, r.text
    assert cur.get("/ISAPI/System/deviceInfo").status_code == 401
    assert Client(fleet, "cur", password="New-Admin-02").get("/ISAPI/System/deviceInfo").status_code == 200
    # requests' HTTPDigestAuth sends the stale credential pre-emptively, then retries once on the
    # 401 with the fresh nonce: two wrong credentials reach the device.
    assert fleet.control.counters("cur")["failed_logins"] == {"127.0.0.1": 2}


def test_qb_style_put_on_list(fleet, cur):
    cur.post("/ISAPI/Security/users", user_xml("op1", "Op-Pass-001", "Operator"))
    r = cur.put("/ISAPI/Security/users", user_xml("op1", "Op-Pass-777", "Operator", uid=2))
    assert r.status_code == 200
    assert fleet.control.check_password("cur", "op1", "Op-Pass-777")
    r = cur.put("/ISAPI/Security/users/1", user_xml("root", uid=1))
    assert sub_status(r) == "invalidOperation"


def test_user_check(fleet, cur):
    r = cur.get("/ISAPI/Security/userCheck")
    assert r.status_code == 200 and xml(r).tag == "userCheck"
    assert text(r, "statusValue") == "200" and text(r, "isActivated") == "true"
    fleet.control.provision("leg", activated=True, password=ADMIN_PW)
    r = Client(fleet, "leg", password=ADMIN_PW).get("/ISAPI/Security/userCheck")
    assert text(r, "statusString") == "OK" and text(r, "isActivated") is None
    r = requests.get(fleet.url("cur", "/ISAPI/Security/userCheck"), verify=fleet.ca_path, timeout=5)
    assert r.status_code == 401
