"""Other people's clients, unchanged, against the emulator (issue 10 item 11).

* pyHik 0.4.8 (PyPI `pyHik`): device info, NVR detected as an NVR, event states from the trigger
  list, the alert stream moving those states, motion detection read and written, recording
  search.
* hikvisionapi 0.3.2 (PyPI `hikvisionapi`): its Basic-then-Digest session, Storage, httpHosts
  read and written, one event from the alert stream.
* HikLoad 1.1.4 (PyPI `hikload`) cannot be installed with the project's pins: it pins
  requests==2.28.1, lxml==4.9.1 and PyQt5. `HikLoadRequests` below sends exactly the requests its
  `hikload/hikvisionapi` package sends (methods, paths, headers, bodies and its paging rule, read
  from `_ContentMgmt.py`, `_Streaming.py`, `_System.py` and `utils.py` of 1.1.4).

All over HTTPS with the fleet CA (pyHik takes the CA as `verify_ssl`; hikvisionapi's session reads
REQUESTS_CA_BUNDLE, which requests prefers anyway). Subnet 127.42.0.0/16 (+50 per worker).
"""
import datetime
import threading
import uuid
from xml.sax.saxutils import escape

import pytest
import requests
import xmltodict
from requests.auth import HTTPDigestAuth

from emuhelp import net, wait_until
from emulator.testing import RunningFleet

pyhik = pytest.importorskip("pyhik.hikvision")
hikvisionapi = pytest.importorskip("hikvisionapi")

N = net(42)
PW = {"cam": "Third-Party-01", "leg": "Third-Party-02", "cam2": "Third-Party-03", "nvr": "Third-Party-04"}
FLEET = {"subnet": f"{N}.0.0/16", "time_scale": 0.01, "sites": [{"name": "tp", "devices": [
    {"name": "cam", "profile": "current_camera", "password": PW["cam"], "device_name": "yard"},
    {"name": "leg", "profile": "legacy_camera", "password": PW["leg"]},
    {"name": "cam2", "profile": "current_camera", "password": PW["cam2"]},
    {"name": "nvr", "profile": "nvr", "password": PW["nvr"], "channels": ["cam", "cam2"]}]}]}


@pytest.fixture(scope="module")
def fleet(tmp_path_factory):
    with RunningFleet(FLEET, out_dir=tmp_path_factory.mktemp("tp")) as running:
        yield running


@pytest.fixture(autouse=True)
def fleet_ca(fleet, monkeypatch):
    # requests prefers REQUESTS_CA_BUNDLE (set on this machine) over a session's verify, and the
    # clients take no per-request CA: point it at the fleet's CA as a user of these clients would.
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", fleet.ca_path)


@pytest.fixture
def fresh(fleet):
    def make(name):
        fleet.control.provision(name, activated=True, password=PW[name])
        return name
    return make


def event(fleet, name, kind, channel, state):
    return fleet.control.event(name, kind, channel, state)


def subscribers(fleet, name):
    return fleet.control.events(name)["subscribers"]


# --- pyHik -----------------------------------------------------------------------------------------
def hik_camera(fleet, name):
    dev = fleet.devices[name]
    return pyhik.HikCamera(f"https://{dev['address']}", port=dev["https_port"], usr="admin",
                           pwd=PW[name], verify_ssl=fleet.ca_path)


def test_pyhik_camera_info_events_and_motion_detection(fleet, fresh):
    fresh("cam")
    cam = hik_camera(fleet, "cam")
    assert cam.get_type == "CAM" and cam.get_name == "yard"
    info = requests.get(fleet.url("cam", "/ISAPI/System/deviceInfo"), verify=fleet.ca_path, timeout=5,
                        auth=HTTPDigestAuth("admin", PW["cam"]))
    assert cam.get_id == xmltodict.parse(info.text)["DeviceInfo"]["deviceID"]
    states = cam.current_event_states
    assert {"Motion", "Tamper Detection", "Disk Full", "I/O"} <= set(states)
    assert [entry[1] for entry in states["Motion"]] == [1]
    assert cam.current_motion_detection_state is True
    cam.disable_motion_detection()
    assert fleet.control.state("cam")["areas"]["documents"]["values"][
        "/ISAPI/System/Video/inputs/channels/1/motionDetection"]["enabled"] is False
    assert cam.get_motion_detection() is False
    cam.enable_motion_detection()
    assert cam.get_motion_detection() is True
    # Basic first, then Digest: the refused Basic attempt is no failed login.
    assert fleet.control.counters("cam")["failed_logins"] == {}


