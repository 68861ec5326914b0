"""Runs controller-side code inside the controller's namespace for the tests: argv[1] is a JSON
job, stdout the JSON result."""
import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path[:0] = [os.path.join(ROOT, '.collections'), ROOT]

from ansible_collections.camfleet.hikvision.plugins.module_utils.runner import run_in_process  # noqa: E402


def main(job):
    op = job['op']
    if op == 'module':
        module = __import__('ansible_collections.camfleet.hikvision.plugins.modules.%s' % job['module'],
                            fromlist=['SPEC'])
        return run_in_process(module.SPEC, job['args'], check_mode=job.get('check_mode', False),
                              diff=True)
    if op == 'isapi':
        from ansible_collections.camfleet.hikvision.plugins.module_utils.client import IsapiClient
        from ansible_collections.camfleet.hikvision.plugins.module_utils.errors import IsapiError
        from ansible_collections.camfleet.hikvision.plugins.module_utils import xmldoc
        client = IsapiClient(host=job['host'], port=443, scheme='https', password=job['password'],
                             ca_path=job['ca_path'], timeout=job.get('timeout', 5))
        try:
            root = client.get('/ISAPI/System/deviceInfo', retry=job.get('retry', True))
            return {'ok': True, 'serial': xmldoc.text(root, 'serialNumber'),
                    'mac': xmldoc.text(root, 'macAddress')}
        except IsapiError as exc:
            return {'ok': False, 'error': type(exc).__name__, 'msg': str(exc)}
        finally:
            client.close()
    raise SystemExit('unknown op %r' % op)


if __name__ == '__main__':
    print(json.dumps(main(json.loads(sys.argv[1]))))
