"""Writes of engagement, one module per concept: suggestions, surveys, recognition. Each checks
who may act (NotAllowed: 403), whether the step fits the record's state (TransitionError: 409)
and validates (ValidationError: 400), in a transaction."""
