# -*- coding: utf-8 -*-
# Copyright: camfleet.hikvision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The get-normalise-compare-put engine every declarative module uses.

A resource is one ISAPI document (``/ISAPI/System/time``...). A module names the settings it
manages as ``Field``s (user key -> element path + type), the user asks for some of them, and the
engine reads the document once, compares only what was asked (both sides normalised, so a second
run reports no change), edits the document in place (read-modify-write keeps everything else
exactly as the device sent it) and writes it once, unless in check mode. It returns one diff
format (before/after of just the asked keys) and surfaces statusCode 7 as ``reboot_required``.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.camfleet.hikvision.plugins.module_utils import xmldoc
from ansible_collections.camfleet.hikvision.plugins.module_utils.errors import IsapiInputError
from ansible_collections.camfleet.hikvision.plugins.module_utils.optional import optional_get


class Field(object):
    """One managed setting: where it lives in the document and what type it has.

    kind: 'str', 'int', 'bool' or 'list' (repeated leaf elements at path).
    to_device / from_device: optional converters between the user's value and the wire text.
    """

    def __init__(self, path, kind='str', to_device=None, from_device=None, create=False):
        self.path = path
        self.kind = kind
        self.to_device = to_device
        self.from_device = from_device
        self.create = create

    def read(self, root):
        if self.kind == 'list':
            return [xmldoc.text(e) for e in xmldoc.findall(root, self.path) if xmldoc.text(e)]
        raw = xmldoc.text(root, self.path)
        if raw is None and xmldoc.find(root, self.path) is None:
            return None
        if self.from_device:
            return self.from_device(raw)
        return normalise(raw, self.kind)

    def present(self, root):
        return xmldoc.find(root, self.path) is not None

    def wire(self, value):
        value = self.to_device(value) if self.to_device else value
        return xmldoc.xml_value(value)

    def write(self, root, value):
        xmldoc.set_text(root, self.path, self.wire(value))

    def want(self, value):
        """The user's value in the normalised form read() gives."""
        if self.kind == 'list':
            return [str(v) for v in value]
        if self.from_device:
            return self.from_device(self.wire(value))
        return normalise(self.wire(value), self.kind)


def normalise(raw, kind):
    if raw is None:
        return None
    if kind == 'bool':
        return xmldoc.as_bool(raw)
    if kind == 'int':
        try:
            return int(str(raw).strip())
        except ValueError:
            return raw
    return str(raw).strip()


class Plan(object):
    def __init__(self):
        self.before = {}
        self.after = {}
        self.unsupported = []

    @property
    def changed(self):
        return self.before != self.after


def plan(root, fields, desired, unsupported='error', device=None):
    """Compare the asked keys of desired (None = not asked) with the document."""
    result = Plan()
    for key, value in desired.items():
        if value is None:
            continue
        field = fields[key]
        if field.kind != 'list' and not field.present(root) and not field.create:
            if unsupported == 'error':
                raise IsapiInputError(
                    '%s is not supported by this device (no %s in its document); remove it from '
                    'the task or set strict: false' % (key, field.path), device=device)
            result.unsupported.append(key)
            continue
        current = field.read(root)
        wanted = field.want(value)
        result.before[key] = current
        result.after[key] = wanted
    return result


def apply(root, fields, result, desired):
    for key in result.after:
        if result.after[key] != result.before[key]:
            field = fields[key]
            if field.kind == 'list':
                raise IsapiInputError('list fields need a module-specific writer (%s)' % key)
            field.write(root, desired[key])


def converge(task, path, fields, desired, unsupported='error', params=None, root=None):
    """Read path once, compare, write once if needed. Returns the module result dict."""
    client = task.client
    docs = Documents(client)
    if root is None:
        root = docs.get(path, params=params)
    else:
        docs.roots[path], docs.params[path] = root, params
    result_plan = plan(root, fields, desired, unsupported=unsupported, device=client.device)
    result = {'changed': result_plan.changed, 'reboot_required': False,
              'diff': {'before': result_plan.before, 'after': result_plan.after}}
    if result_plan.unsupported:
        result['unsupported'] = result_plan.unsupported
    if not result_plan.changed or task.check_mode:
        return result
    apply(root, fields, result_plan, desired)
    docs.changed(path)
    result['reboot_required'] = docs.write()
    return result


