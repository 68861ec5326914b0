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
      - Address or DNS name of the device, nothing else (no V(https://), port, path or spaces);
        set O(scheme) and O(port) as their own options.
      - Falls back to the environment variable E(HIKVISION_HOST).
    type: str
    required: true
  port:
    description:
      - TCP port of the device's web service, 1 to 65535.
      - Defaults to V(443) for O(scheme=https) and V(80) for O(scheme=http).
      - Falls back to E(HIKVISION_PORT).
    type: int
  scheme:
    description:
      - V(https) (the default) or V(http).
      - With V(http), logins still use HTTP Digest (the password itself is not sent), but a
        request that carries a secret in clear text is refused unless
        O(allow_insecure_secrets=true); see there.
      - Falls back to E(HIKVISION_SCHEME).
    type: str
    choices: [https, http]
    default: https
  username:
    description:
      - User to log in as, in ASCII (HTTP Digest cannot carry other characters reliably, so
        such a name is refused before anything is sent). Falls back to E(HIKVISION_USERNAME).
    type: str
    default: admin
  password:
    description:
      - Password of O(username). Falls back to E(HIKVISION_PASSWORD).
      - Required by every module except M(camfleet.hikvision.device_info) (which reports whether
        a device is activated without one); a task without it fails before anything is sent.
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
      - PEM file of the CA (or certificates) that signed the devices' certificates. A file that
        does not exist or holds no PEM certificate is refused before anything is sent.
      - Falls back to E(HIKVISION_CA_PATH), then to the bundle named by E(REQUESTS_CA_BUNDLE) or
        E(CURL_CA_BUNDLE), then to the bundle of the Python package C(certifi).
    type: path
  timeout:
    description:
      - Seconds to wait for an answer to one request, more than 0. Connecting waits at most 10
        seconds.
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
  allow_insecure_secrets:
    description:
      - Allow requests that carry a secret in clear text over O(scheme=http). These are new
        or changed passwords (user accounts, ONVIF accounts, NVR camera channels), the
        Hik-Connect verification code, the current
        admin password the device asks for as C(loginPassword) when users change, and
        configuration exports and imports (the file holds every account's password, trivially
        decoded).
      - "Risk: anyone who can see the traffic between this host and the device (the same
        network segment, a switch mirror port, any router on the path) reads those secrets.
        Only use this on a network you trust, for example to move a device to HTTPS."
      - Without it such a request fails before it is sent, naming the request. With it each is
        sent and the task returns a warning naming it. Reads and logins are unaffected, as Digest
        never sends the password itself.
      - On newer firmware deleting a user sends the admin password as the C(loginPassword) URL
        query parameter. Over HTTPS it is encrypted on the wire, but a URL query may be written to
        the device's or a proxy's access log; over HTTP it is in clear like the rest.
      - Falls back to E(HIKVISION_ALLOW_INSECURE_SECRETS).
    type: bool
    default: false
notes:
  - "The modules run inside the controller's worker process when the task runs on the controller
    (C(connection: local)), and as ordinary modules when the task is delegated to another host."
  - Requires the Python libraries C(requests) and, for activation, C(cryptography) on the host
    that runs the task.
'''
