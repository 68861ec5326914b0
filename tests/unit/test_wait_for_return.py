"""wait_for_return: the device is looked for at every address it may come back at, so a device
behind NAT (host is not its own address) is found where it was rather than declared lost."""
import pytest

from ansible_collections.camfleet.hikvision.plugins.module_utils import xmldoc
from ansible_collections.camfleet.hikvision.plugins.module_utils.errors import IsapiConnectionError
from ansible_collections.camfleet.hikvision.plugins.module_utils.maintenance import (
    pending_address, running_address, wait_for_return,
)


class Clock(object):
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


class Probe(object):
    """A client whose unauthenticated probe answers on the polls listed in `up`."""

    def __init__(self, host, up, clock):
        self.host, self.device, self.up, self.clock, self.polls = host, host, up, clock, 0

    def get(self, path, auth=True, retry=True):
        self.polls += 1
        if not self.up(self.clock()):
            raise IsapiConnectionError('refused', device=self.host)
        return xmldoc.parse('<ActivateStatus><Activated>true</Activated></ActivateStatus>')


def test_a_device_that_comes_back_at_the_old_address_is_found_there():
    clock = Clock()
    old = Probe('203.0.113.5', lambda t: t < 1 or t > 3, clock)  # down from 1 s to 3 s
    new = Probe('192.168.1.64', lambda t: False, clock)  # never answers: not routable from here
    elapsed, back = wait_for_return(old, 10, [new, old], poll=0.5, clock=clock, sleep=clock.sleep)
    assert back is old and 3 < elapsed < 4
    assert new.polls > 0  # the new address was tried first on every poll


def test_a_device_that_moved_is_found_at_the_new_address():
    clock = Clock()
    old = Probe('10.0.0.5', lambda t: t < 1, clock)
    new = Probe('10.20.1.64', lambda t: t > 2, clock)
    elapsed, back = wait_for_return(old, 10, [new, old], poll=0.5, clock=clock, sleep=clock.sleep)
    assert back is new


def test_nowhere_names_both_addresses():
    clock = Clock()
    old = Probe('10.0.0.5', lambda t: t < 1, clock)
    new = Probe('10.20.1.64', lambda t: False, clock)
    with pytest.raises(IsapiConnectionError, match='moved from 10.0.0.5 to 10.20.1.64 and rebooted, '
                                                   'but does not answer at 10.20.1.64 within 5 s'):
        wait_for_return(old, 5, [new, old], poll=0.5, clock=clock, sleep=clock.sleep)


@pytest.mark.parametrize('host, saved, addressing, pending', [
    ('10.0.0.5', '10.20.1.64', 'static', '10.20.1.64'),
    ('10.0.0.5', '10.0.0.5', 'static', None),
    ('10.0.0.5', '10.20.1.64', 'dynamic', None),  # a DHCP lease is not a pending address
    ('cam1.example.net', '10.20.1.64', 'static', None),  # running address unknown
])
def test_pending_address_is_a_saved_static_address_other_than_the_running_one(
        host, saved, addressing, pending):
    class Client(object):
        pass
    client = Client()
    client.host = host
    root = xmldoc.parse('<IPAddress><addressingType>%s</addressingType><ipAddress>%s</ipAddress>'
                        '</IPAddress>' % (addressing, saved))
    assert pending_address(root, running_address(client)) == pending
