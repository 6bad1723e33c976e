"""The demo's e-mail backend: each e-mail it would send written to a file of its own."""

from __future__ import annotations

import datetime
import uuid
from pathlib import Path

from django.core.mail.backends.filebased import EmailBackend as FileBasedBackend


class EmailBackend(FileBasedBackend):
    """Django's file backend writes every message sent through one connection into one file
    (the reminder run's hundreds of e-mails read as one long log); this one writes each to its
    own `.eml` file, named by when it was written and its recipient, which any mail program
    opens."""

    def send_messages(self, email_messages) -> int:
        if not email_messages:
            return 0
        sent = 0
        with self._lock:
            for message in email_messages:
                if not message.recipients():
                    continue
                path = Path(self.file_path) / _file_name(message.recipients()[0])
                path.write_bytes(message.message().as_bytes() + b"\n")
                sent += 1
        return sent


def _file_name(recipient: str) -> str:
    stamp = datetime.datetime.now(tz=datetime.UTC).strftime("%Y%m%d-%H%M%S")
    who = "".join(c if c.isalnum() or c in "._-" else "_" for c in recipient.split("@")[0])
    # The random part keeps two e-mails of the same second to the same person apart.
    return f"{stamp}-{who[:40]}-{uuid.uuid4().hex[:8]}.eml"
