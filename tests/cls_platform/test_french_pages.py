"""The pages say what their templates say: the French catalogue gives counts their plural forms
and translates nothing else. A message makemessages took for a variant of a plural one ("Je ne
viens pas :" for "%(n)s ne vient pas") must not come out as that other message."""

from __future__ import annotations

import polib
from django.utils import translation

from cls_platform.management.commands.french_catalog import catalog_path


def test_no_single_message_is_replaced_by_another():
    catalog = polib.pofile(str(catalog_path()))

    replaced = [(e.msgid, e.msgstr) for e in catalog if not e.msgid_plural and e.msgstr]

    assert replaced == []
    with translation.override("fr"):
        for message in ("Personnes invitées", "Je ne viens pas :", "structure :"):
            assert translation.gettext(message) == message
