"""The e-mail plumbing shared by every app.

- `messages`: e-mails from templates (`templates/emails/<name>.subject.txt`, `.txt`, `.html`),
  the headers every automatic message carries, the calendar parts, whom a partner's reply
  reaches;
- `text`: the plain-text rendering of the sanitised HTML of a compte-rendu;
- `html`: small changes to that HTML before it goes inside an e-mail (heading levels);
- `composers`: the registry of how each kind of e-mail is built from its outbox row;
- `outbox`: queues (`Delivery` rows) and sends them, with retries: nothing else sends mail;
- `backends`: the .eml file backend `make run` uses when no SMTP server is configured.
"""
