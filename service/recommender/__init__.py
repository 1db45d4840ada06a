"""The parts `pipeline.Recommender` wires together, one concern each.

The plan (read before moving code): `Recommender` used to do everything itself and hand
itself to its parts. It is now a thin facade; each part receives only what it reads:

  index.py      IndexManager: the derived index and the candidate sources wired to it,
                swapped whole under one lock; builds, adopts snapshots, the timeline
  freshness.py  Freshness: when to rebuild (refresher) or which snapshot to follow
                (follower), and how far the index is behind the store
  profiles.py   Profiles: a person's counted events read as feedback (history, liked)
  candidates.py CandidateFuser: the candidate sources fused, turned-down items dropped
  read.py       ReadPath: candidates -> rerank -> ranked answer; similar items
  explore.py    ExploreSlots: a feed answer's last slots for little-known items
  features.py   the adapted reranker's feature rows for a pool
  ingest.py     Ingest: items, events and deletions written to the store, vectors, index
  results.py    Recommendation and CandidateResult, the records the read path returns

Explanations and chat read the catalog through `service.candidates.catalog.CatalogView`
(the current item space and CF model, and the store's item rows), never the Recommender.
"""
