"""Management information: figures leaders act on, for a PDU, a region or the whole service.

Each figure is read from the record when asked for (nothing stored, so nothing stale) and counts only the cases the
reader may see (``people.access.people_visible_to``): a restricted or excluded case is in no figure for someone who
may not open it. See docs/quality.md, "Management information".
"""
