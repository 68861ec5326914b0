"""The audit's HTML report in a real browser: headless Chromium (Debian packages chromium and
chromium-driver, named in bindep.txt) driven through selenium (pinned in requirements). Checks the
rows, that clicking a column header sorts them both ways, and the filter; keeps a screenshot in
tests/browser/artifacts/ (gitignored). Skips, saying which, only when a package is missing."""
import os
import shutil

import pytest

from ansible_collections.camfleet.hikvision.plugins.plugin_utils import audit, audit_report

ARTIFACTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'artifacts')
CHROMIUM = shutil.which('chromium') or shutil.which('chromium-browser')
CHROMEDRIVER = shutil.which('chromedriver')

webdriver = pytest.importorskip('selenium.webdriver', reason='selenium is not installed (pip install -r requirements-dev.txt)')
if not CHROMIUM:
    pytest.skip('chromium is not installed (Debian: apt-get install chromium; see bindep.txt)',
                allow_module_level=True)
if not CHROMEDRIVER:
    pytest.skip('chromedriver is not installed (Debian: apt-get install chromium-driver; see bindep.txt)',
                allow_module_level=True)

CATALOG = [{'id': 'ssh_off', 'title': 'SSH off', 'requires': ['settings.services.ssh'],
            'expr': 'settings.services.ssh == `false`', 'fix': 'baseline_services.ssh: false'},
           {'id': 'dot1x', 'title': '802.1X', 'unsupported': True}]


def record(name, site, ssh):
    return {'name': name, 'site': site, 'address': '192.0.2.1',
            'device': {'model': 'DS-2CD2T86G2-ISU/SL', 'firmware': 'V5.7.18 build 240826'},
            'settings': {'services': {'ssh': ssh}}, 'unsupported': {}, 'log_entries': []}


@pytest.fixture
def report_page(tmp_path):
    records = [record('cam-b', 'north', True), record('cam-a', 'south', False),
               record('cam-c', 'north', True), {'name': 'cam-d', 'site': 'south', 'unreachable': True,
                                                'error': 'connection refused'}]
    report = audit.audit_fleet(records, CATALOG, {'default': 'V5.7.0'}, [])
    page = tmp_path / 'audit.html'
    page.write_text(audit_report.to_html(report))
    return page


@pytest.fixture
def browser():
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service
    options = Options()
    options.binary_location = CHROMIUM
    for arg in ('--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage',
                '--window-size=1200,900'):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    yield driver
    driver.quit()


def names(driver):
    rows = driver.find_elements('css selector', '#devices tbody tr.device')
    return [r.get_attribute('data-name') for r in rows if r.is_displayed()]


def test_rows_sorting_filter_and_screenshot(browser, report_page):
    browser.get('file://%s' % report_page)
    assert names(browser) == ['cam-a', 'cam-b', 'cam-c', 'cam-d']
    assert len(browser.find_elements('css selector', '#sites tr')) == 2  # a bar per site
    headers = browser.find_elements('css selector', '#devices thead th')
    assert [h.text for h in headers][-3:] == ['Questions', 'E-mail', 'GUID file']  # recovery readiness
    fail_header = [h for h in headers if h.text == 'Fail'][0]
    fail_header.click()
    first = names(browser)
    assert first[-2:] in (['cam-b', 'cam-c'], ['cam-c', 'cam-b'])  # ascending: the failing ones last
    assert 'sorted-asc' in fail_header.get_attribute('class')
    fail_header.click()
    assert names(browser)[:2] in (['cam-b', 'cam-c'], ['cam-c', 'cam-b'])
    assert 'sorted-desc' in fail_header.get_attribute('class')
    [h for h in headers if h.text == 'Device'][0].click()
    assert names(browser) == ['cam-a', 'cam-b', 'cam-c', 'cam-d']
    # each failing control is listed with its fix under its device
    details = browser.find_element('id', 'details-cam-b').text
    assert 'ssh_off' in details and 'baseline_services.ssh: false' in details
    os.makedirs(ARTIFACTS, exist_ok=True)
    shot = os.path.join(ARTIFACTS, 'audit-report.png')
    assert browser.save_screenshot(shot) and os.path.getsize(shot) > 1000
    box = browser.find_element('id', 'filter')
    box.send_keys('north')
    assert names(browser) == ['cam-b', 'cam-c']
    assert not browser.find_element('id', 'details-cam-a').is_displayed()
