"""Makes the checkout importable as ansible_collections.camfleet.hikvision and the emulator
package importable, whichever way pytest is started."""
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COLLECTIONS = os.path.join(ROOT, '.collections')
LINK = os.path.join(COLLECTIONS, 'ansible_collections', 'camfleet', 'hikvision')

if not os.path.exists(LINK):
    os.makedirs(os.path.dirname(LINK), exist_ok=True)
    os.symlink(ROOT, LINK)
for path in (COLLECTIONS, ROOT):
    if path not in sys.path:
        sys.path.insert(0, path)
os.environ.setdefault('ANSIBLE_COLLECTIONS_PATH', COLLECTIONS)

# The OpenBao dev server, one per pytest process, for every test of the credential store.
from credstore_fixtures import bao_server  # noqa: E402,F401 - a pytest fixture
