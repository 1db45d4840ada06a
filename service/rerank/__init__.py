"""Rerankers behind one protocol (base.py), and the stage that runs them (stage.py)."""
