"""One path for all mail: nothing but the outbox sends an e-mail.

The product's source is read with `ast`: a call to Django's sending functions (send_mail,
send_mass_mail, mail_admins, mail_managers), `.send()` on a message built in the same module,
or `.send_messages()` on a connection, anywhere but cls_platform/mail/outbox.py, fails this test with
the file and line. An e-mail sent aside the outbox is lost when the broker or the SMTP server
is down, and escapes de-duplication, headers, Reply-To and the coordinator's view.
"""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APPS = ("cls_platform", "partners", "actions", "workgroups", "evaluation", "demo")
ALLOWED = {Path("cls_platform/mail/outbox.py")}
SENDING_FUNCTIONS = {"send_mail", "send_mass_mail", "mail_admins", "mail_managers"}
MESSAGE_MAKERS = {"EmailMessage", "EmailMultiAlternatives", "build_message"}


def _name(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _makes_message(node: ast.AST | None) -> bool:
    return isinstance(node, ast.Call) and _name(node.func) in MESSAGE_MAKERS


def offences(source: str, filename: str = "<snippet>") -> list[str]:
    """Where `source` sends mail itself, as "file:line: what"."""
    tree = ast.parse(source, filename=filename)
    # Names bound to a message anywhere in the module: `m = EmailMessage(...)`, then `m.send()`.
    messages: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and _makes_message(node.value):
            messages.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif (
            isinstance(node, ast.AnnAssign)
            and _makes_message(node.value)
            and isinstance(node.target, ast.Name)
        ):
            messages.add(node.target.id)
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        called = _name(node.func)
        what = ""
        if called in SENDING_FUNCTIONS:
            what = f"{called}()"
        elif isinstance(node.func, ast.Attribute) and called == "send_messages":
            what = ".send_messages()"
        elif isinstance(node.func, ast.Attribute) and called == "send":
            receiver = node.func.value
            if _makes_message(receiver) or (
                isinstance(receiver, ast.Name) and receiver.id in messages
            ):
                what = ".send() of an e-mail message"
        if what:
            found.append(f"{filename}:{node.lineno}: {what}")
    return found


def product_sources() -> list[Path]:
    files = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            relative = path.relative_to(ROOT)
            if "migrations" in relative.parts or "tests" in relative.parts:
                continue
            files.append(relative)
    return files


def test_nothing_but_the_outbox_sends_mail():
    sources = product_sources()
    assert Path("workgroups/emails.py") in sources and Path("partners/tasks.py") in sources
    found = []
    for relative in sources:
        if relative in ALLOWED:
            continue
        found += offences((ROOT / relative).read_text(encoding="utf-8"), str(relative))
    assert not found, "E-mails sent outside cls_platform/mail/outbox.py:\n" + "\n".join(found)


@pytest.mark.parametrize(
    "snippet",
    [
        """
        from django.core.mail import send_mail
        def notify():
            send_mail("Objet", "Texte", None, ["a@b.fr"])
        """,
        """
        from django.core import mail
        mail.send_mass_mail([])
        """,
        """
        from django.core.mail import mail_admins, mail_managers
        mail_admins("Objet", "Texte")
        mail_managers("Objet", "Texte")
        """,
        """
        from django.core.mail import EmailMessage
        EmailMessage("Objet", "Texte", to=["a@b.fr"]).send()
        """,
        """
        from django.core.mail import EmailMultiAlternatives
        def notify():
            message = EmailMultiAlternatives("Objet", "Texte", to=["a@b.fr"])
            message.attach_alternative("<p>x</p>", "text/html")
            message.send()
        """,
        """
        # What cls_platform/emails.py (since removed) did before (send_templated).
        from cls_platform.mail.messages import build_message
        def send_templated(*, template, to, context, headers=None):
            return build_message(template=template, to=to, context=context, headers=headers).send()
        """,
        """
        from django.core.mail import get_connection
        get_connection().send_messages([])
        """,
    ],
    ids=["send_mail", "send_mass_mail", "mail_admins", "EmailMessage", "variable", "built", "conn"],
)
def test_a_sending_added_anywhere_is_caught(snippet):
    found = offences(textwrap.dedent(snippet), "partners/views.py")
    assert found and all(f.startswith("partners/views.py:") for f in found), found


def test_what_is_not_sending_is_left_alone():
    snippet = """
        from cls_platform.mail import outbox
        from cls_platform.mail.outbox import delivery_bounced
        from cls_platform.mail.messages import build_message
        def compose(delivery):
            message = build_message(template="x", to=["a@b.fr"], context={})
            return message
        def queue(territory):
            outbox.enqueue(territory=territory, kind="x", topic="t", recipients=[])
            delivery_bounced.send(sender=None, delivery=None)
        """
    assert offences(textwrap.dedent(snippet)) == []
