"""The workflow's fixtures (a fresh Sokuluk case, agencies by code)."""
from tests.workflow.conftest import agency, new_case  # noqa: F401
