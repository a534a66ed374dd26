"""Tests of the demo caseload."""
