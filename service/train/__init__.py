"""Training: a layer above serving. It fits the blend and the adapted reranker on the
store's own events, by time, and writes artifacts the serving process picks up.
Dependencies point one way: train -> eval -> pipeline -> stages."""