def test_pyhik_event_states_follow_the_alert_stream(fleet, fresh):
    fresh("cam")
    cam = hik_camera(fleet, "cam")
    cam.start_stream()
    try:
        wait_until(lambda: cam.stream_connected and subscribers(fleet, "cam") == 1, timeout=15)
        assert event(fleet, "cam", "VMD", 1, "active")["delivered"] == 1
        wait_until(lambda: cam.current_event_states["Motion"][0][0] is True, timeout=10)
        event(fleet, "cam", "VMD", 1, "inactive")
        wait_until(lambda: cam.current_event_states["Motion"][0][0] is False, timeout=10)
        event(fleet, "cam", "IO", 1, "active")
        wait_until(lambda: cam.current_event_states["I/O"][0][0] is True, timeout=10)
    finally:
        cam.kill_thrd.set()
        event(fleet, "cam", "IO", 1, "inactive")  # wakes the stream thread so it sees the kill
        cam.disconnect()


def test_pyhik_detects_the_nvr_and_its_channel_events(fleet, fresh):
    fresh("nvr")
    nvr = hik_camera(fleet, "nvr")
    assert nvr.get_type == "NVR"
    assert sorted(entry[1] for entry in nvr.current_event_states["Motion"]) == [1, 2]
    assert nvr.current_motion_detection_state is None  # NVRs have no System/Video motion document
    nvr.start_stream()
    try:
        wait_until(lambda: subscribers(fleet, "nvr") == 1, timeout=15)
        # The recorded NVR channel has motion detection off: no alarm until it is switched on.
        assert event(fleet, "nvr", "VMD", 2, "active")["delivered"] == 0
        client = requests.Session()
        client.auth = HTTPDigestAuth("admin", PW["nvr"])
        url = fleet.url("nvr", "/ISAPI/ContentMgmt/InputProxy/channels/2/video/motionDetection")
        doc = client.get(url, verify=fleet.ca_path, timeout=5).content
        on = doc.replace(b"<enabled>false</enabled>", b"<enabled>true</enabled>", 1)
        assert client.put(url, data=on, verify=fleet.ca_path, timeout=5).status_code == 200
        assert event(fleet, "nvr", "VMD", 2, "active")["delivered"] == 1
        wait_until(lambda: [e[0] for e in nvr.current_event_states["Motion"] if e[1] == 2] == [True],
                   timeout=10)
    finally:
        nvr.kill_thrd.set()
        event(fleet, "nvr", "VMD", 2, "inactive")
        nvr.disconnect()


def test_pyhik_recording_search(fleet, fresh):
    fresh("cam")
    cam = hik_camera(fleet, "cam")
    # Device-local wall time in "fake Z" form, as pyHik sends it (the device's zone is UTC+8).
    now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None) + datetime.timedelta(hours=8)
    found = cam.search_recordings(101, now - datetime.timedelta(hours=2), now, max_results=20)
    assert 10 <= len(found) <= 20
    assert {r.track_id for r in found} == {101}
    assert all(r.playback_uri.startswith(f"rtsp://{fleet.devices['cam']['address']}/Streaming/tracks/101/")
               for r in found)


def test_pyhik_legacy_camera_with_basic(fleet, fresh):
    fresh("leg")
    leg = hik_camera(fleet, "leg")
    assert leg.get_type == "CAM" and leg.get_name == "IP CAMERA"
    assert "Motion" in leg.current_event_states  # found one level down, under EventNotification
    assert fleet.control.counters("leg")["failed_logins"] == {}


# --- hikvisionapi ------------------------------------------------------------------------------------
@pytest.fixture
def api(fleet, fresh):
    def make(name):
        fresh(name)
        dev = fleet.devices[name]
        return hikvisionapi.Client(f"https://{dev['address']}:{dev['https_port']}", "admin", PW[name],
                                   timeout=5)
    return make


@pytest.mark.parametrize("name,shape", [("cam", "Encryption"), ("nvr", "group")])
def test_hikvisionapi_storage(fleet, api, name, shape):
    client = api(name)
    storage = client.ContentMgmt.Storage(method="get")["storage"]
    hdd = storage["hddList"]["hdd"]
    assert hdd["status"] == "ok" and int(hdd["capacity"]) > int(hdd["freeSpace"]) >= 0
    assert shape in hdd


def test_hikvisionapi_http_hosts_read_and_write(fleet, api):
    client = api("cam")
    hosts = client.Event.notification.httpHosts(method="get")["HttpHostNotificationList"]["HttpHostNotification"]
    assert [h["id"] for h in hosts] == ["1", "2", "3"]
    first = dict(hosts[0])
    first.update({"url": "/api/hikvision", "ipAddress": "127.0.0.9", "portNo": "8123"})
    body = xmltodict.unparse({"HttpHostNotification": first})
    answer = client.Event.notification.httpHosts[1](method="put", data=body)
    assert answer["ResponseStatus"]["statusCode"] == "1"
    again = client.Event.notification.httpHosts[1](method="get")["HttpHostNotification"]
    assert (again["url"], again["ipAddress"], again["portNo"]) == ("/api/hikvision", "127.0.0.9", "8123")


