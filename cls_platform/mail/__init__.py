"""The e-mail plumbing shared by every app.

- `messages`: e-mails from templates (`templates/emails/<name>.subject.txt`, `.txt`, `.html`),
  the headers every automatic message carries, the calendar parts, whom a partner's reply
  reaches;
- `text`: the plain-text rendering of the sanitised HTML of a compte-rendu;
- `html`: small changes to that HTML before it goes inside an e-mail (heading levels);
- `cls_platform.outbox` (kept at its historical place) queues and sends them: nothing else
  sends mail.
"""
