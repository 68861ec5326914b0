#!/usr/bin/env python3
"""`make ee`: the container build context of an execution environment with this collection.

    scripts/ee_context.py OUT_DIR [--tarball camfleet-hikvision-X.Y.Z.tar.gz]

Puts meta/execution-environment.yml next to requirements.txt, bindep.txt and the collection
tarball in OUT_DIR/definition (the layout of the collection root, which the file's relative paths
are written for) and runs `ansible-builder create` into OUT_DIR/context. Builds the tarball with
ansible-galaxy unless one is given. Builds no image: run `podman build OUT_DIR/context` (or
`ansible-builder build` with the same definition) where a container engine is available.
"""
import argparse
import glob
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.dirname(sys.executable)
TARBALL_NAME = 'camfleet-hikvision.tar.gz'  # the name meta/execution-environment.yml expects


def build_tarball(dest):
    subprocess.run([os.path.join(BIN, 'ansible-galaxy'), 'collection', 'build', '--force',
                    '--output-path', dest, ROOT], check=True, stdout=subprocess.DEVNULL)
    (tarball,) = glob.glob(os.path.join(dest, 'camfleet-hikvision-*.tar.gz'))
    return tarball


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('out_dir')
    parser.add_argument('--tarball', help='collection tarball to put in the image (default: build one)')
    args = parser.parse_args(argv)

    out_dir = os.path.abspath(args.out_dir)
    definition = os.path.join(out_dir, 'definition')
    context = os.path.join(out_dir, 'context')
    for path in (definition, context):
        shutil.rmtree(path, ignore_errors=True)
    os.makedirs(definition)

    tarball = args.tarball
    scratch = None
    if not tarball:
        scratch = tempfile.mkdtemp(prefix='camfleet-ee-')
        tarball = build_tarball(scratch)
    try:
        shutil.copy(os.path.join(ROOT, 'meta', 'execution-environment.yml'),
                    os.path.join(definition, 'execution-environment.yml'))
        for name in ('requirements.txt', 'bindep.txt'):
            shutil.copy(os.path.join(ROOT, name), os.path.join(definition, name))
        shutil.copy(tarball, os.path.join(definition, TARBALL_NAME))
    finally:
        if scratch:
            shutil.rmtree(scratch, ignore_errors=True)

    subprocess.run([os.path.join(BIN, 'ansible-builder'), 'create',
                    '--file', os.path.join(definition, 'execution-environment.yml'),
                    '--context', context, '--output-filename', 'Containerfile'], check=True)
    print('Build context in %s (e.g. podman build -t camfleet-hikvision-ee %s)' % (context, context))
    return 0


if __name__ == '__main__':
    sys.exit(main())
