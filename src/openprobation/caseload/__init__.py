"""Read models that join several areas of the record (the caseload page)."""