SECRET_KEYS = ('password', 'user_password', 'login_password')


def _public(value):
    if isinstance(value, dict):
        return dict((k, _public(v)) for k, v in value.items() if k not in SECRET_KEYS)
    if isinstance(value, list):
        return [_public(v) for v in value]
    return value


def settings_view(result, check_mode=False):
    """The ``settings`` return of every declarative module: each managed key the task looked at,
    with the value the device holds once the task is done (``before`` when nothing was written -
    check mode, no change, or a failure - else ``after``), and null for keys the device lacks.
    Built from the one before/after record every declarative module returns as its diff, so the
    audit reads all modules the same way. Secrets are never part of it (passwords are write-only)."""
    diff = result.get('diff')
    if not isinstance(diff, dict) or not isinstance(diff.get('before'), dict):
        return None
    written = result.get('changed') and not check_mode and not result.get('failed')
    view = dict(diff['after'] if written and isinstance(diff.get('after'), dict) else diff['before'])
    for key in result.get('unsupported') or []:
        view.setdefault(key, None)
    return _public(view)


def flatten(desired, prefix=''):
    """A nested dict of element names -> {slash path: value}, for resources managed by path
    rather than by named fields (isapi_resource). Lists address repeated elements by position
    (``NTPServer[2]/hostName``, 1-based, as ElementTree paths count)."""
    flat = {}
    for name, value in desired.items():
        path = '%s/%s' % (prefix, name) if prefix else name
        if isinstance(value, dict):
            flat.update(flatten(value, path))
        elif isinstance(value, list):
            for position, item in enumerate(value, 1):
                item_path = '%s[%d]' % (path, position)
                if isinstance(item, dict):
                    flat.update(flatten(item, item_path))
                else:
                    flat[item_path] = item
        else:
            flat[path] = value
    return flat


def path_fields(flat, create=False):
    """Fields for flattened paths; values compare as text (booleans as true/false)."""
    return dict((path, Field(path, 'bool' if isinstance(value, bool) else 'str', create=create))
                for path, value in flat.items())


def read_optional(client, path, params=None):
    """GET a resource the firmware may lack or forbid: its root, or None when the device says so
    (the rule is optional.is_unavailable, shared with the read-only modules)."""
    return optional_get(client, path, None, None, params=params)


class Documents(object):
    """The documents one task works on: each read at most once, each changed one written once,
    and ``reboot_required`` gathered in this one place for every declarative module."""

    def __init__(self, client):
        self.client = client
        self.roots = {}
        self.params = {}
        self._changed = []

    def get(self, path, optional=False, params=None):
        """The document's root; with optional=True, None when the firmware lacks it."""
        if path not in self.roots:
            self.params[path] = params
            self.roots[path] = read_optional(self.client, path, params) if optional \
                else self.client.get(path, params=params)
        return self.roots[path]

    def first(self, paths):
        """(path, root) of the first of several alternative documents the firmware has."""
        for path in paths:
            root = self.get(path, optional=True)
            if root is not None:
                return path, root
        return None, None

    def changed(self, path):
        if path not in self._changed:
            self._changed.append(path)

    def write(self, first=(), exclude=()):
        """PUT every changed document once (``first`` ones before the rest, ``exclude`` ones left
        for a later call). Returns whether any answer asked for a reboot."""
        pending = [p for p in self._changed if p not in exclude]
        pending.sort(key=lambda p: p not in first)
        reboot_required = False
        for path in pending:
            write = self.client.put(path, self.roots[path], params=self.params.get(path))
            reboot_required = write.reboot_required or reboot_required
            self._changed.remove(path)
        return reboot_required
