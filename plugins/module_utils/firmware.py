# -*- coding: utf-8 -*-
# Copyright: camfleet.hikvision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Firmware upgrade (docs/developer/isapi-reference.md, §9): the logic behind the firmware module.

The image is streamed from its file (never read whole) and the upload is never repeated
automatically: a device that received part of an image and lost the answer must not be sent a
second copy behind the user's back.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import fnmatch
import json
import os
import re
import time

from ansible_collections.camfleet.hikvision.plugins.module_utils import xmldoc
from ansible_collections.camfleet.hikvision.plugins.module_utils.client import WriteResult
from ansible_collections.camfleet.hikvision.plugins.module_utils.device import (
    is_activated, parse_device_info,
)
from ansible_collections.camfleet.hikvision.plugins.module_utils.errors import (
    IsapiConnectionError, IsapiError, IsapiInputError, IsapiStatusError,
)
from ansible_collections.camfleet.hikvision.plugins.module_utils.maintenance import wait_for_restart

UPLOAD = '/ISAPI/System/updateFirmware'
STATUS = '/ISAPI/System/upgradeStatus'
POLL_SECONDS = 1.0
# The emulator's test image format (emulator/firmware_image.py); real digicap.dav images carry
# no header this collection can read, so for them the model check is left to the device.
TEST_IMAGE_MAGIC = b'HIKEMU-FW\n'
MAX_HEADER = 64 * 1024

_VERSION_RE = re.compile(r'^[vV]?(\d+(?:\.\d+)+)(?:\s+build\s+(\d{6}))?$')

# docs/developer/isapi-reference.md, §9.1 / §13.2: what the device's refusal means for the user.
UPLOAD_ERRORS = {
    'badDevType': 'the device refused the image as made for another model (badDevType)',
    'badVersion': 'the device refused the image version or format (badVersion): is it an '
                  'extracted digicap.dav for this model?',
    'badLanguage': 'the device refused the image language variant (badLanguage)',
    'badFlash': 'the device could not write the image (badFlash): the file may be damaged; '
                'check it against the vendor checksum and retry',
    'upgrading': 'the device is already upgrading (upgrading); wait for it and re-run',
    'transferUpgradePackageFailed': 'the image transfer failed (transferUpgradePackageFailed); '
                                    'retry, raise upload_timeout on slow links',
    'startUpgradeFailed': 'the device could not start the upgrade (startUpgradeFailed)',
    'updateTypeUnmatched': 'the image type does not match this device (updateTypeUnmatched)',
    'upgradePackageMoret han2GB': 'the image is too large for the device',
    'needReAuthentication': 'the device wants a new login after the upgrade (needReAuthentication)',
}


def parse_version(text, field='version'):
    """'V5.7.20' or 'V5.7.20 build 250101' -> ('V5.7.20', 'build 250101' or None)."""
    match = _VERSION_RE.match(' '.join(str(text or '').split()))
    if not match:
        raise IsapiInputError('%s must look like V5.7.20 or "V5.7.20 build 250101" (got %r)'
                              % (field, text))
    return 'V' + match.group(1), ('build ' + match.group(2)) if match.group(2) else None


def runs_target(device, target):
    """Whether deviceInfo (parsed) already shows the target (version, build or None)."""
    version, build = target
    current = (device.get('firmware_version') or '').upper()
    if current != version.upper():
        return False
    return build is None or ' '.join((device.get('firmware_build') or '').split()).lower() == build


def read_image_header(path):
    """The test image's header (a dict), or None for any other image. Reads at most 64 KiB."""
    with open(path, 'rb') as image:
        head = image.read(MAX_HEADER)
    if not head.startswith(TEST_IMAGE_MAGIC):
        return None
    end = head.find(b'\n', len(TEST_IMAGE_MAGIC))
    try:
        meta = json.loads(head[len(TEST_IMAGE_MAGIC):end].decode('utf-8')) if end > 0 else None
    except ValueError:
        meta = None
    if not isinstance(meta, dict):
        raise IsapiInputError('src %s starts like a test image but its header is unreadable' % path)
    return meta


