"""Compatibility with other programs' files: code that reads what they wrote.

Kept out of ``core`` so that the workflow model and the ``.ows`` layout depend on no
other program's conventions; ``core`` offers hooks (e.g. ``core.ows.register_foreign_reader``)
and the packages here fill them. Headless: nothing here imports Qt.
"""
