# -*- coding: utf-8 -*-
# Copyright: camfleet.hikvision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The audit's three outputs from one result: JSON (machines), JUnit XML (CI systems: one test
case per device and control, a failure per failed control, a skip per not-supported or unknown
one, so no CI shows them green) and one self-contained HTML page (people: no external asset, so it
opens from a mail attachment or a CI artifact store)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import html
import json
import xml.etree.ElementTree as ET

from ansible_collections.camfleet.hikvision.plugins.plugin_utils.audit import RECOVERY_METHODS, STATUSES

# The readiness cells' look: reuses the status classes (ready as pass, stale as fail).
READINESS_CLASS = {'ready': 'pass', 'stale': 'fail', 'not_ready': 'unknown', 'not_supported': 'not_supported',
                   'unknown': 'unknown'}


def to_json(report):
    return json.dumps(report, indent=2, sort_keys=True, default=str) + '\n'


def to_junit(report):
    suites = ET.Element('testsuites', name='camfleet.hikvision audit')
    for device in report['devices']:
        counts = device['counts']
        suite = ET.SubElement(suites, 'testsuite', name=device['name'],
                              tests=str(len(device['controls'])), failures=str(counts['fail']),
                              skipped=str(counts['not_supported'] + counts['unknown']), errors='0')
        for control in device['controls']:
            case = ET.SubElement(suite, 'testcase', name=control['id'], classname=device['name'])
            if control['status'] == 'fail':
                failure = ET.SubElement(case, 'failure', message=control['title'])
                value = json.dumps(control['value'], default=str)
                failure.text = 'value: %s\nfix: %s' % (value, control['fix'])
            elif control['status'] != 'pass':
                ET.SubElement(case, 'skipped', message='%s: %s' % (
                    control['status'].replace('_', ' '), control['title']))
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding='unicode') + '\n'


STYLE = '''
body{font-family:system-ui,sans-serif;margin:1.5em;color:#222}
h1{font-size:1.4em} table{border-collapse:collapse;width:100%} th,td{border:1px solid #ccc;padding:4px 8px;text-align:left}
th{background:#eee;cursor:pointer;user-select:none} th.sorted-asc::after{content:" \\25B2"} th.sorted-desc::after{content:" \\25BC"}
.pass{color:#1a7f37}.fail{color:#cf222e;font-weight:bold}.not_supported{color:#6e7781}.unknown{color:#9a6700}
.bar{display:flex;height:18px;width:420px;border:1px solid #999;margin:2px 0}.bar span{display:block;height:100%}
.bar .pass{background:#2da44e}.bar .fail{background:#cf222e}.bar .not_supported{background:#afb8c1}.bar .unknown{background:#d4a72c}
.summary td{border:none;padding:2px 8px} tr.details td{background:#fafafa;font-size:.9em} tr.hidden{display:none}
'''

SCRIPT = '''
(function(){
  var table=document.getElementById('devices');
  var body=table.tBodies[0];
  function rows(){return Array.prototype.slice.call(body.querySelectorAll('tr.device'));}
  function sortBy(th){
    var col=th.cellIndex, numeric=th.dataset.type==='number';
    var dir=th.classList.contains('sorted-asc')?-1:1;
    Array.prototype.forEach.call(table.tHead.rows[0].cells,function(c){c.classList.remove('sorted-asc','sorted-desc');});
    th.classList.add(dir===1?'sorted-asc':'sorted-desc');
    rows().sort(function(a,b){
      var x=a.cells[col].dataset.sort||a.cells[col].textContent, y=b.cells[col].dataset.sort||b.cells[col].textContent;
      if(numeric){x=parseFloat(x)||0;y=parseFloat(y)||0;return (x-y)*dir;}
      return x.localeCompare(y)*dir;
    }).forEach(function(r){var d=document.getElementById('details-'+r.dataset.name);body.appendChild(r);if(d){body.appendChild(d);}});
  }
  Array.prototype.forEach.call(table.tHead.rows[0].cells,function(th){th.addEventListener('click',function(){sortBy(th);});});
  var filter=document.getElementById('filter');
  filter.addEventListener('input',function(){
    var q=filter.value.toLowerCase();
    rows().forEach(function(r){
      var hide=q&&r.textContent.toLowerCase().indexOf(q)<0;
      r.classList.toggle('hidden',!!hide);
      var d=document.getElementById('details-'+r.dataset.name); if(d){d.classList.toggle('hidden',!!hide);}
    });
  });
})();
'''


def _bar(counts):
    total = sum(counts[s] for s in STATUSES) or 1
    return '<div class="bar">%s</div>' % ''.join(
        '<span class="%s" style="width:%.1f%%" title="%s: %d"></span>' % (s, 100.0 * counts[s] / total, s, counts[s])
        for s in STATUSES if counts[s])


