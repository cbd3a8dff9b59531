"""Core: settings, database and unit of work, base model, ids, clock, errors, the actor.
Imports no capability."""
