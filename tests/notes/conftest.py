"""The workflow's new case and the meetings' meeting, for the notes' tests."""
from tests.meetings.conftest import meeting  # noqa: F401  (fixture)
from tests.workflow.conftest import agency, new_case  # noqa: F401  (fixtures)