def image_misfit(meta, device):
    """Why the image (header) does not fit the device (parsed deviceInfo), or None."""
    kinds = meta.get('kinds') or []
    if kinds and device.get('kind') not in kinds:
        return 'the image is for %s devices, this one is a %s' % ('/'.join(kinds), device.get('kind'))
    models = meta.get('models') or []
    model = (device.get('model') or '').upper()
    if models and not any(fnmatch.fnmatchcase(model, str(p).upper()) for p in models):
        return 'the image is for %s, this device is a %s' % (', '.join(models), device.get('model'))
    return None


def check_src(path):
    if not path or not os.path.isfile(path):
        raise IsapiInputError('src %s is not a file (give the path of the extracted digicap.dav)'
                              % path)
    if not os.access(path, os.R_OK):
        raise IsapiInputError('src %s is not readable' % path)
    if os.path.getsize(path) == 0:
        raise IsapiInputError('src %s is empty' % path)


def upload(client, path, timeout):
    """Stream the file to the device; returns the WriteResult. Never retried (idempotent=False)."""
    with open(path, 'rb') as image:
        try:
            return client.put(UPLOAD, image, idempotent=False, timeout=timeout,
                              content_type='application/octet-stream')
        except IsapiStatusError as exc:
            reason = UPLOAD_ERRORS.get(exc.sub_status_code or '')
            if reason is None:
                raise
            raise IsapiStatusError('%s (%s)' % (reason, exc.args[0]), device=client.device,
                                   status_code=exc.status_code, sub_status_code=exc.sub_status_code,
                                   status_string=exc.status_string, path=UPLOAD,
                                   http_status=exc.http_status, error_code=exc.error_code)


def upgrading_now(client):
    """True/False from upgradeStatus, None when the device has none or cannot say right now."""
    try:
        status = read_status(client)
    except IsapiError:
        return None
    return None if status is None else status[0]


def upload_once(client, path, timeout):
    """upload(); when its answer is lost, whether the device took the image is read from
    upgradeStatus instead of uploading again: an upgrade in progress (or a device already gone
    to restart into it) is followed, a device that is not upgrading fails the task plainly."""
    try:
        return upload(client, path, timeout)
    except IsapiConnectionError as exc:
        lost = exc.args[0] if exc.args else str(exc)
    if upgrading_now(client) is not False:
        return WriteResult()  # flashing, or away restarting into the image: follow it
    raise IsapiConnectionError(
        'the firmware upload got no answer (%s) and the device is not upgrading: nothing was '
        'flashed; run the task again' % lost, device=client.device, path=UPLOAD)


def read_status(client):
    """(upgrading, percent) from upgradeStatus; None when the device has no such resource;
    raises IsapiConnectionError when the device is away (flashing done, rebooting)."""
    try:
        root = client.get(STATUS, retry=False)
    except IsapiStatusError as exc:
        if exc.http_status == 404 or exc.sub_status_code == 'notSupport':
            return None
        raise
    percent = xmldoc.text(root, 'percent')
    return (xmldoc.as_bool(xmldoc.text(root, 'upgrading'), False),
            int(percent) if percent and percent.isdigit() else 0)


def follow_progress(client, deadline, poll=POLL_SECONDS, clock=time.monotonic, sleep=time.sleep):
    """Poll upgradeStatus until flashing is over. Returns (percent history, went_down)."""
    history = []
    seen_upgrading = False
    while clock() < deadline:
        try:
            status = read_status(client)
        except IsapiConnectionError:
            return history, True  # gone to reboot into the new image (§9.2, JOEY)
        if status is None:
            return history, False
        upgrading, percent = status
        seen_upgrading = seen_upgrading or upgrading
        if not history or history[-1] != percent:
            history.append(percent)
        if not upgrading and (percent >= 100 or seen_upgrading):
            return history, False
        sleep(poll)
    raise IsapiConnectionError('the upgrade did not finish within wait_timeout (last progress '
                               '%s%%); raise wait_timeout for this model' % (
                                   history[-1] if history else '?'), device=client.device)


