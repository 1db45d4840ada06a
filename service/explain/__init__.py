"""Blurbs: a short personal reason per recommended item (see blurbs.py), checked by
grounding.py before anyone sees it as final."""

from service.explain.blurbs import Blurb, BlurbDelta, Explainer
from service.explain.grounding import check

__all__ = ["Blurb", "BlurbDelta", "Explainer", "check"]
