# -*- coding: utf-8 -*-
# Copyright: camfleet.hikvision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class ModuleDocFragment(object):
    DOCUMENTATION = r'''
options:
  host:
    description:
      - Address or DNS name of the device.
      - Falls back to the environment variable E(HIKVISION_HOST).
    type: str
    required: true
  port:
    description:
      - TCP port of the device's web service.
      - Defaults to V(443) for O(scheme=https) and V(80) for O(scheme=http).
      - Falls back to E(HIKVISION_PORT).
    type: int
  scheme:
    description:
      - V(https) (the default) or V(http).
      - Falls back to E(HIKVISION_SCHEME).
    type: str
    choices: [https, http]
    default: https
  username:
    description:
      - User to log in as. Falls back to E(HIKVISION_USERNAME).
    type: str
    default: admin
  password:
    description:
      - Password of O(username). Falls back to E(HIKVISION_PASSWORD).
      - Each credential is tried exactly once per task; a rejected one is never retried,
        because devices lock the client's address after a few failed logins.
    type: str
  validate_certs:
    description:
      - Verify the device's TLS certificate. Keep this on; trust a site CA with O(ca_path).
      - Falls back to E(HIKVISION_VALIDATE_CERTS).
    type: bool
    default: true
  ca_path:
    description:
      - PEM file of the CA (or certificates) that signed the devices' certificates.
      - Falls back to E(HIKVISION_CA_PATH), then to the bundle named by E(REQUESTS_CA_BUNDLE) or
        E(CURL_CA_BUNDLE), then to the bundle of the Python package C(certifi).
    type: path
  timeout:
    description:
      - Seconds to wait for an answer to one request. Connecting waits at most 10 seconds.
      - Falls back to E(HIKVISION_TIMEOUT).
    type: int
    default: 30
  allow_insecure_basic_auth:
    description:
      - Allow HTTP Basic authentication over plain HTTP when a (very old) device offers
        nothing else. Basic sends the password readable by anyone on the path.
      - Falls back to E(HIKVISION_ALLOW_INSECURE_BASIC_AUTH).
    type: bool
    default: false
notes:
  - "The modules run inside the controller's worker process when the task runs on the controller
    (C(connection: local)), and as ordinary modules when the task is delegated to another host."
  - Requires the Python libraries C(requests) and, for activation, C(cryptography) on the host
    that runs the task.
'''
