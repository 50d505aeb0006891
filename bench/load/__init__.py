"""``make load``: the app under gunicorn, driven by Locust with a realistic mix.

``scenario`` says what the simulated users do (it imports neither Locust nor
the app, so the test suite checks it through Flask's test client);
``locustfile`` binds it to Locust; ``verify`` checks the database for lost
updates; ``summary`` turns the recorded requests into the printed figures;
``run`` puts it all together (seed, gunicorn, baseline, mix, verify, report).
"""
