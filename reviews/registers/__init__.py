"""The review inputs' registers, one module each: nonconformities (ISO 9001 10.2), audit
findings (9.2), customer feedback (9.1.2) and provider evaluations (8.4). Each is declared once,
with its form, filters, list columns and import columns; `qms.core.registers` makes the pages,
the API and the import from it. `reviews.apps` declares them."""

from reviews.registers.audits import AUDIT_FINDINGS
from reviews.registers.feedback import CUSTOMER_FEEDBACK
from reviews.registers.nonconformities import NONCONFORMITIES
from reviews.registers.providers import PROVIDER_EVALUATIONS

REGISTERS = (NONCONFORMITIES, AUDIT_FINDINGS, CUSTOMER_FEEDBACK, PROVIDER_EVALUATIONS)

__all__ = [
    "AUDIT_FINDINGS",
    "CUSTOMER_FEEDBACK",
    "NONCONFORMITIES",
    "PROVIDER_EVALUATIONS",
    "REGISTERS",
]
