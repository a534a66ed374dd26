"""Tests of the interfaces as a whole: the command line, the API against its own schema, the browser."""
