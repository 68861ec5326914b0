#!/usr/bin/env python3
"""The floor of `make bench`: bench/job.yml as a plain concurrent Python script.

One requests.Session with Digest auth per device (one challenge, then the nonce is reused), one
worker thread per device up to --workers: GET each read document, GET each written document and
PUT it back if its edits change it. With --check it writes nothing and exits 1 if any device
still needs a change (how the bench proves every contestant converged the fleet).
"""
import argparse
import json
import re
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import requests
import yaml
from requests.auth import HTTPDigestAuth


def edited(text, edits):
    for pattern, replacement in edits:
        text = re.sub(pattern, replacement, text)
    return text


def get(session, url, ca_path):
    # Switching plain HTTP off re-binds the device's listeners (the HTTPS one too): the next
    # connection may be refused for a moment. A GET is safe to send again.
    for _ in range(20):
        try:
            return session.get(url, verify=ca_path, timeout=30)
        except requests.ConnectionError:
            time.sleep(0.05)
    return session.get(url, verify=ca_path, timeout=30)


def converge(device, job, ca_path, check=False):
    """Returns the paths this device needed changed (written unless check)."""
    base = 'https://%s:%s' % (device['address'], device['https_port'])
    pending = []
    with requests.Session() as s:
        s.auth = HTTPDigestAuth('admin', device['password'])
        # verify per request: requests prefers REQUESTS_CA_BUNDLE over session.verify
        if not check:
            for path in job['reads']:
                # a document this firmware lacks answers 404, as the collection sees it too
                if get(s, base + path, ca_path).status_code not in (200, 404):
                    raise RuntimeError('%s: GET %s failed' % (device['name'], path))
        for w in job['writes']:
            r = get(s, base + w['path'], ca_path)
            r.raise_for_status()
            body = edited(r.text, w['edits'])
            if body != r.text:
                pending.append(w['path'])
                if not check:
                    s.put(base + w['path'], data=body.encode(), verify=ca_path, timeout=30,
                          headers={'Content-Type': 'application/xml'}).raise_for_status()
    return pending


def run(fleet, job, names=None, workers=50, check=False):
    """{device name: paths it needed changed} for the named devices (default: all)."""
    devices = [d for d in fleet['devices'] if names is None or d['name'] in names]
    with ThreadPoolExecutor(workers) as pool:
        results = pool.map(lambda d: converge(d, job, fleet['ca_path'], check), devices)
        return dict(zip((d["name"] for d in devices), results, strict=True))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('fleet_json')
    parser.add_argument('--job', default=__file__.rsplit('/', 1)[0] + '/job.yml')
    parser.add_argument('--limit', help='comma-separated device names (default: all)')
    parser.add_argument('--workers', type=int, default=50)
    parser.add_argument('--check', action='store_true')
    args = parser.parse_args()
    with open(args.fleet_json) as f:
        fleet = json.load(f)
    with open(args.job) as f:
        job = yaml.safe_load(f)
    names = set(args.limit.split(',')) if args.limit else None
    pending = {k: v for k, v in run(fleet, job, names, args.workers, args.check).items() if v}
    if args.check and pending:
        sys.exit('not converged: %s' % json.dumps(pending))


if __name__ == '__main__':
    main()
