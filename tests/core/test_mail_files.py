"""The demo's e-mails are written one file each, as the README says (issue 21: Django's file
backend wrote every e-mail of the reminder run into one file)."""

from email import message_from_bytes

from django.core import mail

from qms.core.mail_files import EmailBackend


def test_each_e_mail_sent_through_one_connection_gets_a_file_of_its_own(tmp_path):
    connection = EmailBackend(file_path=str(tmp_path))
    for n, to in enumerate(
        ["eleanor@acme.example", "quentin@acme.example", "eleanor@acme.example"]
    ):
        mail.send_mail(f"Reminder {n}", f"Body {n}", None, [to], connection=connection)
    files = sorted(tmp_path.iterdir())
    assert len(files) == 3
    assert all(f.suffix == ".eml" for f in files)
    subjects = {message_from_bytes(f.read_bytes())["Subject"] for f in files}
    assert subjects == {"Reminder 0", "Reminder 1", "Reminder 2"}
    assert sum("eleanor" in f.name for f in files) == 2


def test_a_batch_counts_the_e_mails_it_wrote(tmp_path):
    messages = [
        mail.EmailMessage("One", "1", None, ["a@acme.example"]),
        mail.EmailMessage("Nobody", "2", None, []),
    ]
    assert EmailBackend(file_path=str(tmp_path)).send_messages(messages) == 1
    assert len(list(tmp_path.iterdir())) == 1
