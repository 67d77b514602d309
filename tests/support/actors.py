"""Principals for tests that drive the command bus and the query handlers directly."""

from commands.unit_of_work import Audit
from identity import Principal

STAFF = Principal.staff("test-staff")
STAFF_AUDIT = Audit(STAFF, request_id="test-request")
