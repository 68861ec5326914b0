"""Citations of the developer guide resolve: every `docs/developer/<page>, §N` anywhere in the
repository names a page that exists and a section that page has, so a renumbered or missing
section cannot leave comments pointing nowhere."""
import os
import re

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEV = os.path.join(ROOT, 'docs', 'developer')
SKIP_DIRS = {'.git', '.venv', '.collections', '.ansible', '.pytest_cache', 'build', 'dist',
             'demo-out', '__pycache__', 'node_modules'}
# the page, then one or more section numbers: "§3.3-§3.4", "§2.5, §4.3", "§11.7–§11.9"
CITATION = re.compile(r'docs/developer/([\w-]+\.md),? ((?:§\d+(?:\.\d+)?(?:\s*(?:,|-|–|and)\s*)?)+)')
PAGE = re.compile(r'docs/developer/([\w-]+\.md)')
SECTION = re.compile(r'§(\d+(?:\.\d+)?)')
HEADING = re.compile(r'^#{2,3} (\d+(?:\.\d+)?)[ .]', re.M)


def headings(page):
    with open(os.path.join(DEV, page), encoding='utf-8') as f:
        return set(HEADING.findall(f.read()))


def citations():
    for dirpath, dirnames, files in os.walk(ROOT):
        dirnames[:] = [d for d in dirnames if d not in SKIP_DIRS and not d.endswith('.egg-info')]
        for name in files:
            if not name.endswith(('.py', '.md', '.rst', '.yml', '.yaml', '.json', '.j2', '.txt')):
                continue
            path = os.path.join(dirpath, name)
            with open(path, encoding='utf-8', errors='replace') as f:
                text = f.read().replace('\\u00a7', '§')
            for match in CITATION.finditer(text):
                yield os.path.relpath(path, ROOT), match.group(1), SECTION.findall(match.group(2))
            for page in PAGE.findall(text):
                yield os.path.relpath(path, ROOT), page, []


def test_every_citation_names_an_existing_page_and_section():
    pages = {p: headings(p) for p in os.listdir(DEV) if p.endswith('.md')}
    found, broken = 0, []
    for path, page, sections in citations():
        if page not in pages:
            broken.append('%s cites %s, which does not exist' % (path, page))
        for section in sections:
            found += 1
            if page in pages and section not in pages[page]:
                broken.append('%s cites %s §%s' % (path, page, section))
    assert broken == []
    assert found >= 3  # (the regex finds them: a guard against a pattern that matches nothing)


def test_the_guide_pages_keep_their_numbered_sections():
    # The numbering the code's comments rely on (and that the earlier notes used).
    assert {'1.3', '2.1', '2.5', '3.3', '3.6', '6.4', '7.3', '9.1', '11.7', '12.4', '13.2', '15', '17'} <= headings('isapi-reference.md')
    assert {'1.3', '2.2', '2.3', '3.3', '3.5', '4', '5', '7'} <= headings('sadp-reference.md')
    assert {'2.4', '3', '10'} <= headings('recovery-reference.md')
    assert {'3.1', '3.4'} <= headings('hardening-reference.md')
    assert {'3', '5'} <= headings('design.md')
