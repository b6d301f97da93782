"""Use cases of the clinic's records. Each takes a session and an :class:`~reeducate.clinic.access.Actor`,
checks access, writes the audit log, and flushes; the caller's unit of work commits."""
