"""The pyqtgraph scatter under the projection views (MDS, PCA, t-SNE, UMAP, Scatter Plot).

Split by concern so that no module grows past a screen of ideas: :mod:`.encode` turns a
column into colours, sizes and shapes (numpy only, testable without a window),
:mod:`.canvas` is the plot with zoom, pan, rectangle and lasso selection, :mod:`.hover`
the thumbnail overlay and its cache, :mod:`.legend` the clickable legend and colour bar.
Why pyqtgraph: 50,000 points must hover, pan and redraw within a frame, which the
matplotlib canvas could not do (53 ms to draw 5,000 new points).
"""
