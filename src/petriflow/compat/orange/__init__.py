"""Opening workflows that Orange wrote: widgets, channels, settings, and the report.

* :mod:`.widgets`: which Orange widget becomes which node (from each node's ``replaces``)
  and how channel names line up (from each node's ``orange_channels``);
* :mod:`.settings`: the :class:`~.settings.Translation` record each node's
  ``from_orange_settings`` fills, and the dispatch to it;
* :mod:`.unpickler`: Orange's pickled settings read without running any of their code;
* :mod:`.report`: the "Opened from Orange" report (plain data, shown by CLI and GUI);
* :mod:`.reader`: what ``core/ows.py`` asks about each Orange widget while it reads;
* :mod:`.bypass`: ``petriflow run --bypass`` for placeholders.

Importing this package registers :class:`~.reader.OrangeReader` with the ``.ows`` reader
(``petriflow.nodes`` imports it, so every registry of our nodes reads Orange files).
"""

from __future__ import annotations

from petriflow.compat.orange.reader import OrangeReader
from petriflow.core.ows import register_foreign_reader

__all__ = ["OrangeReader"]

register_foreign_reader(OrangeReader)
