# -*- coding: utf-8 -*-
# Copyright: camfleet.hikvision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Typed errors of the ISAPI client.

Every failure a module can meet is one of these, so modules never leak a library traceback and
every message names the device and says what to do about it.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class IsapiError(Exception):
    """Base of every error the client raises."""

    def __init__(self, message, device=None, **details):
        self.device = device
        self.details = details
        super(IsapiError, self).__init__(message)

    @property
    def message(self):
        text = self.args[0] if self.args else ''
        return '%s: %s' % (self.device, text) if self.device else text

    def __str__(self):
        return self.message

    def as_result(self):
        """What a failed task returns: msg plus structured details (never credentials)."""
        result = {'msg': self.message, 'error': type(self).__name__}
        result.update(self.details)
        return result


class IsapiConnectionError(IsapiError):
    """The device could not be reached: refused, timed out, reset, DNS.

    ``sent`` says whether the request may have reached the device: False only when the
    connection was never made (refused, connect timeout, name resolution), so that a retry
    cannot repeat a write.
    """

    sent = True
    reason = None           # what went wrong, in plain words, for messages built on top
    settle_seconds = None   # how long a device this slow may still be busy with the request


class IsapiAnswerLostError(IsapiConnectionError):
    """A write reached the device (or may have) but its answer was lost, so whether it took is
    not known from the answer. ``applied`` is True/False once established, None if unknown."""

    def __init__(self, message, device=None, applied=None, settle_seconds=None, **details):
        super(IsapiAnswerLostError, self).__init__(message, device=device, **details)
        self.applied = applied
        self.settle_seconds = settle_seconds


class IsapiTLSError(IsapiConnectionError):
    """TLS handshake or certificate verification failed."""


class IsapiProtocolError(IsapiError):
    """The device answered something that is not what ISAPI answers (non-XML, oversized...)."""


class IsapiAuthError(IsapiError):
    """A credential was rejected. Never retried: devices lock the client IP after a few."""


class IsapiLockedError(IsapiAuthError):
    """The device has locked this client's IP after failed logins."""


class IsapiStatusError(IsapiError):
    """The device answered with a ResponseStatus that is not success."""

    def __init__(self, message, device=None, status_code=None, sub_status_code=None,
                 status_string=None, path=None, http_status=None, error_code=None):
        super(IsapiStatusError, self).__init__(
            message, device=device, status_code=status_code, sub_status_code=sub_status_code,
            status_string=status_string, path=path, http_status=http_status, error_code=error_code)
        self.status_code = status_code
        self.sub_status_code = sub_status_code
        self.status_string = status_string
        self.path = path
        self.http_status = http_status
        self.error_code = error_code


class IsapiNotActivatedError(IsapiStatusError):
    """The device is factory-fresh and answers nothing but activation."""


class IsapiInputError(IsapiError):
    """The task's own input is wrong; raised before anything is sent to the device."""
