"""Pure computations on numpy/torch arrays (embedding, distances, clustering, models).

No Qt and no nodes here: nodes call these functions; tests and scripts can too.
"""
