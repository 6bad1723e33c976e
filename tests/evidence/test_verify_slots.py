"""Verifying a pack costs a web process up to tens of seconds of CPU (everything it declares is
read): a member runs one verification at a time, and a second upload meanwhile is answered at
once, checking nothing (fifth issue-20 try-out)."""

from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from qms.core.models import Membership
from qms.evidence import verify, verify_slots

pytestmark = pytest.mark.django_db


def _upload(client, pack):
    upload = SimpleUploadedFile("pack.zip", pack.read_bytes(), content_type="application/zip")
    return client.post(reverse("evidence:verify", args=["acme-test"]), {"pack": upload})


def test_a_second_verification_while_the_first_runs_is_refused_and_checks_nothing(
    client, cast, pack
):
    client.force_login(cast.quinn)
    quinn = Membership.objects.get(user=cast.quinn, organization=cast.org_a)
    # The first upload is still being checked.
    with (
        verify_slots.verification_slot(quinn.pk),
        mock.patch.object(verify, "verify", wraps=verify.verify) as verifying,
    ):
        answer = _upload(client, pack)
    assert answer.status_code == 429
    assert "You are already verifying a pack" in answer.content.decode()
    assert verifying.call_count == 0
    # Once it has its answer, the next one is checked.
    answer = _upload(client, pack)
    assert answer.status_code == 200 and "Verified" in answer.content.decode()


def test_another_members_verification_does_not_wait(client, cast, pack):
    alice = Membership.objects.get(user=cast.alice, organization=cast.org_a)
    client.force_login(cast.quinn)
    with verify_slots.verification_slot(alice.pk):
        answer = _upload(client, pack)
    assert answer.status_code == 200


def test_the_slot_is_kept_in_the_web_process_while_the_cache_is_down(client, cast, pack):
    quinn = Membership.objects.get(user=cast.quinn, organization=cast.org_a)
    client.force_login(cast.quinn)
    with mock.patch.object(verify_slots, "shared_cache_keeps_writes", return_value=False):
        with verify_slots.verification_slot(quinn.pk):
            assert _upload(client, pack).status_code == 429
        assert _upload(client, pack).status_code == 200


def test_a_give_back_the_cache_dropped_does_not_keep_the_member_out(client, cast, pack):
    """Redis paused while the first verification ended: the backend swallowed the delete and
    the slot stayed taken for five minutes, refusing the member's next upload (seventh
    issue-20 try-out). The process knows the holder is done, and takes the slot over."""
    from django.core.cache import cache

    quinn = Membership.objects.get(user=cast.quinn, organization=cast.org_a)
    client.force_login(cast.quinn)
    real_delete = cache.delete
    # The give-back is dropped, as while Redis is paused.
    with (
        mock.patch.object(cache, "delete", return_value=False),
        verify_slots.verification_slot(quinn.pk),
    ):
        pass
    assert cache.get(f"evidence-verify-slot:{quinn.pk}") is not None  # still taken
    answer = _upload(client, pack)
    assert answer.status_code == 200 and "Verified" in answer.content.decode()
    real_delete(f"evidence-verify-slot:{quinn.pk}")