def _e(value):
    return html.escape('' if value is None else str(value))


def _readiness_cells(readiness):
    states = readiness.get('methods') or {}
    cells = []
    for method in RECOVERY_METHODS:
        state = states.get(method, 'unknown')
        title = ''
        if method == 'guid_file' and readiness.get('guid_exported_at'):
            title = ' title="exported %s; admin password changed %s"' % (
                _e(readiness['guid_exported_at']), _e(readiness.get('password_changed_at') or 'unknown'))
        cells.append('<td class="%s" data-method="%s"%s>%s</td>' % (
            READINESS_CLASS[state], method, title, state.replace('_', ' ')))
    return ''.join(cells)


def to_html(report):
    out = ['<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">',
           '<title>camfleet.hikvision audit</title><style>%s</style></head><body>' % STYLE,
           '<h1>Fleet audit</h1><p>Generated %s: %d devices, %d failing or unreachable.</p>' % (
               _e(report['generated']), report['device_count'], report['failing_devices'])]
    readiness = report.get('recovery') or {}
    out.append('<p id="recovery-summary">Recovery: %d devices with a ready self-service method, '
               '%d stale GUID files, %d not read.</p>' % (
                   readiness.get('devices_with_a_ready_method', 0), readiness.get('stale_guid_files', 0),
                   readiness.get('unknown', 0)))
    totals = report['totals']
    out.append('<table class="summary" id="summary"><tr>%s</tr></table>' % ''.join(
        '<td class="%s">%s: <b>%d</b></td>' % (s, s.replace('_', ' '), totals[s]) for s in STATUSES))
    out.append('<h2>Sites</h2><table class="summary" id="sites">')
    for site, counts in sorted(report['sites'].items()):
        out.append('<tr data-site="%s"><td>%s</td><td>%s</td><td>%s</td></tr>' % (
            _e(site), _e(site), _bar(counts),
            ', '.join('%s %d' % (s.replace('_', ' '), counts[s]) for s in STATUSES)))
    out.append('</table><h2>Devices</h2>')
    out.append('<p><label>Filter: <input id="filter" type="search" placeholder="name, site, model, CVE..."></label></p>')
    headers = (('Device', 'text'), ('Site', 'text'), ('Model', 'text'), ('Firmware', 'text'),
               ('Pass', 'number'), ('Fail', 'number'), ('Not supported', 'number'),
               ('Unknown', 'number'), ('CVEs', 'number'), ('Log flags', 'number'),
               ('Questions', 'text'), ('E-mail', 'text'), ('GUID file', 'text'))
    out.append('<table id="devices"><thead><tr>%s</tr></thead><tbody>' % ''.join(
        '<th data-type="%s">%s</th>' % (kind, name) for name, kind in headers))
    for device in report['devices']:
        c = device['counts']
        flags = (device.get('log') or {}).get('flags') or []
        out.append('<tr class="device" data-name="%s"><td>%s%s</td><td>%s</td><td>%s</td><td>%s</td>'
                   '<td class="pass">%d</td><td class="fail" data-sort="%d">%d</td><td class="not_supported">%d</td>'
                   '<td class="unknown">%d</td><td data-sort="%d">%s</td><td data-sort="%d">%d</td>%s</tr>' % (
                       _e(device['name']), _e(device['name']),
                       ' <span class="fail">(unreachable)</span>' if device['unreachable'] else '',
                       _e(device['site']), _e(device['model']), _e(device['firmware']),
                       c['pass'], c['fail'], c['fail'], c['not_supported'], c['unknown'],
                       len(device['cves']), _e(', '.join(x['cve'] for x in device['cves'])),
                       len(flags), len(flags), _readiness_cells(device.get('recovery') or {})))
        failing = [x for x in device['controls'] if x['status'] == 'fail']
        details = ''.join('<li class="fail">%s: %s <i>fix:</i> %s</li>' % (
            _e(x['id']), _e(x['title']), _e(x['fix'])) for x in failing)
        details += ''.join('<li class="unknown">log: %s</li>' % _e(f) for f in flags)
        details += ''.join('<li class="fail">recovery: %s</li>' % _e(f)
                           for f in (device.get('recovery') or {}).get('flags') or [])
        if device.get('error'):
            details += '<li class="unknown">%s</li>' % _e(device['error'])
        out.append('<tr class="details" id="details-%s"><td colspan="%d"><ul>%s</ul></td></tr>' % (
            _e(device['name']), len(headers), details or '<li class="pass">no failing control</li>'))
    out.append('</tbody></table><script>%s</script></body></html>\n' % SCRIPT)
    return ''.join(out)
