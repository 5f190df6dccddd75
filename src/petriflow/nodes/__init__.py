"""One module per widget node: channels, settings and ``run()``, without Qt.

Importing this package registers the Orange reader (``petriflow.compat.orange``) with the
``.ows`` reader: the nodes translate Orange's settings themselves
(``from_orange_settings``), so whoever loads our nodes can open Orange's files.
"""

from __future__ import annotations

import petriflow.compat.orange  # noqa: F401  (registers the Orange reader)
