"""Running an Orange workflow past a placeholder: ``petriflow run --bypass NODE``.

Why: a widget we do not have (Orange's Merge Data, Select Columns ...) stays a placeholder
that passes no data, so everything after it waits. Often the widget only reshaped a table
in a way our nodes do not need (Import Images already takes the class from sub-folders),
and the user wants the rest of the workflow to run. Bypassing is an explicit choice for
one run: the placeholder's data input is wired straight to what its outputs fed. The file
is not changed.
"""

from __future__ import annotations

from petriflow.core.workflow import LinkError, Workflow

__all__ = ["BypassError", "bypass_placeholder"]


class BypassError(ValueError):
    """The node cannot be bypassed; the message says why."""


def bypass_placeholder(workflow: Workflow, key: str) -> list[str]:
    """Wire placeholder ``key``'s data input straight to its outputs' sinks.

    The input used is the link into a channel named "Data" (Orange's main data input),
    else the only input link. Returns one line per new link. Raises :class:`BypassError`
    when the node is not a placeholder, has no usable input, or no sink accepts the data.
    """
    try:
        node = workflow.find_node(key)
    except KeyError as exc:
        raise BypassError(f"--bypass {key!r}: {exc.args[0]}") from None
    if not node.is_placeholder:
        raise BypassError(f"--bypass {key!r}: {node.title!r} is not a placeholder; only "
                          "widgets Petriflow lacks can be bypassed")
    inputs = [lk for lk in workflow.input_links(node.id) if lk.enabled]
    main = [lk for lk in inputs if lk.sink_channel == "Data"] or inputs
    if len(main) != 1:
        raise BypassError(f"--bypass {key!r}: {node.title!r} has "
                          f"{'no' if not main else len(main)} data inputs; need exactly one")
    source = main[0]
    added: list[str] = []
    for out in list(workflow.output_links(node.id)):
        workflow.remove_link(out.id)
        try:
            workflow.add_link(source.source_id, source.source_channel, out.sink_id,
                              out.sink_channel, enabled=out.enabled)
        except LinkError as exc:
            raise BypassError(f"--bypass {key!r}: cannot connect "
                              f"{workflow.node(source.source_id).title} to "
                              f"{workflow.node(out.sink_id).title}: {exc}") from None
        added.append(f"{workflow.node(source.source_id).title} ({source.source_channel}) → "
                     f"{workflow.node(out.sink_id).title} ({out.sink_channel})")
    if not added:
        raise BypassError(f"--bypass {key!r}: {node.title!r} feeds no node")
    return added
