"""Pure logic of nvr_channel, device_log_info, recordings and the isapi_* escape hatches."""
import pytest

from ansible_collections.camfleet.hikvision.plugins.module_utils import channels, devicelog, recordings, resource, xmldoc
from ansible_collections.camfleet.hikvision.plugins.module_utils.errors import IsapiInputError

# Shape of the HN DS-7608NXI-I2 list (§12.1), the 2019-guide protocol element name.
CHANNEL = '''<InputProxyChannel version="2.0" xmlns="http://www.isapi.org/ver20/XMLSchema">
<id>3</id><name>garden</name><sourceInputPortDescriptor><adminProtocol>HIKVISION</adminProtocol>
<addressingFormatType>ipaddress</addressingFormatType><ipAddress>192.168.254.10</ipAddress>
<managePortNo>8000</managePortNo><srcInputPort>1</srcInputPort><userName>admin</userName>
<streamType>auto</streamType><model>DS-2CD2386G2-IU</model></sourceInputPortDescriptor>
<enableAnr>false</enableAnr></InputProxyChannel>'''


def test_device_time_accepts_local_forms_and_refuses_offsets():
    assert devicelog.device_time('2024-05-01 08:15', 'start', None) == '2024-05-01T08:15:00Z'
    assert devicelog.device_time('2024-05-01T08:15:09Z', 'start', None) == '2024-05-01T08:15:09Z'
    assert devicelog.device_time(None, 'end', 'X') == 'X'
    with pytest.raises(IsapiInputError, match="end must be the device's local time"):
        devicelog.device_time('2024-05-01T08:15:00+02:00', 'end', None)


def test_log_entry_splits_the_meta_id():
    item = xmldoc.parse('<searchMatchItem><logDescriptor><metaId>log.hikvision.com/Operation/remoteReboot'
                        '</metaId><StartDateTime>2024-05-01T08:15:00Z</StartDateTime><paraType/>'
                        '<userName>admin</userName><ipAddress>192.168.1.20</ipAddress></logDescriptor>'
                        '</searchMatchItem>')
    assert devicelog.entry(item) == {
        'time': '2024-05-01T08:15:00Z', 'major': 'Operation', 'minor': 'remoteReboot', 'user': 'admin',
        'address': '192.168.1.20', 'description': None, 'meta_id': 'log.hikvision.com/Operation/remoteReboot'}


def test_channel_edit_keeps_the_device_protocol_element_and_unknown_elements():
    elem = xmldoc.parse(CHANNEL)
    current = channels.public(elem)
    assert current == {'id': 3, 'name': 'garden', 'address': '192.168.254.10', 'port': 8000,
                       'protocol': 'HIKVISION', 'user': 'admin', 'stream_type': 'auto'}
    wanted = {'protocol': 'ONVIF', 'name': None, 'address': None, 'port': None, 'user': None,
              'stream_type': None}
    changes = channels.differences(current, channels.desired_values(wanted, current))
    assert changes == {'protocol': 'ONVIF', 'port': 80}
    body = channels.edited_channel(elem, None, changes, 'adminProtocol', 'Cam-Pass-1')
    desc = xmldoc.find(body, 'sourceInputPortDescriptor')
    assert [c.tag for c in desc][:4] == ['adminProtocol', 'addressingFormatType', 'ipAddress', 'managePortNo']
    assert xmldoc.text(desc, 'adminProtocol') == 'ONVIF' and xmldoc.text(desc, 'managePortNo') == '80'
    assert xmldoc.text(desc, 'password') == 'Cam-Pass-1' and xmldoc.text(desc, 'model') == 'DS-2CD2386G2-IU'
    assert xmldoc.find(desc, 'proxyProtocol') is None and xmldoc.namespace(body) == 'http://www.isapi.org/ver20/XMLSchema'


def test_password_policy_only_rewrites_rejected_credentials():
    wanted = {'password': 'x'}
    assert channels.password_action('when_offline', wanted, (False, 'errorUserNameOrPasswd'))
    assert not channels.password_action('when_offline', wanted, (False, 'netUnreachable'))
    assert not channels.password_action('when_offline', wanted, (True, 'connect'))
    assert channels.password_action('always', wanted, (True, 'connect'))
    assert not channels.password_action('on_create', wanted, (False, 'errorUserNameOrPasswd'))
    assert not channels.password_action('always', {'password': None}, None)


def test_channel_validation_messages():
    with pytest.raises(IsapiInputError, match=r'channels\[1\] needs an id or an address'):
        channels.validate([{'address': '10.0.0.1'}, {'name': 'x'}])
    with pytest.raises(IsapiInputError, match=r'channels\[1\]: address 10.0.0.1 is listed twice'):
        channels.validate([{'address': '10.0.0.1'}, {'address': '10.0.0.1'}])
    with pytest.raises(IsapiInputError, match=r'channels\[0\]: port is required for protocol RTSP'):
        channels.add_values(channels.validate([{'address': '10.0.0.1', 'protocol': 'RTSP'}])[0])


def test_recording_from_a_search_item():
    item = xmldoc.parse('<searchMatchItem><sourceID>{1}</sourceID><trackID>201</trackID><timeSpan>'
                        '<startTime>2024-05-01T20:00:00Z</startTime><endTime>2024-05-01T20:10:00Z</endTime>'
                        '</timeSpan><mediaSegmentDescriptor><playbackURI>rtsp://10.0.0.5/Streaming/tracks/201/'
                        '?starttime=20240501T200000Z&amp;endtime=20240501T201000Z&amp;name=x&amp;size=4096'
                        '</playbackURI></mediaSegmentDescriptor></searchMatchItem>')
    rec = recordings.recording(item)
    assert rec['track'] == 201 and rec['channel'] == 2 and rec['size'] == 4096
    assert rec['file'] == '201_20240501T200000Z_20240501T201000Z.mp4'


def test_shift_to_start_keeps_only_a_full_resend(tmp_path):
    part = tmp_path / 'f.part'
    part.write_bytes(b'old-prefix' + b'0123456789' * 300000)
    recordings._shift_to_start(str(part), len(b'old-prefix'))
    assert part.read_bytes() == b'0123456789' * 300000


def test_paths_and_bodies_of_raw_requests():
    resource.check_path('/SDK/activateStatus', False)
    with pytest.raises(IsapiInputError, match='outside /ISAPI/ and /SDK/'):
        resource.check_path('/doc/page/login.asp', False)
    resource.check_path('/doc/page/login.asp', True)
    with pytest.raises(IsapiInputError, match='put it in query instead'):
        resource.check_path('/ISAPI/System/factoryReset?mode=full', False)
    body, ctype = resource.request_body({'body': {'enabled': False, 'list': {'a': [1, 2]}}, 'root': 'SSH'})
    assert body.endswith(b'<SSH version="2.0"><enabled>false</enabled><list><a>1</a><a>2</a></list></SSH>')
    assert resource.request_body({'body': None}) == (None, None)
