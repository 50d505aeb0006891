"""``python -m bench.load.run``: the load test (see ``bench.load.harness``).

Locust runs on gevent, whose monkey patching must come before anything
imports sockets or ssl; hence this small entry point. The checkout this
file is in goes first on the path, so that its code is the one measured
(not another copy installed in the virtualenv).
"""
import sys
from pathlib import Path

from gevent import monkey

monkey.patch_all()
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.load.harness import main  # noqa: E402  (after the monkey patching)

if __name__ == "__main__":
    raise SystemExit(main())