def test_hikvisionapi_alert_stream(fleet, api):
    client = api("cam2")
    got = {}
    reader = threading.Thread(target=lambda: got.update(
        events=client.Event.notification.alertStream(method="get", type="stream")))
    reader.start()
    wait_until(lambda: subscribers(fleet, "cam2") == 1, timeout=10)
    event(fleet, "cam2", "VMD", 1, "active")
    reader.join(15)
    event(fleet, "cam2", "VMD", 1, "inactive")
    alert = got["events"][0]["EventNotificationAlert"]
    assert (alert["eventType"], alert["eventState"], alert["channelID"]) == ("VMD", "active", "1")
    assert alert["macAddress"] == fleet.devices["cam2"]["mac"]


# --- HikLoad's requests -----------------------------------------------------------------------------
class HikLoadRequests:
    """The HTTP requests of hikload 1.1.4's `hikload.hikvisionapi` (its HikvisionServer with
    protocol https): URL `https://user:password@host/ISAPI/<path>`, `Content-Type:
    application/xml`, Digest auth, bodies as its xmler-based `dict2xml` writes them."""

    HEADERS = {"Content-Type": "application/xml"}
    DECLARATION = '<?xml version = "1.0" encoding = "UTF-8" ?>'

    def __init__(self, host, user, password, verify):
        self.base = f"https://{user}:{password}@{host}/ISAPI"
        self.auth = HTTPDigestAuth(user, password)
        self.verify = verify

    def get(self, path, data=None, raw=False):
        r = requests.get(f"{self.base}/{path}", data=data, headers=self.HEADERS, auth=self.auth,
                         verify=self.verify, timeout=10)
        return r if raw else xmltodict.parse(r.text)

    def post(self, path, data):
        r = requests.post(f"{self.base}/{path}", data=data, headers=self.HEADERS, auth=self.auth,
                          verify=self.verify, timeout=10)
        return xmltodict.parse(r.text)

    def search_body(self, search_id, track, start, end):
        # Text is escaped as xmler's ElementTree serialisation does.
        # _ContentMgmt.getPastRecordingsForID's template after xml2dict/dict2xml: namespaces
        # dropped, the version attribute kept, xmlns forced to the hikvision ver20 schema.
        return (f'{self.DECLARATION}<CMSearchDescription version="1.0" '
                f'xmlns="http://www.hikvision.com/ver20/XMLSchema"><searchID>{search_id}</searchID>'
                f'<trackIDList><trackID>{track}</trackID></trackIDList><timeSpanList><timeSpan>'
                f'<startTime>{start}</startTime><endTime>{end}</endTime></timeSpan></timeSpanList>'
                f'<maxResults>64</maxResults></CMSearchDescription>')

    def past_recordings(self, track, start, end):
        """_search.get: while MORE, a new searchID from the last item's start time."""
        result = self.post("ContentMgmt/search", self.search_body(uuid.uuid4(), track, start, end))
        original = result
        pages = 1
        while result["CMSearchResult"]["responseStatusStrg"] == "MORE":
            start = result["CMSearchResult"]["matchList"]["searchMatchItem"][-1]["timeSpan"]["startTime"]
            result = self.post("ContentMgmt/search", self.search_body(uuid.uuid4(), track, start, end))
            original["CMSearchResult"]["matchList"]["searchMatchItem"] += result["CMSearchResult"][
                "matchList"]["searchMatchItem"]
            pages += 1
        return original, pages

    def download(self, uri):
        body = (f'{self.DECLARATION}<downloadRequest version="1.0" '
                f'xmlns="http://www.hikvision.com/ver20/XMLSchema"><playbackURI>{escape(uri)}</playbackURI>'
                f'</downloadRequest>')
        return self.get("ContentMgmt/download", data=body, raw=True)


def test_hikload_search_profile_channels_search_and_download(fleet, fresh):
    fresh("nvr")
    dev = fleet.devices["nvr"]
    hik = HikLoadRequests(f"{dev['address']}:{dev['https_port']}", "admin", PW["nvr"], fleet.ca_path)
    assert hik.get("System/deviceInfo")["DeviceInfo"]["deviceType"] == "NVR"  # test_connection
    profile = hik.get("ContentMgmt/search/profile")["CMSearchProfile"]
    assert profile["searchProfile"] == "Full" and int(profile["maxSearchMatchResults"]) >= 1
    channels = hik.get("Streaming/channels")["StreamingChannelList"]["StreamingChannel"]
    main = [c["id"] for c in channels if int(c["id"]) % 10 == 1]  # download.py's channel rule
    assert main == ["101", "201"]
    end = datetime.datetime.now().replace(hour=23, minute=59, second=59, microsecond=0)
    start = end - datetime.timedelta(days=1)
    found, pages = hik.past_recordings("201", start.isoformat() + "Z", end.isoformat() + "Z")
    items = found["CMSearchResult"]["matchList"]["searchMatchItem"]
    assert pages > 1 and len(items) > 64  # more than one page: the paging rule was exercised
    assert all(item["trackID"] == "201" for item in items)
    uri = items[0]["mediaSegmentDescriptor"]["playbackURI"]
    video = hik.download(uri)
    assert video.status_code == 200 and len(video.content) == int(uri.rsplit("size=", 1)[1])
