"""Hikvision ISAPI device emulator for camfleet.hikvision tests and demos.

Run with ``python -m emulator serve ...``; see README.md in this folder.
"""
