"""Where nodes go when the user asks for order: align a selection, tidy the whole graph.

Why plain functions of positions and links (no items, no Qt): the layout is arithmetic on
``{node id: (x, y)}`` and the caller turns the answer into one undoable
:class:`~petriflow.gui.undo.MoveCommand`, so it can be tested on a 200-node graph in
milliseconds and undo restores every node at once.

Tidy is the classic layered drawing (Sugiyama, as Orange's canvas and Graphviz's ``dot``
do it, simplified): **longest-path layering** puts every node one column right of its
furthest source, so data flows left to right; **barycentre ordering** then sweeps down
and up the columns, putting each node at the mean row of its neighbours, which removes
most crossings; rows are a fixed pitch apart, so no two nodes can overlap. A link that
skips columns is drawn straight across them, so a node there that its curve would pass
through moves down (with the nodes under it) until the link passes clear of its disc
and text; a node with one neighbour is then put level with it where its row is free.
Of the drawings tried (with and without stand-ins for skipping links, columns centred
or not) the one with the fewest links through nodes, then the lowest, then the
straightest is kept. Disconnected parts of the workflow are laid out one below the
other.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable, Mapping

__all__ = ["ALIGN_MODES", "COLUMN_PITCH", "NODE_REACH", "ROW_PITCH", "align", "link_curve",
           "tidy"]

Position = tuple[float, float]

#: distance between columns: a disc, its anchors and a link label fit between two nodes
COLUMN_PITCH = 200.0
#: distance between rows: a disc plus its title and two status lines under it
ROW_PITCH = 130.0
#: barycentre sweeps (down + up); crossings rarely improve after a few
SWEEPS = 6

ALIGN_MODES = ("left", "centre", "right", "top", "middle", "bottom")
#: a node's disc, title and status lines around its centre: (left, top, right, bottom)
NODE_REACH = (-90.0, -34.0, 90.0, 84.0)
#: a link leaves the source's output anchor and enters the sink's input anchor, this far
#: right / left of the centres (gui/canvas/node_item.py: RADIUS + ANCHOR_GAP)
ANCHOR_DX = 33.0


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
        candidates = []
        for stand_ins, centred in ((False, True), (True, True), (False, False)):
            columns = _columns(part, part_edges, layer, stand_ins)
            placed = _rows(columns, left, y0, centred)
            cleared = dict(placed)
            if _clear_long_links(cleared, columns, part_edges):
                placed = cleared
            placed = {n: p for n, p in placed.items() if n in members}
            _straighten(placed, columns, part_edges)
            height = max(y for _, y in placed.values()) - y0
            hits = _hits(placed, columns, part_edges)
            # a link through a node costs as much as two more rows of height: a
            # drawing twice as tall to avoid one crossing is no easier to read; then
            # straighter links (a slanted short link has no room for its label)
            slant = sum(abs(placed[a][1] - placed[b][1]) for a, b in part_edges)
            candidates.append((hits * 2 * ROW_PITCH + height, slant, hits, placed))
        _, _, best_hits, placed = min(candidates, key=lambda c: (c[0], c[1], c[2]))
        kept = _kept(positions, part, part_edges, layer, left, y0)
        # a drawing that is already layered stays as it is (Tidy Up twice changes
        # nothing), unless a new one would have no link through a node and it has
        if kept is not None and not (
                best_hits == 0 < _hits(kept, _columns(part, part_edges, layer, False),
                                       part_edges)):
            placed = kept
        out.update(placed)
        y0 = max(y for _, y in placed.values()) + ROW_PITCH
    return out


def _kept(positions: Mapping[str, Position], part: list[str], edges: list[tuple[str, str]],
          layer: dict[str, int], left: float, top: float) -> dict[str, Position] | None:
    """The part as it is, moved to ``top``, if it is already a tidy drawing: every node
    in its layer's column and the nodes of a column a row pitch apart; else None."""
    part_top = min(positions[n][1] for n in part)
    kept = {n: (positions[n][0], round(positions[n][1] - part_top + top, 1)) for n in part}
    by_column: dict[int, list[float]] = defaultdict(list)
    for n in part:
        if abs(kept[n][0] - (left + layer[n] * COLUMN_PITCH)) > 0.5:
            return None
        by_column[layer[n]].append(kept[n][1])
    for ys in by_column.values():
        ys.sort()
        if any(b - a < ROW_PITCH - 0.5 for a, b in itertools.pairwise(ys)):
            return None
    return kept


def _columns(part: list[str], edges: list[tuple[str, str]], layer: dict[str, int],
             stand_ins: bool) -> list[list[str]]:
    """The part's columns, ordered. With ``stand_ins`` a link that skips columns has a
    stand-in in each (the classic dummy nodes), which keeps a row free for it there."""
    columns: list[list[str]] = [[] for _ in range(max(layer.values()) + 1)]
    for n in part:  # part is in old top-to-bottom order
        columns[layer[n]].append(n)
    chain = list(edges)
    if stand_ins:
        chain = []
        for a, b in edges:
            prev = a
            for c in range(layer[a] + 1, layer[b]):
                dummy = f"\0{a}\0{b}\0{c}"
                columns[c].append(dummy)
                chain.append((prev, dummy))
                prev = dummy
            chain.append((prev, b))
    return _order(columns, chain)


