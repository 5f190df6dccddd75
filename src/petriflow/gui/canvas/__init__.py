"""The workflow canvas: a QGraphicsScene that mirrors a Workflow, and its items."""
