"""Offline evaluation: leave-last-out splits, ranking metrics and judged chat answers."""
