"""Candidate generation: item-item CF, Chroma semantic search, popularity, fusion."""

from service.candidates.fusion import rrf
from service.candidates.index import CandidateIndex
from service.candidates.sources import CandidateSource, ChromaSemantic, ItemItemCF, Popularity

__all__ = ["CandidateIndex", "CandidateSource", "ChromaSemantic", "ItemItemCF", "Popularity", "rrf"]
