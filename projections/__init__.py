"""Read models of the programmes: attendance, completion and rewards, kept by a catch-up loop."""

from projections.service import Projections, RebuildStats, open_projections

__all__ = ["Projections", "RebuildStats", "open_projections"]
