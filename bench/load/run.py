"""``python -m bench.load.run``: the load test (see ``bench.load.harness``).

Locust runs on gevent, whose monkey patching must come before anything
imports sockets or ssl; hence this small entry point.
"""
from gevent import monkey

monkey.patch_all()

from bench.load.harness import main  # noqa: E402  (after the monkey patching)

if __name__ == "__main__":
    raise SystemExit(main())
