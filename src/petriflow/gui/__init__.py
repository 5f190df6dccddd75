"""Qt views and the canvas. The only package that imports PyQt6."""
