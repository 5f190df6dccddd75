"""Headless core: table, channel types, node base, workflow graph, scheduler, .ows io.

Nothing in this package imports Qt (a test enforces it), so the same workflows run from
the command line, in CI and on a cluster.
"""
