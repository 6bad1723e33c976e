"""Evidence that must not change once signed: a guard at the model layer, under the services."""

from django.db import models


class ImmutableRecordError(Exception):
    """Raised when code tries to change a record that is evidence (e.g. an approved policy
    version). The message is a sentence a user can read."""


class FrozenFieldsMixin(models.Model):
    """Refuses saves that change `frozen_fields` once `is_frozen()` holds for the stored row.

    Services already refuse such changes with a clear error; this catches any other path (admin,
    shell, a future bug). It costs one query per save of an existing row.
    """

    frozen_fields: tuple[str, ...] = ()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk:
            stored = type(self)._default_manager.filter(pk=self.pk).first()
            if stored is not None and stored.is_frozen():
                changed = [f for f in self.frozen_fields if getattr(stored, f) != getattr(self, f)]
                if changed:
                    raise ImmutableRecordError(
                        f"This {self._meta.verbose_name} is evidence and can no longer be "
                        f"changed ({', '.join(changed)})."
                    )
        super().save(*args, **kwargs)

    def is_frozen(self) -> bool:  # pragma: no cover - each model defines it
        raise NotImplementedError


class TransitionError(Exception):
    """A workflow step that is not allowed from the record's current state, or by this person.
    The message is a sentence that says why and what to do instead."""


class NotAllowed(TransitionError):
    """The step exists but this person's role may not take it (pages and API answer 403)."""
