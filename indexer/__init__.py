"""Minutes of council sessions: sources → parse → record → index → search, answers, timelines."""

import os as _os

# numpy serves array arithmetic here, never linear algebra: OpenBLAS's thread pool, started when
# numpy is imported, only burns ~0.1 s of CPU on another core in each process that imports it (an
# index run, each server worker), beside the workers that need that core
_os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
