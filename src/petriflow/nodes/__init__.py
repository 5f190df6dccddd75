"""One module per widget node: channels, settings and ``run()``, without Qt."""
