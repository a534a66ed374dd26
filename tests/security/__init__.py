"""Tests of security and audit: access rules and lists, the audit chain, sign-in, tokens, HTTP hardening."""
