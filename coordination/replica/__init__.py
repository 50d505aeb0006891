"""Reads from a PostgreSQL streaming replica (``DATABASE_REPLICA_URL``).

Pages marked :func:`coordination.replica.routing.reads_from_replica` (lists,
statistics, exports) read from the replica; everything else, every write,
and a user's pages after their own change until the replica has replayed it,
use the primary. docs/replica.md explains the whole of it.
"""
