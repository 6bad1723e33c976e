"""Invitations: an administrator invites someone by e-mail, with the role, unit and (for an
auditor) access they will have; the link in the e-mail expires, can be sent again (older links
stop working) or withdrawn, and is accepted with a new password, an existing account or the
company sign-in (SSO)."""
