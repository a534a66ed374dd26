"""Tests of work items, timescales in use, safeguarding enquiries and RoSH assessments."""