def wait_back(client, deadline, went_down, poll=0.2, clock=time.monotonic, sleep=time.sleep):
    """Wait out the self-reboot after flashing, with credential-free probes (never a login)."""
    if not went_down:
        return wait_for_restart(client, max(1.0, deadline - clock()), poll=poll)
    # The progress poll already saw the device leave: any answer now means it is back.
    while clock() < deadline:
        try:
            is_activated(client, retry=False)
            return
        except IsapiError:
            sleep(poll)
    raise IsapiConnectionError('did not come back within wait_timeout after the upgrade; raise '
                               'wait_timeout if this model restarts slowly', device=client.device)


def run_firmware(task):
    params = task.params
    client = task.client
    src = params['src']
    target = parse_version(params['version'])
    for field in ('wait_timeout', 'upload_timeout'):
        if params[field] <= 0:
            raise IsapiInputError('%s must be a positive number of seconds (got %s)' % (
                field, params[field]))
    check_src(src)
    meta = read_image_header(src)
    if meta and meta.get('version'):
        own = parse_version(meta['version'], field='the image version')
        if own[0].upper() != target[0].upper():
            raise IsapiInputError('version %s does not match the image, which holds %s' % (
                params['version'], meta['version']))

    before = parse_device_info(client.get('/ISAPI/System/deviceInfo'))
    result = {'changed': False, 'firmware': before['firmware'], 'progress': []}
    if runs_target(before, target):
        result['msg'] = 'device already runs %s; nothing uploaded' % before['firmware']
        return result
    if meta:
        misfit = image_misfit(meta, before)
        if misfit:
            raise IsapiInputError('src %s does not fit this device: %s; nothing uploaded' % (
                src, misfit), device=client.device)

    wanted = ' '.join(p for p in target if p)
    result.update(changed=True, diff={'before': {'firmware': before['firmware']},
                                      'after': {'firmware': wanted}})
    if task.check_mode:
        result['msg'] = 'would upgrade %s to %s' % (before['firmware'], wanted)
        return result

    started = time.monotonic()
    deadline = None
    if upgrading_now(client) is True:
        # A re-run after an upload whose answer was lost: that image is flashing. Uploading again
        # would be refused (or flash twice); wait for it and check the version it brings.
        write, history, went_down = None, [], False
    else:
        write = upload_once(client, src, params['upload_timeout'])
    deadline = time.monotonic() + params['wait_timeout']
    if write is not None and write.reboot_required:
        # Firmware that flashes but waits for an explicit reboot (FRT §5.5.2 step 3).
        client.put('/ISAPI/System/reboot', idempotent=False)
        history, went_down = [100], False
    else:
        history, went_down = follow_progress(client, deadline)
    wait_back(client, deadline, went_down)
    # A restart in the middle (power loss, watchdog) can bring the device back still flashing:
    # follow it until it is done rather than judging the version too early.
    while upgrading_now(client) is True:
        more, went_down = follow_progress(client, deadline)
        history.extend(p for p in more if not history or p != history[-1])
        wait_back(client, deadline, went_down)
    result['progress'] = history

    after = parse_device_info(client.get('/ISAPI/System/deviceInfo'))
    result['firmware'] = after['firmware']
    result['elapsed'] = round(time.monotonic() - started, 1)
    if not runs_target(after, target):
        raise IsapiError('the device restarted and came back running %s, not %s: the upgrade '
                         'did not take (an interrupted upgrade or the wrong image: check the '
                         'device log, then run the task again)' % (
                             after['firmware'], wanted), device=client.device,
                         firmware=after['firmware'], progress=history)
    result['msg'] = 'upgraded from %s to %s' % (before['firmware'], after['firmware'])
    return result
