# Sphinx configuration of the collection's documentation site (`make docs`, scripts/docs.sh).
# Started from `antsibull-docs sphinx-init`; changed to build offline: the generated pages refer
# to a few labels of the Ansible documentation, which resolve through a small local intersphinx
# inventory written below instead of one downloaded from docs.ansible.com.
import os
import zlib

project = 'camfleet.hikvision'
copyright = 'camfleet.hikvision contributors'

title = 'camfleet.hikvision Collection Documentation'
html_short_title = 'camfleet.hikvision'

extensions = ['sphinx.ext.autodoc', 'sphinx.ext.intersphinx', 'sphinx_antsibull_ext']

pygments_style = 'ansible'

highlight_language = 'YAML+Jinja'

html_theme = 'sphinx_ansible_theme'
html_show_sphinx = False

display_version = False

html_use_smartypants = True
html_use_modindex = False
html_use_index = False
html_copy_source = False

default_role = 'any'

nitpicky = True

ANSIBLE_DOCS = 'https://docs.ansible.com/projects/ansible/devel/'

# Labels of the Ansible documentation that antsibull-docs' generated pages (and our guides) refer
# to: label -> (page, anchor, title). Add one here when a build says "undefined label".
ANSIBLE_LABELS = {
    'action_plugins': ('plugins/action.html', 'action-plugins', 'Action plugins'),
    'common_return_values': ('reference_appendices/common_return_values.html',
                             'common-return-values', 'Return Values'),
    'ansible_configuration_settings': ('reference_appendices/config.html',
                                       'ansible-configuration-settings',
                                       'Ansible Configuration Settings'),
}

# Environment variables of ansible-core's own configuration that generated pages refer to (the
# sadp inventory plugin's cache options): they are documented on the configuration page, not in
# this collection's environment variable index. Add one here when a build says "'envvar'
# reference target not found".
ANSIBLE_ENVVARS = [
    'ANSIBLE_CACHE_PLUGIN',
    'ANSIBLE_CACHE_PLUGIN_CONNECTION',
    'ANSIBLE_CACHE_PLUGIN_PREFIX',
    'ANSIBLE_CACHE_PLUGIN_TIMEOUT',
]


def _write_inventory(path):
    """A Sphinx objects.inv (version 2) holding ANSIBLE_LABELS as std:label entries and
    ANSIBLE_ENVVARS as std:envvar entries."""
    lines = ''.join('%s std:label -1 %s#%s %s\n' % (label, page, anchor, text)
                    for label, (page, anchor, text) in sorted(ANSIBLE_LABELS.items()))
    lines += ''.join('%s std:envvar 1 reference_appendices/config.html#envvar-%s -\n' % (name, name)
                     for name in sorted(ANSIBLE_ENVVARS))
    header = ('# Sphinx inventory version 2\n# Project: Ansible\n# Version: devel\n'
              '# The remainder of this file is compressed using zlib.\n')
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'wb') as fh:
        fh.write(header.encode() + zlib.compress(lines.encode()))


_INVENTORY = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, 'build',
                          'ansible_devel.inv')
_write_inventory(_INVENTORY)

intersphinx_mapping = {
    'ansible_devel': (ANSIBLE_DOCS, os.path.abspath(_INVENTORY)),
}
