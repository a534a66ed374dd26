"""Tests of the case record: people, sentences, contacts, through the services, the API and the pages."""
