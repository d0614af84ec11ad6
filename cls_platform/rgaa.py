"""Trame's RGAA 4.1 audit grid, and what the accessibility statement derives from it.

The grid lists the 106 criteria of the RGAA 4.1 (référentiel général d'amélioration de
l'accessibilité, DINUM, Licence Ouverte 2.0: their questions are quoted as published), each
conform (C), non-conform (NC) or not applicable (NA) on the whole sample of pages, with what
decided it. The page /accessibilite/, its percentage and the footer's words ("Accessibilité :
partiellement conforme") are computed from it, so that they cannot disagree with it.

How it was filled (a self-evaluation, not a third-party audit): by reading the templates, the
stylesheets and the scripts page by page over the sample below, with axe-core run on those pages
in Chromium, the keyboard tests of the test suite and the Nu Html Checker. No screen reader was
used: a criterion that only a screen reader can settle is counted as non-conform until it is.
A criterion is conform only if it is on every page of the sample, and applicable as soon as it
applies to one of them (RGAA 4.1, « Taux de conformité à la norme »).

To update after a change or a new audit: edit the states and notes, and AUDITED_ON.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from enum import StrEnum

from django.utils import timezone


class State(StrEnum):
    CONFORM = "C"
    NON_CONFORM = "NC"
    NOT_APPLICABLE = "NA"


C, NC, NA = State.CONFORM, State.NON_CONFORM, State.NOT_APPLICABLE
STATE_LABELS = {C: "Conforme", NC: "Non conforme", NA: "Non applicable"}

RGAA_VERSION = "4.1"
AUDITED_ON = dt.date(2026, 12, 3)
# A statement must be renewed three years after it was published; past that, the RGAA treats the
# service as having no valid audit result at all, hence "non conforme".
VALID_YEARS = 3

# The mentions the RGAA prescribes (« Mention obligatoire sur la page d'accueil »).
TOTAL = "totalement conforme"
PARTIAL = "partiellement conforme"
NONE = "non conforme"

THEMES: dict[int, str] = {
    1: "Images",
    2: "Cadres",
    3: "Couleurs",
    4: "Multimédia",
    5: "Tableaux",
    6: "Liens",
    7: "Scripts",
    8: "Éléments obligatoires",
    9: "Structuration de l'information",
    10: "Présentation de l'information",
    11: "Formulaires",
    12: "Navigation",
    13: "Consultation",
}


@dataclass(frozen=True)
class Criterion:
    number: str
    state: State
    title: str
    note: str

    @property
    def theme(self) -> int:
        return int(self.number.split(".")[0])

    @property
    def theme_title(self) -> str:
        return THEMES[self.theme]

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]


GRID: tuple[Criterion, ...] = (
    # 1. Images
    Criterion(
        "1.1",
        C,
        "Chaque image porteuse d'information a-t-elle une alternative textuelle ?",
        'Les graphiques (réponses aux questionnaires, évolution d\'un indicateur, réseau partenarial) sont des SVG avec role="img" et un nom accessible.',
    ),
    Criterion(
        "1.2",
        C,
        "Chaque image de décoration est-elle correctement ignorée par les technologies d'assistance ?",
        'Les pastilles de la légende du réseau partenarial sont masquées aux technologies d\'assistance (aria-hidden="true").',
    ),
    Criterion(
        "1.3",
        C,
        "Pour chaque image porteuse d'information ayant une alternative textuelle, cette alternative est-elle pertinente (hors cas particuliers) ?",
        "Chaque alternative dit ce que montre le graphique (question, indicateur, nombre de structures et de liens).",
    ),
    Criterion(
        "1.4",
        NA,
        "Pour chaque image utilisée comme CAPTCHA ou comme image-test, ayant une alternative textuelle, cette alternative permet-elle d'identifier la nature et la fonction de l'image ?",
        "Aucun CAPTCHA.",
    ),
    Criterion(
        "1.5",
        NA,
        "Pour chaque image utilisée comme CAPTCHA, une solution d'accès alternatif au contenu ou à la fonction du CAPTCHA est-elle présente ?",
        "Aucun CAPTCHA.",
    ),
    Criterion(
        "1.6",
        C,
        "Chaque image porteuse d'information a-t-elle, si nécessaire, une description détaillée ?",
        "Chaque graphique a son tableau de données dans la page : il en donne toutes les valeurs.",
    ),
    Criterion(
        "1.7",
        C,
        "Pour chaque image porteuse d'information ayant une description détaillée, cette description est-elle pertinente ?",
        "Les tableaux qui accompagnent les graphiques reprennent les mêmes libellés et valeurs.",
    ),
    Criterion(
        "1.8",
        NA,
        "Chaque image texte porteuse d'information, en l'absence d'un mécanisme de remplacement, doit si possible être remplacée par du texte stylé. Cette règle est-elle respectée (hors cas particuliers) ?",
        "Aucune image texte : tous les textes sont du texte HTML.",
    ),
    Criterion(
        "1.9",
        NC,
        "Chaque légende d'image est-elle, si nécessaire, correctement reliée à l'image correspondante ?",
        'Le dessin du réseau partenarial et sa légende sont dans un élément figure sans role="figure" ni aria-label reprenant la légende.',
    ),
    # 2. Cadres
    Criterion(
        "2.1",
        NA,
        "Chaque cadre a-t-il un titre de cadre ?",
        "Aucun cadre (iframe).",
    ),
    Criterion(
        "2.2",
        NA,
        "Pour chaque cadre ayant un titre de cadre, ce titre de cadre est-il pertinent ?",
        "Aucun cadre (iframe).",
    ),
    # 3. Couleurs
    Criterion(
        "3.1",
        C,
        "Dans chaque page web, l'information ne doit pas être donnée uniquement par la couleur. Cette règle est-elle respectée ?",
        "Les états (contrat, fiche-action, envoi, vitalité d'un groupe) sont écrits en toutes lettres ; la couleur ne fait que les doubler.",
    ),
    Criterion(
        "3.2",
        C,
        "Dans chaque page web, le contraste entre la couleur du texte et la couleur de son arrière-plan est-il suffisamment élevé (hors cas particuliers) ?",
        "Texte courant à 7:1 au moins sur fond blanc ou gris clair ; axe-core ne relève aucun défaut de contraste sur les pages de l'échantillon.",
    ),
    Criterion(
        "3.3",
        C,
        "Dans chaque page web, les couleurs utilisées dans les composants d'interface ou les éléments graphiques porteurs d'informations sont-elles suffisamment contrastées (hors cas particuliers) ?",
        "Bordures des champs et anneau de focus à 3:1 au moins ; le dessin du réseau a son équivalent complet dans le tableau qui le suit (cas particulier).",
    ),
    # 4. Multimédia
    Criterion(
        "4.1",
        NA,
        "Chaque média temporel pré-enregistré a-t-il, si nécessaire, une transcription textuelle ou une audiodescription (hors cas particuliers) ?",
        "Aucun média temporel (son, vidéo).",
    ),
    Criterion(
        "4.2",
        NA,
        "Pour chaque média temporel pré-enregistré ayant une transcription textuelle ou une audiodescription synchronisée, celles-ci sont-elles pertinentes (hors cas particuliers) ?",
        "Aucun média temporel (son, vidéo).",
    ),
    Criterion(
        "4.3",
        NA,
        "Chaque média temporel synchronisé pré-enregistré a-t-il, si nécessaire, des sous-titres synchronisés (hors cas particuliers) ?",
        "Aucun média temporel (son, vidéo).",
    ),
    Criterion(
        "4.4",
        NA,
        "Pour chaque média temporel synchronisé pré-enregistré ayant des sous-titres synchronisés, ces sous-titres sont-ils pertinents ?",
        "Aucun média temporel (son, vidéo).",
    ),
    Criterion(
        "4.5",
        NA,
        "Chaque média temporel pré-enregistré a-t-il, si nécessaire, une audiodescription synchronisée (hors cas particuliers) ?",
        "Aucun média temporel (son, vidéo).",
    ),
    Criterion(
        "4.6",
        NA,
        "Pour chaque média temporel pré-enregistré ayant une audiodescription synchronisée, celle-ci est-elle pertinente ?",
        "Aucun média temporel (son, vidéo).",
    ),
    Criterion(
        "4.7",
        NA,
        "Chaque média temporel est-il clairement identifiable (hors cas particuliers) ?",
        "Aucun média temporel (son, vidéo).",
    ),
    Criterion(
        "4.8",
        NA,
        "Chaque média non temporel a-t-il, si nécessaire, une alternative (hors cas particuliers) ?",
        "Aucun média non temporel (animation, carte interactive).",
    ),
    Criterion(
        "4.9",
        NA,
        "Pour chaque média non temporel ayant une alternative, cette alternative est-elle pertinente ?",
        "Aucun média non temporel (animation, carte interactive).",
    ),
    Criterion(
        "4.10",
        NA,
        "Chaque son déclenché automatiquement est-il contrôlable par l'utilisateur ?",
        "Aucun son déclenché automatiquement.",
    ),
    Criterion(
        "4.11",
        NA,
        "La consultation de chaque média temporel est-elle, si nécessaire, contrôlable par le clavier et tout dispositif de pointage ?",
        "Aucun média temporel (son, vidéo).",
    ),
    Criterion(
        "4.12",
        NA,
        "La consultation de chaque média non temporel est-elle contrôlable par le clavier et tout dispositif de pointage ?",
        "Aucun média non temporel (animation, carte interactive).",
    ),
    Criterion(
        "4.13",
        NA,
        "Chaque média temporel et non temporel est-il compatible avec les technologies d'assistance (hors cas particuliers) ?",
        "Aucun média temporel ni non temporel.",
    ),
    # 5. Tableaux
    Criterion(
        "5.1",
        NA,
        "Chaque tableau de données complexe a-t-il un résumé ?",
        "Aucun tableau de données complexe : les en-têtes tiennent sur une ligne et une colonne.",
    ),
    Criterion(
        "5.2",
        NA,
        "Pour chaque tableau de données complexe ayant un résumé, celui-ci est-il pertinent ?",
        "Aucun tableau de données complexe.",
    ),
    Criterion(
        "5.3",
        NA,
        "Pour chaque tableau de mise en forme, le contenu linéarisé reste-t-il compréhensible ?",
        "Aucun tableau de mise en forme dans les pages.",
    ),
    Criterion(
        "5.4",
        C,
        "Pour chaque tableau de données ayant un titre, le titre est-il correctement associé au tableau de données ?",
        "Chaque tableau de données a son titre dans un élément caption.",
    ),
    Criterion(
        "5.5",
        C,
        "Pour chaque tableau de données ayant un titre, celui-ci est-il pertinent ?",
        "Les titres des tableaux disent ce qu'ils contiennent.",
    ),
    Criterion(
        "5.6",
        C,
        "Pour chaque tableau de données, chaque en-tête de colonne et chaque en-tête de ligne sont-ils correctement déclarés ?",
        "Les en-têtes de colonnes et de lignes sont des éléments th.",
    ),
    Criterion(
        "5.7",
        C,
        "Pour chaque tableau de données, la technique appropriée permettant d'associer chaque cellule avec ses en-têtes est-elle utilisée (hors cas particuliers) ?",
        "Chaque élément th porte un attribut scope (col ou row).",
    ),
    Criterion(
        "5.8",
        NA,
        "Chaque tableau de mise en forme ne doit pas utiliser d'éléments propres aux tableaux de données. Cette règle est-elle respectée ?",
        "Aucun tableau de mise en forme dans les pages.",
    ),
    # 6. Liens
    Criterion(
        "6.1",
        C,
        "Chaque lien est-il explicite (hors cas particuliers) ?",
        "Les liens sont explicites par leur intitulé ou leur contexte (titre qui les précède) ; les boutons répétés dans un tableau portent un complément masqué (« Retirer Camille Martin »).",
    ),
    Criterion(
        "6.2",
        C,
        "Dans chaque page web, chaque lien a-t-il un intitulé ?",
        "Chaque lien a un intitulé (vérifié par axe-core).",
    ),
    # 7. Scripts
    Criterion(
        "7.1",
        NC,
        "Chaque script est-il, si nécessaire, compatible avec les technologies d'assistance ?",
        "Le sélecteur de contacts (combobox ARIA) et l'éditeur de compte-rendu (barre d'outils, zone de texte) exposent nom, rôle et état dans le code, mais n'ont pas été essayés avec un lecteur d'écran : non validé tant que ce test n'est pas fait.",
    ),
    Criterion(
        "7.2",
        C,
        "Pour chaque script ayant une alternative, cette alternative est-elle pertinente ?",
        "Sans JavaScript, le sélecteur propose les correspondances côté serveur et l'éditeur laisse un texte simple : mêmes fonctions.",
    ),
    Criterion(
        "7.3",
        C,
        "Chaque script est-il contrôlable par le clavier et par tout dispositif de pointage (hors cas particuliers) ?",
        "Sélecteur, éditeur et formulaires s'utilisent au clavier (tests au clavier dans Chromium).",
    ),
    Criterion(
        "7.4",
        NC,
        "Pour chaque script qui initie un changement de contexte, l'utilisateur est-il averti ou en a-t-il le contrôle ?",
        "La page ouverte par « Je viens » / « Je ne viens pas » envoie d'elle-même la réponse au chargement, puis affiche une autre page, sans avertir avant.",
    ),
    Criterion(
        "7.5",
        C,
        "Dans chaque page web, les messages de statut sont-ils correctement restitués par les technologies d'assistance ?",
        'Messages de confirmation dans une zone role="status", erreurs en role="alert", nombre de résultats du sélecteur dans une zone aria-live.',
    ),
    # 8. Éléments obligatoires
    Criterion(
        "8.1",
        C,
        "Chaque page web est-elle définie par un type de document ?",
        "Type de document HTML5 sur chaque page.",
    ),
    Criterion(
        "8.2",
        NC,
        "Pour chaque page web, le code source généré est-il valide selon le type de document spécifié ?",
        "Le validateur Nu Html Checker relève des identifiants en double dans les graphiques des résultats d'une campagne et un attribut action vide sur un formulaire de cette page.",
    ),
    Criterion(
        "8.3",
        C,
        "Dans chaque page web, la langue par défaut est-elle présente ?",
        'lang="fr" sur chaque page.',
    ),
    Criterion(
        "8.4",
        C,
        "Pour chaque page web ayant une langue par défaut, le code de langue est-il pertinent ?",
        'lang="fr" sur chaque page.',
    ),
    Criterion(
        "8.5",
        C,
        "Chaque page web a-t-elle un titre de page ?",
        "Chaque page a un élément title.",
    ),
    Criterion(
        "8.6",
        C,
        "Pour chaque page web ayant un titre de page, ce titre est-il pertinent ?",
        "Le titre nomme la page puis le site (« Annuaire · Trame, coordination du CLS »).",
    ),
    Criterion(
        "8.7",
        NA,
        "Dans chaque page web, chaque changement de langue est-il indiqué dans le code source (hors cas particuliers) ?",
        "Aucun passage en langue étrangère (noms propres et mots d'usage courant en français seulement).",
    ),
    Criterion(
        "8.8",
        NA,
        "Dans chaque page web, le code de langue de chaque changement de langue est-il valide et pertinent ?",
        "Aucun changement de langue.",
    ),
    Criterion(
        "8.9",
        C,
        "Dans chaque page web, les balises ne doivent pas être utilisées uniquement à des fins de présentation. Cette règle est-elle respectée ?",
        "Les balises servent à leur sens (titres, listes, tableaux) ; la mise en forme est dans les feuilles de styles.",
    ),
    Criterion(
        "8.10",
        NA,
        "Dans chaque page web, les changements du sens de lecture sont-ils signalés ?",
        "Aucun changement du sens de lecture.",
    ),
    # 9. Structuration de l'information
    Criterion(
        "9.1",
        C,
        "Dans chaque page web, l'information est-elle structurée par l'utilisation appropriée de titres ?",
        "Un titre h1 par page, hiérarchie sans saut (règles d'axe-core).",
    ),
    Criterion(
        "9.2",
        C,
        "Dans chaque page web, la structure du document est-elle cohérente (hors cas particuliers) ?",
        "En-tête, navigation, contenu principal et pied de page balisés (header, nav, main, footer).",
    ),
    Criterion(
        "9.3",
        C,
        "Dans chaque page web, chaque liste est-elle correctement structurée ?",
        "Les listes sont des ul, ol ou dl.",
    ),
    Criterion(
        "9.4",
        C,
        "Dans chaque page web, chaque citation est-elle correctement indiquée ?",
        "Le message d'un partenaire qui déclare son départ est cité dans un élément blockquote.",
    ),
    # 10. Présentation de l'information
    Criterion(
        "10.1",
        C,
        "Dans le site web, des feuilles de styles sont-elles utilisées pour contrôler la présentation de l'information ?",
        "Toute la présentation est dans les feuilles de styles.",
    ),
    Criterion(
        "10.2",
        C,
        "Dans chaque page web, le contenu visible porteur d'information reste-t-il présent lorsque les feuilles de styles sont désactivées ?",
        "Pages rendues par le serveur : sans feuille de styles, tout le contenu reste présent.",
    ),
    Criterion(
        "10.3",
        C,
        "Dans chaque page web, l'information reste-t-elle compréhensible lorsque les feuilles de styles sont désactivées ?",
        "L'ordre du code suit l'ordre de lecture : sans styles, la page reste compréhensible.",
    ),
    Criterion(
        "10.4",
        C,
        "Dans chaque page web, le texte reste-t-il lisible lorsque la taille des caractères est augmentée jusqu'à 200%, au moins (hors cas particuliers) ?",
        "Tailles en rem et grilles fluides ; pages vérifiées à largeur de téléphone dans Chromium.",
    ),
    Criterion(
        "10.5",
        C,
        "Dans chaque page web, les déclarations CSS de couleurs de fond d'élément et de police sont-elles correctement utilisées ?",
        "Couleurs de texte et de fond déclarées ensemble à la racine.",
    ),
    Criterion(
        "10.6",
        C,
        "Dans chaque page web, chaque lien dont la nature n'est pas évidente est-il visible par rapport au texte environnant ?",
        "Les liens dans le texte sont soulignés.",
    ),
    Criterion(
        "10.7",
        C,
        "Dans chaque page web, pour chaque élément recevant le focus, la prise de focus est-elle visible ?",
        "Anneau de focus orange de 3 px (blanc sur l'en-tête bleu) sur tout élément qui reçoit le focus.",
    ),
    Criterion(
        "10.8",
        C,
        "Pour chaque page web, les contenus cachés ont-ils vocation à être ignorés par les technologies d'assistance ?",
        "Seuls les compléments pour les technologies d'assistance sont masqués visuellement ; ce qui est caché l'est pour tous (attribut hidden).",
    ),
    Criterion(
        "10.9",
        C,
        "Dans chaque page web, l'information ne doit pas être donnée uniquement par la forme, taille ou position. Cette règle est-elle respectée ?",
        "Aucune information donnée par la forme, la taille ou la position seule.",
    ),
    Criterion(
        "10.10",
        C,
        "Dans chaque page web, l'information ne doit pas être donnée par la forme, taille ou position uniquement. Cette règle est-elle implémentée de façon pertinente ?",
        "Aucune information donnée par la forme, la taille ou la position seule.",
    ),
    Criterion(
        "10.11",
        C,
        "Pour chaque page web, les contenus peuvent-ils être présentés sans avoir recours à un défilement vertical pour une fenêtre ayant une hauteur de 256px ou à un défilement horizontal pour une fenêtre ayant une largeur de 320px (hors cas particuliers) ?",
        "Les pages se lisent à 320 px de large ; seuls les tableaux de données défilent dans leur propre boîte (cas particulier).",
    ),
    Criterion(
        "10.12",
        C,
        "Dans chaque page web, les propriétés d'espacement du texte peuvent-elles être redéfinies par l'utilisateur sans perte de contenu ou de fonctionnalité (hors cas particuliers) ?",
        "Aucune hauteur fixe sur un bloc de texte dans les feuilles de styles : les espacements redéfinis ne masquent rien.",
    ),
    Criterion(
        "10.13",
        C,
        "Dans chaque page web, les contenus additionnels apparaissant à la prise de focus ou au survol d'un composant d'interface sont-ils contrôlables par l'utilisateur (hors cas particuliers) ?",
        "La liste des correspondances du sélecteur se ferme avec Échap et reste affichée tant qu'on ne l'a pas quittée ; aucune infobulle de l'auteur.",
    ),
    Criterion(
        "10.14",
        C,
        "Dans chaque page web, les contenus additionnels apparaissant via les styles CSS uniquement peuvent-ils être rendus visibles au clavier et par tout dispositif de pointage ?",
        "Le lien d'évitement, caché par les styles, apparaît à la prise de focus au clavier.",
    ),
    # 11. Formulaires
    Criterion(
        "11.1",
        C,
        "Chaque champ de formulaire a-t-il une étiquette ?",
        "Chaque champ a une étiquette (vérifié par axe-core).",
    ),
    Criterion(
        "11.2",
        C,
        "Chaque étiquette associée à un champ de formulaire est-elle pertinente (hors cas particuliers) ?",
        "Les étiquettes nomment ce qui est attendu ; les sélecteurs de présence d'un tableau portent le nom de la personne.",
    ),
    Criterion(
        "11.3",
        C,
        "Dans chaque formulaire, chaque étiquette associée à un champ de formulaire ayant la même fonction et répétée plusieurs fois dans une même page ou dans un ensemble de pages est-elle cohérente ?",
        "Une même fonction garde la même étiquette d'une page à l'autre.",
    ),
    Criterion(
        "11.4",
        C,
        "Dans chaque formulaire, chaque étiquette de champ et son champ associé sont-ils accolés (hors cas particuliers) ?",
        "Chaque étiquette est placée juste au-dessus de son champ.",
    ),
    Criterion(
        "11.5",
        C,
        "Dans chaque formulaire, les champs de même nature sont-ils regroupés, si nécessaire ?",
        "Cases à cocher et boutons radio regroupés dans des fieldset.",
    ),
    Criterion(
        "11.6",
        C,
        "Dans chaque formulaire, chaque regroupement de champs de même nature a-t-il une légende ?",
        "Chaque fieldset a une légende (legend).",
    ),
    Criterion(
        "11.7",
        C,
        "Dans chaque formulaire, chaque légende associée à un regroupement de champs de même nature est-elle pertinente ?",
        "Les légendes disent ce que l'on choisit.",
    ),
    Criterion(
        "11.8",
        C,
        "Dans chaque formulaire, les items de même nature d'une liste de choix sont-ils regroupés de manière pertinente ?",
        "Les listes de choix sont courtes ou ordonnées alphabétiquement ; aucun regroupement nécessaire.",
    ),
    Criterion(
        "11.9",
        C,
        "Dans chaque formulaire, l'intitulé de chaque bouton est-il pertinent (hors cas particuliers) ?",
        "Les boutons disent ce qu'ils font (« Envoyer le compte-rendu », « Enregistrer mes coordonnées »).",
    ),
    Criterion(
        "11.10",
        NC,
        "Dans chaque formulaire, le contrôle de saisie est-il utilisé de manière pertinente (hors cas particuliers) ?",
        "Les champs obligatoires portent l'attribut required, mais ne sont signalés visiblement avant l'envoi que dans les questionnaires : les autres formulaires ne le disent qu'après une erreur.",
    ),
    Criterion(
        "11.11",
        C,
        "Dans chaque formulaire, le contrôle de saisie est-il accompagné, si nécessaire, de suggestions facilitant la correction des erreurs de saisie ?",
        "Les messages d'erreur, en français, sont reliés au champ (aria-describedby) et disent quoi corriger.",
    ),
    Criterion(
        "11.12",
        NC,
        "Pour chaque formulaire qui modifie ou supprime des données, ou qui transmet des réponses à un test ou à un examen, ou dont la validation a des conséquences financières ou juridiques, les données saisies peuvent-elles être modifiées, mises à jour ou récupérées par l'utilisateur ?",
        "Supprimer un entretien, une question ou une partie d'un questionnaire se fait en un clic, sans confirmation ni moyen de revenir en arrière.",
    ),
    Criterion(
        "11.13",
        NC,
        "La finalité d'un champ de saisie peut-elle être déduite pour faciliter le remplissage automatique des champs avec les données de l'utilisateur ?",
        "Sur sa page personnelle, le partenaire corrige ses prénom, nom, fonction et téléphone dans des champs sans attribut autocomplete.",
    ),
    # 12. Navigation
    Criterion(
        "12.1",
        NC,
        "Chaque ensemble de pages dispose-t-il de deux systèmes de navigation différents, au moins (hors cas particuliers) ?",
        "Un seul système de navigation (le menu) : ni plan du site ni moteur de recherche couvrant tout le site.",
    ),
    Criterion(
        "12.2",
        C,
        "Dans chaque ensemble de pages, le menu et les barres de navigation sont-ils toujours à la même place (hors cas particuliers) ?",
        "Menu et pied de page au même endroit sur toutes les pages.",
    ),
    Criterion(
        "12.3",
        NA,
        "La page « plan du site » est-elle pertinente ?",
        "Pas de page « plan du site ».",
    ),
    Criterion(
        "12.4",
        NA,
        "Dans chaque ensemble de pages, la page « plan du site » est-elle atteignable de manière identique ?",
        "Pas de page « plan du site ».",
    ),
    Criterion(
        "12.5",
        NA,
        "Dans chaque ensemble de pages, le moteur de recherche est-il atteignable de manière identique ?",
        "Pas de moteur de recherche couvrant le site (les recherches sont propres à chaque liste).",
    ),
    Criterion(
        "12.6",
        C,
        "Les zones de regroupement de contenus présentes dans plusieurs pages web (zones d'en-tête, de navigation principale, de contenu principal, de pied de page et de moteur de recherche) peuvent-elles être atteintes ou évitées ?",
        "Zones d'en-tête, de navigation, de contenu et de pied de page balisées (header, nav, main, footer).",
    ),
    Criterion(
        "12.7",
        C,
        "Dans chaque page web, un lien d'évitement ou d'accès rapide à la zone de contenu principal est-il présent (hors cas particuliers) ?",
        "Lien « Aller au contenu » en tête de chaque page.",
    ),
    Criterion(
        "12.8",
        C,
        "Dans chaque page web, l'ordre de tabulation est-il cohérent ?",
        "L'ordre de tabulation suit l'ordre de lecture (aucun tabindex positif).",
    ),
    Criterion(
        "12.9",
        C,
        "Dans chaque page web, la navigation ne doit pas contenir de piège au clavier. Cette règle est-elle respectée ?",
        "Aucun piège au clavier : on quitte l'éditeur et le sélecteur avec Tab.",
    ),
    Criterion(
        "12.10",
        NA,
        "Dans chaque page web, les raccourcis clavier n'utilisant qu'une seule touche (lettre minuscule ou majuscule, ponctuation, chiffre ou symbole) sont-ils contrôlables par l'utilisateur ?",
        "Aucun raccourci d'une seule touche (l'éditeur utilise Ctrl+B, Ctrl+I, Ctrl+K et Alt+F10).",
    ),
    Criterion(
        "12.11",
        C,
        "Dans chaque page web, les contenus additionnels apparaissant au survol, à la prise de focus ou à l'activation d'un composant d'interface sont-ils si nécessaire atteignables au clavier ?",
        "La liste des correspondances du sélecteur s'atteint aux flèches depuis le champ.",
    ),
    # 13. Consultation
    Criterion(
        "13.1",
        NC,
        "Pour chaque page web, l'utilisateur a-t-il le contrôle de chaque limite de temps modifiant le contenu (hors cas particuliers) ?",
        "La session se termine après une durée fixe, plus courte que vingt heures, sans avertissement ni moyen de la prolonger : un texte en cours de saisie peut être perdu.",
    ),
    Criterion(
        "13.2",
        NA,
        "Dans chaque page web, l'ouverture d'une nouvelle fenêtre ne doit pas être déclenchée sans action de l'utilisateur. Cette règle est-elle respectée ?",
        "Aucune nouvelle fenêtre n'est ouverte.",
    ),
    Criterion(
        "13.3",
        C,
        "Dans chaque page web, chaque document bureautique en téléchargement possède-t-il, si nécessaire, une version accessible (hors cas particuliers) ?",
        "Les PDF (contrat, fiches-actions, comptes-rendus) sont balisés (PDF/UA-1) et leur contenu est aussi dans les pages HTML ; les exports CSV et Excel reprennent des listes consultables en HTML.",
    ),
    Criterion(
        "13.4",
        C,
        "Pour chaque document bureautique ayant une version accessible, cette version offre-t-elle la même information ?",
        "Les pages HTML donnent la même information que les PDF correspondants.",
    ),
    Criterion(
        "13.5",
        NA,
        "Dans chaque page web, chaque contenu cryptique (art ASCII, émoticône, syntaxe cryptique) a-t-il une alternative ?",
        "Aucun contenu cryptique (art ASCII, émoticône).",
    ),
    Criterion(
        "13.6",
        NA,
        "Dans chaque page web, pour chaque contenu cryptique (art ASCII, émoticône, syntaxe cryptique) ayant une alternative, cette alternative est-elle pertinente ?",
        "Aucun contenu cryptique.",
    ),
    Criterion(
        "13.7",
        NA,
        "Dans chaque page web, les changements brusques de luminosité ou les effets de flash sont-ils correctement utilisés ?",
        "Aucun flash ni changement brusque de luminosité.",
    ),
    Criterion(
        "13.8",
        NA,
        "Dans chaque page web, chaque contenu en mouvement ou clignotant est-il contrôlable par l'utilisateur ?",
        "Aucun contenu en mouvement ou clignotant.",
    ),
    Criterion(
        "13.9",
        C,
        "Dans chaque page web, le contenu proposé est-il consultable quelle que soit l'orientation de l'écran (portrait ou paysage) (hors cas particuliers) ?",
        "Aucune orientation imposée : les pages se lisent en portrait comme en paysage.",
    ),
    Criterion(
        "13.10",
        NA,
        "Dans chaque page web, les fonctionnalités utilisables ou disponibles au moyen d'un geste complexe peuvent-elles être également disponibles au moyen d'un geste simple (hors cas particuliers) ?",
        "Aucun geste complexe (glisser-déposer, geste à plusieurs doigts).",
    ),
    Criterion(
        "13.11",
        C,
        "Dans chaque page web, les actions déclenchées au moyen d'un dispositif de pointage sur un point unique de l'écran peuvent-elles faire l'objet d'une annulation (hors cas particuliers) ?",
        "Les actions se déclenchent au relâchement (événement click), jamais à l'appui.",
    ),
    Criterion(
        "13.12",
        NA,
        "Dans chaque page web, les fonctionnalités qui impliquent un mouvement de l'appareil ou vers l'appareil peuvent-elles être satisfaites de manière alternative (hors cas particuliers) ?",
        "Aucune fonction liée au mouvement de l'appareil.",
    ),
)


# --- The sample and the means of the evaluation (the statement lists them) ----------------------

# Pages of the sample (RGAA 4.1, « Échantillon »). The site has no contact page (the contact is
# given below), no legal notice, no site map and no help page.
SAMPLE_PAGES: tuple[tuple[str, str], ...] = (
    ("Connexion", "/connexion/"),
    ("Déclaration d'accessibilité", "/accessibilite/"),
    ("Tableau de bord d'un territoire", "/t/<territoire>/"),
    (
        "Annuaire : structures, contacts, fiche d'un contact, formulaire d'un contact",
        "/t/<territoire>/annuaire/…",
    ),
    ("Import d'un tableau de partenaires", "/t/<territoire>/annuaire/import/"),
    (
        "Contrat, fiche-action avec ses indicateurs, formulaire d'une fiche-action",
        "/t/<territoire>/contrats/…, /t/<territoire>/fiches/…",
    ),
    ("Groupes de travail, page d'un groupe", "/t/<territoire>/groupes/…"),
    (
        "Page d'une réunion (invités, présences) et éditeur du compte-rendu",
        "/t/<territoire>/reunions/…",
    ),
    (
        "Résultats d'une campagne d'évaluation, réseau partenarial, entretiens",
        "/t/<territoire>/enquetes/…, /t/<territoire>/reseau-partenarial/, /t/<territoire>/entretiens/",
    ),
    ("Questionnaire d'un partenaire (lien personnel)", "/t/<territoire>/repondre/…"),
    ("Page personnelle d'un partenaire : coordonnées et envois (lien personnel)", "/partenaire/…"),
    (
        "Réponse à une invitation et page d'une réunion côté partenaire (lien personnel)",
        "/reunion/…",
    ),
    ("Registre des traitements d'un territoire", "/t/<territoire>/registre-des-traitements/"),
    ("PDF d'un compte-rendu et d'un contrat", "…/compte-rendu.pdf, …/contrats/…/pdf/"),
)
TECHNOLOGIES: tuple[str, ...] = (
    "HTML5",
    "CSS",
    "JavaScript (sans bibliothèque)",
    "WAI-ARIA",
    "SVG",
    "PDF balisé (PDF/UA-1)",
)
# Browsers and assistive technologies: the RGAA asks for the combinations really used.
TEST_ENVIRONMENT = "Chromium (version de Debian), piloté par Playwright, sans lecteur d'écran."
TOOLS: tuple[str, ...] = (
    "axe-core 4.12 (règles WCAG 2.1 A et AA et bonnes pratiques), lancé dans Chromium sur chaque page de l'échantillon par la suite de tests",
    "Tests au clavier automatisés (Playwright) : lien d'évitement, ordre de tabulation, sélecteurs et éditeur",
    "Nu Html Checker (validateur HTML du W3C)",
    "Lecture des gabarits, des feuilles de styles et des scripts, critère par critère",
)
DISPROPORTIONATE_BURDEN: tuple[str, ...] = ()
EXEMPT_CONTENTS: tuple[str, ...] = (
    "Les documents joints aux réunions par les partenaires (présentations, affiches, rapports) : "
    "contenus de tiers que ni la coordination du CLS ni l'exploitant de Trame ne produisent ni ne "
    "contrôlent.",
)


# --- Results ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Results:
    """The figures of the statement: counts, percentage of criteria met, status."""

    conform: int
    non_conform: int
    not_applicable: int
    audited_on: dt.date
    valid_until: dt.date
    today: dt.date

    @property
    def total(self) -> int:
        return self.conform + self.non_conform + self.not_applicable

    @property
    def applicable(self) -> int:
        return self.conform + self.non_conform

    @property
    def rate(self) -> Decimal | None:
        """Percentage of criteria met: conform / (conform + non-conform), RGAA's formula.

        Rounded down to a tenth, so that the page never claims more than the grid supports.
        """
        if not self.applicable:
            return None
        exact = Decimal(100 * self.conform) / Decimal(self.applicable)
        return exact.quantize(Decimal("0.1"), rounding=ROUND_DOWN)

    @property
    def is_current(self) -> bool:
        return self.today <= self.valid_until

    @property
    def level(self) -> str:
        """ "total", "partial" or "none", as the RGAA defines them: partial from half of the
        applicable criteria met; none below, or without an audit still valid."""
        if not self.is_current or not self.applicable:
            return "none"
        if not self.non_conform:
            return "total"
        return "partial" if 2 * self.conform >= self.applicable else "none"

    @property
    def status(self) -> str:
        """The mention « totalement / partiellement / non conforme »."""
        return {"total": TOTAL, "partial": PARTIAL, "none": NONE}[self.level]


@dataclass(frozen=True)
class ThemeResult:
    number: int
    title: str
    conform: int
    non_conform: int
    not_applicable: int


def _years_later(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def results(
    grid: tuple[Criterion, ...] = GRID,
    *,
    audited_on: dt.date = AUDITED_ON,
    today: dt.date | None = None,
) -> Results:
    states = [criterion.state for criterion in grid]
    return Results(
        conform=states.count(C),
        non_conform=states.count(NC),
        not_applicable=states.count(NA),
        audited_on=audited_on,
        valid_until=_years_later(audited_on, VALID_YEARS),
        today=today or timezone.localdate(),
    )


def theme_results(grid: tuple[Criterion, ...] = GRID) -> list[ThemeResult]:
    found = []
    for number, title in THEMES.items():
        states = [c.state for c in grid if c.theme == number]
        found.append(
            ThemeResult(number, title, states.count(C), states.count(NC), states.count(NA))
        )
    return found


def non_conformities(grid: tuple[Criterion, ...] = GRID) -> list[Criterion]:
    return [criterion for criterion in grid if criterion.state == NC]