def _rows(columns: list[list[str]], left: float, top: float,
          centred: bool = True) -> dict[str, Position]:
    """Column c at x = left + c pitches; rows a pitch apart, short columns centred
    against the tallest."""
    height = max(len(col) for col in columns)
    placed: dict[str, Position] = {}
    for c, col in enumerate(columns):
        offset = (height - len(col)) / 2 * ROW_PITCH if centred else 0.0
        for i, n in enumerate(col):
            placed[n] = (round(left + c * COLUMN_PITCH, 1),
                         round(top + offset + i * ROW_PITCH, 1))
    return placed


def _straighten(placed: dict[str, Position], columns: list[list[str]],
                edges: list[tuple[str, str]]) -> None:
    """Put a node with one source (or else one sink) level with it when that row of its
    column is free and no link then runs through a node that did not before: a short
    slanted link has no room for its label (a column centred against a taller one
    leaves its node half a row off its neighbour)."""
    column_of = {n: c for c, col in enumerate(columns) for n in col if n in placed}
    preds: dict[str, list[str]] = defaultdict(list)
    succs: dict[str, list[str]] = defaultdict(list)
    for a, b in edges:
        preds[b].append(a)
        succs[a].append(b)
    for n in sorted(placed, key=lambda n: (column_of[n], placed[n][1])):
        near = preds[n] if len(preds[n]) == 1 else succs[n] if len(succs[n]) == 1 else []
        if not near or placed[near[0]][1] == placed[n][1]:
            continue
        x, y = placed[n]
        target = placed[near[0]][1]
        if any(abs(placed[m][1] - target) < ROW_PITCH - 0.5 for m in columns[column_of[n]]
               if m != n and m in placed):
            continue
        local = [(a, b) for a, b in edges if n in (a, b)
                 or column_of[a] < column_of[n] < column_of[b]]
        before = _hits(placed, columns, local)
        placed[n] = (x, target)
        if _hits(placed, columns, local) > before:
            placed[n] = (x, y)


def _hits(placed: dict[str, Position], columns: list[list[str]],
          edges: list[tuple[str, str]]) -> int:
    """How many (link, node) pairs have the link's curve through the node's box."""
    column_of = {n: c for c, col in enumerate(columns) for n in col if n in placed}
    left, top, right, bottom = NODE_REACH
    count = 0
    for a, b in edges:
        if column_of[b] - column_of[a] < 2:
            continue
        points = link_curve(placed[a], placed[b])
        for c in range(column_of[a] + 1, column_of[b]):
            for n in columns[c]:
                if n in placed:
                    x, y = placed[n]
                    count += any(x + left <= px <= x + right and y + top <= py <= y + bottom
                                 for px, py in points)
    return count


def link_curve(a: Position, b: Position, steps: int = 32) -> list[Position]:
    """Points along the link from a node at ``a`` to one at ``b`` as the canvas draws it
    (gui/canvas/link_item.py ``link_path``: a cubic with horizontal tangents)."""
    x0, y0, x3, y3 = a[0] + ANCHOR_DX, a[1], b[0] - ANCHOR_DX, b[1]
    dx = max(abs(x3 - x0) * 0.5, 40.0)
    x1, x2 = x0 + dx, x3 - dx
    points = []
    for i in range(steps + 1):
        t = i / steps
        u = 1 - t
        points.append((u * u * u * x0 + 3 * u * u * t * x1 + 3 * u * t * t * x2 + t * t * t * x3,
                       (u * u * u + 3 * u * u * t) * y0 + (3 * u * t * t + t * t * t) * y3))
    return points


def _clear_long_links(placed: dict[str, Position], columns: list[list[str]],
                      edges: list[tuple[str, str]]) -> bool:
    """Move down (half a row at a time, with the nodes under it) each node that a link
    skipping its column would pass through, until every such link passes clear; False
    (``placed`` half done: the caller drops it) when that would more than double the
    drawing's height.

    Moving a whole column's tail keeps its rows a pitch apart, so nodes still cannot
    overlap. Why the limit: in a dense graph (a 200-node random one) every move makes
    other long links steeper and the layout would grow without end; a workflow of the
    size a class uses clears in a few moves."""
    column_of = {n: c for c, col in enumerate(columns) for n in col}
    long_edges = [(a, b) for a, b in edges if column_of[b] - column_of[a] > 1]
    left, top, right, bottom = NODE_REACH
    ys0 = [y for _, y in placed.values()]
    limit = min(ys0) + 2 * (max(ys0) - min(ys0)) + 2 * ROW_PITCH
    for _ in range(4 * len(placed) + 4):
        moved = False
        for a, b in long_edges:
            points = link_curve(placed[a], placed[b])
            for c in range(column_of[a] + 1, column_of[b]):
                x = placed[columns[c][0]][0]
                ys = [py for px, py in points if x + left <= px <= x + right]
                if not ys:
                    continue
                low, high = min(ys), max(ys)
                hit = next((n for n in sorted(columns[c], key=lambda n: placed[n][1])
                            if not n.startswith("\0")  # a stand-in is no obstacle
                            and placed[n][1] + top <= high and low <= placed[n][1] + bottom),
                           None)
                if hit is None:
                    continue
                y_hit = placed[hit][1]
                for n in columns[c]:
                    if placed[n][1] >= y_hit:
                        placed[n] = (placed[n][0], placed[n][1] + ROW_PITCH / 2)
                        if placed[n][1] > limit:
                            return False
                moved = True
        if not moved:
            return True
    return False
