"""The ONVIF WS-Security pieces that need no device: the PasswordDigest against the worked
example of the ONVIF Application Programmer's Guide (docs/developer/isapi-reference.md, §11.14),
the token and envelope the collection sends, and the store keys of ONVIF accounts."""
import base64

import pytest

from ansible_collections.camfleet.hikvision.plugins.action.rotate_password import managed_accounts
from ansible_collections.camfleet.hikvision.plugins.module_utils import onvif, xmldoc
from ansible_collections.camfleet.hikvision.plugins.module_utils.errors import IsapiInputError

NONCE = base64.b64decode('LKqI6G/AikKCQrN0zqZFlg==')
CREATED = '2010-09-16T07:50:45Z'


def test_password_digest_matches_the_published_example():
    assert onvif.password_digest(NONCE, CREATED, 'userpassword') == 'tuOSpGlFlIXsozq4HFNeeGeFLEI='


def test_the_token_carries_the_digest_nonce_and_created_never_the_password():
    body = onvif.envelope('GetDeviceInformation', onvif.username_token('vms<1>', 'userpassword', CREATED, NONCE))
    assert b'userpassword' not in body
    root = xmldoc.parse(body)
    token = xmldoc.find(root, 'Header/Security/UsernameToken')
    assert xmldoc.text(token, 'Username') == 'vms<1>'  # escaped on the wire, intact when read
    assert xmldoc.text(token, 'Password') == 'tuOSpGlFlIXsozq4HFNeeGeFLEI='
    assert xmldoc.find(token, 'Password').get('Type').endswith('#PasswordDigest')
    assert xmldoc.text(token, 'Nonce') == 'LKqI6G/AikKCQrN0zqZFlg==' and xmldoc.text(token, 'Created') == CREATED
    assert xmldoc.find(root, 'Body/GetDeviceInformation') is not None


def test_onvif_store_keys_and_the_accounts_option():
    assert onvif.store_key('vms') == 'onvif:vms' and onvif.account_name('onvif:vms') == 'vms'
    assert onvif.account_name('admin') is None
    assert managed_accounts({'accounts': ['operator', 'admin'], 'onvif_accounts': ['vms', 'admin']}) == [
        'operator', 'admin', 'onvif:vms', 'onvif:admin']
    with pytest.raises(IsapiInputError, match=r"accounts: 'onvif:vms' names an ONVIF account"):
        managed_accounts({'accounts': ['onvif:vms'], 'onvif_accounts': []})
    with pytest.raises(IsapiInputError, match="'vms' is listed twice"):
        managed_accounts({'accounts': [], 'onvif_accounts': ['vms', 'vms']})
