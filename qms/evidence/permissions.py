"""Who may do what with evidence packs."""

from qms.core.roles import Role

# Who may export: auditors (their purpose), quality managers (preparing an audit), executives
# and admins. Contributors may not: a pack holds the whole organisation's records.
EXPORT_ROLES = frozenset({Role.AUDITOR, Role.QUALITY_MANAGER, Role.EXECUTIVE, Role.ADMIN})
# Who reads the auditors' access log: the organisation's administrators and quality managers.
ACCESS_LOG_ROLES = frozenset({Role.ADMIN, Role.QUALITY_MANAGER})
