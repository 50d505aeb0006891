"""The demo data set: two real districts, their agencies, staff and cases.

``loader`` builds the districts, staff and cases; ``workflow`` gives the cases
their referrals, consents, follow-ups, orders and programmes; ``meetings`` the
committee meetings; ``names`` the Kyrgyz, Russian and Uzbek names. The
synthetic seeder (``coordination.maintenance.synthetic``) reuses their
distributions, so the demo and the benchmark data look alike.
"""
from coordination.demo.loader import (  # noqa: F401
    DEMO_PASSWORD,
    DemoSummary,
    database_is_empty,
    demo_usernames,
    load_demo,
)
