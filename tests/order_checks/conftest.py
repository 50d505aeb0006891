"""The workflow's fresh Sokuluk case, for the order checks' tests."""
from tests.workflow.conftest import new_case  # noqa: F401
