"""Where nodes go when the user asks for order: align a selection, tidy the whole graph.

Why plain functions of positions and links (no items, no Qt): the layout is arithmetic on
``{node id: (x, y)}`` and the caller turns the answer into one undoable
:class:`~petriflow.gui.undo.MoveCommand`, so it can be tested on a 200-node graph in
milliseconds and undo restores every node at once.

Tidy is the classic layered drawing (Sugiyama, as Orange's canvas and Graphviz's ``dot``
do it, simplified): **longest-path layering** puts every node one column right of its
furthest source, so data flows left to right; **barycentre ordering** then sweeps down
and up the columns, putting each node at the mean row of its neighbours, which removes
most crossings; rows are a fixed pitch apart, so no two nodes can overlap. Disconnected
parts of the workflow are laid out one below the other.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping

__all__ = ["ALIGN_MODES", "COLUMN_PITCH", "ROW_PITCH", "align", "tidy"]

Position = tuple[float, float]

#: distance between columns: a disc, its anchors and a link label fit between two nodes
COLUMN_PITCH = 200.0
#: distance between rows: a disc plus its title and two status lines under it
ROW_PITCH = 130.0
#: barycentre sweeps (down + up); crossings rarely improve after a few
SWEEPS = 6

ALIGN_MODES = ("left", "centre", "right", "top", "middle", "bottom")


def align(positions: Mapping[str, Position], mode: str) -> dict[str, Position]:
    """The selection aligned on one line; nodes that would then overlap are spaced out.

    ``left``/``centre``/``right`` put the nodes in one column (x of the leftmost, the mean,
    the rightmost) and keep their top-to-bottom order; ``top``/``middle``/``bottom`` put
    them in one row. Why the spacing: nodes side by side aligned into one column would
    otherwise land on top of each other, which nobody asks for.
    """
    if mode not in ALIGN_MODES:
        raise ValueError(f"unknown alignment {mode!r}; one of {', '.join(ALIGN_MODES)}")
    if not positions:
        return {}
    vertical = mode in ("left", "centre", "right")  # one column: x changes
    axis = 0 if vertical else 1
    values = [p[axis] for p in positions.values()]
    target = {"left": min, "top": min, "right": max, "bottom": max}.get(
        mode, lambda v: sum(v) / len(v))(values)
    pitch = ROW_PITCH if vertical else COLUMN_PITCH
    other = 1 - axis
    order = sorted(positions, key=lambda nid: (positions[nid][other], positions[nid][axis]))
    out: dict[str, Position] = {}
    last: float | None = None
    for nid in order:
        along = positions[nid][other]
        if last is not None and along < last + pitch:
            along = last + pitch
        last = along
        p = [0.0, 0.0]
        p[axis], p[other] = round(target, 1), round(along, 1)
        out[nid] = (p[0], p[1])
    return out


def _components(nodes: list[str], edges: list[tuple[str, str]]) -> list[list[str]]:
    """Weakly connected parts, each in the order of ``nodes``."""
    parent = {n: n for n in nodes}

    def find(n: str) -> str:
        while parent[n] != n:
            parent[n] = parent[parent[n]]
            n = parent[n]
        return n

    for a, b in edges:
        parent[find(a)] = find(b)
    groups: dict[str, list[str]] = defaultdict(list)
    for n in nodes:
        groups[find(n)].append(n)
    return list(groups.values())


def _layers(nodes: list[str], edges: list[tuple[str, str]]) -> dict[str, int]:
    """Longest-path layering: a node's column is one more than its furthest source's.

    Kahn's topological order; a workflow has no cycles (the workflow refuses them), but a
    node left over by one (a damaged file) simply stays in column 0.
    """
    preds: dict[str, list[str]] = defaultdict(list)
    succs: dict[str, list[str]] = defaultdict(list)
    indegree = dict.fromkeys(nodes, 0)
    for a, b in edges:
        preds[b].append(a)
        succs[a].append(b)
        indegree[b] += 1
    layer = dict.fromkeys(nodes, 0)
    ready = [n for n in nodes if indegree[n] == 0]
    while ready:
        n = ready.pop()
        for m in succs[n]:
            layer[m] = max(layer[m], layer[n] + 1)
            indegree[m] -= 1
            if indegree[m] == 0:
                ready.append(m)
    return layer


def _order(columns: list[list[str]], edges: list[tuple[str, str]]) -> list[list[str]]:
    """Barycentre sweeps: each node moves to the mean row of its neighbours in the
    column it is swept from (down: sources, up: sinks); nodes with no such neighbours
    keep their place. Stable sorts, so the result is deterministic."""
    preds: dict[str, list[str]] = defaultdict(list)
    succs: dict[str, list[str]] = defaultdict(list)
    for a, b in edges:
        preds[b].append(a)
        succs[a].append(b)
    row: dict[str, float] = {}
    for col in columns:
        for i, n in enumerate(col):
            row[n] = float(i)
    for sweep in range(SWEEPS):
        down = sweep % 2 == 0
        indices = range(1, len(columns)) if down else range(len(columns) - 2, -1, -1)
        for c in indices:
            col = columns[c]
            neighbours = preds if down else succs

            def key(n: str, col: list[str] = col, neighbours=neighbours) -> float:
                near = neighbours[n]
                return sum(row[m] for m in near) / len(near) if near else row[n]

            col.sort(key=key)
            for i, n in enumerate(col):
                row[n] = float(i)
    return columns


def tidy(positions: Mapping[str, Position],
         links: Iterable[tuple[str, str]]) -> dict[str, Position]:
    """A layered left-to-right layout of the whole graph: ``{node id: (x, y)}``.

    ``links`` are (source id, sink id) pairs (repeats and links to unknown ids are
    ignored). The drawing keeps the old top-left corner, so the workflow stays where the
    user was looking. Columns start in the old top-to-bottom order, which keeps a
    layout that was already tidy as it was.
    """
    nodes = sorted(positions, key=lambda n: (positions[n][1], positions[n][0], n))
    if not nodes:
        return {}
    known = set(nodes)
    edges = sorted({(a, b) for a, b in links if a in known and b in known and a != b})
    left = min(p[0] for p in positions.values())
    top = min(p[1] for p in positions.values())
    out: dict[str, Position] = {}
    y0 = top
    for part in _components(nodes, edges):
        members = set(part)
        part_edges = [e for e in edges if e[0] in members]
        layer = _layers(part, part_edges)
        columns: list[list[str]] = [[] for _ in range(max(layer.values()) + 1)]
        for n in part:  # part is in old top-to-bottom order
            columns[layer[n]].append(n)
        columns = _order(columns, part_edges)
        height = max(len(col) for col in columns)
        for c, col in enumerate(columns):
            # centre short columns against the tallest one of this part
            offset = (height - len(col)) / 2 * ROW_PITCH
            for i, n in enumerate(col):
                out[n] = (round(left + c * COLUMN_PITCH, 1),
                          round(y0 + offset + i * ROW_PITCH, 1))
        y0 += height * ROW_PITCH
    return out
