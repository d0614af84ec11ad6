"""The text part of a compte-rendu, from its sanitised HTML: it must read well on its own."""

from __future__ import annotations

import pytest

from cls_platform.mail.text import html_to_text


def test_headings_stand_on_their_own_lines_between_blank_lines():
    text = html_to_text("<h2>Fiches-actions discutées</h2><p>3.2 Prévention</p><h3>Suite</h3>fin")
    assert text == "Fiches-actions discutées\n\n3.2 Prévention\n\nSuite\n\nfin"


def test_lists_are_dashed_or_numbered_and_nested_lists_indented():
    text = html_to_text(
        "<p>Avant</p><ul><li>Un</li><li><p>Deux</p><ul><li>Deux bis</li></ul></li></ul>"
        '<ol start="3"><li>Trois</li><li>Quatre<br>suite</li></ol><p>Après</p>'
    )
    assert text == ("Avant\n\n- Un\n- Deux\n  - Deux bis\n\n3. Trois\n4. Quatre\n   suite\n\nAprès")


def test_links_keep_their_address_and_entities_are_decoded():
    text = html_to_text(
        '<p>Voir <a href="https://exemple.fr/cr?a=1&amp;b=2">le dossier</a>, '
        '<a href="https://exemple.fr/">https://exemple.fr/</a> et '
        '<a href="mailto:cls@ville.fr">cls@ville.fr</a>.</p>'
        "<p>l&#x27;Espace santé &amp; l&rsquo;OPH &lt;CCAS&gt; &laquo;&nbsp;ok&nbsp;&raquo;</p>"
    )
    assert text.splitlines() == [
        "Voir le dossier (https://exemple.fr/cr?a=1&b=2), https://exemple.fr/ et cls@ville.fr.",
        "",
        "l'Espace santé & l’OPH <CCAS> «\xa0ok\xa0»",
    ]


def test_quotes_tables_and_rules():
    text = html_to_text(
        "<blockquote><p>Cité</p><p>encore</p></blockquote>"
        "<table><tr><th>Structure</th><th>Présente</th></tr>"
        "<tr><td><p>CPAM</p></td><td>oui</td></tr></table><hr><p>Fin</p>"
    )
    assert (
        text == "> Cité\n>\n> encore\n\nStructure | Présente\nCPAM | oui\n\n" + "-" * 20 + "\n\nFin"
    )


@pytest.mark.parametrize(
    "html",
    ["", "<p></p>", "<script>alert(1)</script>", "<style>p{}</style><p> </p>"],
)
def test_nothing_shows_nothing(html):
    assert html_to_text(html) == ""


def test_white_space_of_the_source_does_not_show():
    text = html_to_text("<p>\n   Un   texte\n   sur\tplusieurs lignes  </p>\n\n\n<p>Deux</p>")
    assert text == "Un texte sur plusieurs lignes\n\nDeux"
