"""Work items: what a case owes and by when, made due by events in the record under the timescale policy."""
