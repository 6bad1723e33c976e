"""Celery tasks of the reviews app: thin, calling the calendar module."""

from celery import shared_task

from reviews.models import ManagementReview


@shared_task(name="reviews.send_invitation", autoretry_for=(OSError,), retry_backoff=True,
             max_retries=3)  # fmt: skip
def send_invitation(review_id: int) -> int:
    from reviews.calendar import send_invitation as send

    review = ManagementReview.objects.select_related("organization").filter(pk=review_id).first()
    return send(review) if review is not None else 0
