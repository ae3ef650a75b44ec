"""Split replies written by French and English mail clients into new text, quote, signature."""

from __future__ import annotations

import pytest

from accalmie.mail.quotes import split_reply


def test_gmail_french_attribution_and_quoted_block() -> None:
    body = (
        "Bonjour Marie,\n\nJe valide le devis.\n\n"
        "Le lun. 3 mars 2025 à 10:12, Marie <m@x.fr> a écrit :\n"
        "> Voici le devis révisé.\n>\n> Marie\n"
    )
    new, quoted, signature = split_reply(body)
    assert new == "Bonjour Marie,\n\nJe valide le devis."
    assert quoted.startswith("Le lun. 3 mars 2025 à 10:12, Marie <m@x.fr> a écrit :")
    assert quoted.endswith("> Marie")
    assert signature == ""


def test_french_attribution_wrapped_over_two_lines() -> None:
    body = (
        "C'est noté, merci.\n\n"
        "Le lun. 3 mars 2025 à 10:12, Marie-Christine Dupont <\n"
        "marie-christine.dupont@example.fr> a écrit :\n"
        "> Pouvez-vous confirmer la livraison ?\n"
    )
    new, quoted, _ = split_reply(body)
    assert new == "C'est noté, merci."
    assert quoted.splitlines()[0] == "Le lun. 3 mars 2025 à 10:12, Marie-Christine Dupont <"
    assert "> Pouvez-vous confirmer la livraison ?" in quoted


def test_english_attribution_with_narrow_spaces() -> None:
    # Gmail writes a narrow no-break space before AM/PM and sometimes before the colon.
    body = (
        "Sounds good.\n\n"
        "On Mon, Mar 3, 2025 at 10:12\u202fAM Marie <m@x.fr> wrote:\n"
        "> Shall we meet on Friday?\n"
    )
    assert split_reply(body)[:2] == (
        "Sounds good.",
        "On Mon, Mar 3, 2025 at 10:12\u202fAM Marie <m@x.fr> wrote:\n> Shall we meet on Friday?",
    )


def test_outlook_french_header_block_with_underscores() -> None:
    body = (
        "Bonjour,\n\nLa facture est en pièce jointe.\n\nCordialement\n\n"
        "________________________________\n"
        "De : Marie Dupont <m@x.fr>\n"
        "Envoyé : lundi 3 mars 2025 10:12\n"
        "À : Jean Martin <j@y.fr>\n"
        "Objet : Facture de février\n\n"
        "Bonjour Jean, pouvez-vous m'envoyer la facture ?\n"
    )
    new, quoted, _ = split_reply(body)
    assert new == "Bonjour,\n\nLa facture est en pièce jointe.\n\nCordialement"
    assert quoted.startswith("________________________________\nDe : Marie Dupont")
    assert quoted.endswith("pouvez-vous m'envoyer la facture ?")


def test_outlook_english_header_block_without_underscores() -> None:
    body = (
        "Approved.\n\n"
        "From: Marie Dupont <m@x.fr>\n"
        "Sent: Monday, March 3, 2025 10:12 AM\n"
        "To: John Smith <j@y.com>\n"
        "Subject: Budget\n\n"
        "Please approve the budget.\n"
    )
    new, quoted, _ = split_reply(body)
    assert new == "Approved."
    assert quoted.startswith("From: Marie Dupont <m@x.fr>\nSent: Monday")


def test_outlook_block_with_date_variant_and_bold_markers() -> None:
    body = (
        "Merci !\n\n"
        "*De :* Marie <m@x.fr>\n"
        "*Date :* lundi 3 mars 2025 à 10:12\n"
        "*À :* Jean <j@y.fr>\n"
        "*Objet :* Planning\n\n"
        "Voici le planning.\n"
    )
    new, quoted, _ = split_reply(body)
    assert new == "Merci !"
    assert quoted.startswith("*De :* Marie")


@pytest.mark.parametrize(
    "separator",
    [
        "-----Original Message-----",
        "-----Message d'origine-----",
        "---------- Forwarded message ---------",
        "-------- Message transféré --------",
        "Begin forwarded message:",
    ],
)
def test_separator_lines_start_the_history(separator: str) -> None:
    body = f"FYI, voir ci-dessous.\n\n{separator}\nFrom: Marie <m@x.fr>\n\nLe texte d'origine.\n"
    new, quoted, _ = split_reply(body)
    assert new == "FYI, voir ci-dessous."
    assert quoted.startswith(separator)
    assert quoted.endswith("Le texte d'origine.")


def test_interleaved_quotes_keep_every_answer() -> None:
    body = (
        "On Mon, Mar 3, 2025 at 10:12 AM Marie <m@x.fr> wrote:\n"
        "> Can you deliver on Friday?\n"
        "Yes, in the morning.\n\n"
        "> And the invoice?\n"
        "It leaves today.\n"
    )
    new, quoted, _ = split_reply(body)
    assert new == "Yes, in the morning.\n\nIt leaves today."
    assert quoted == (
        "On Mon, Mar 3, 2025 at 10:12 AM Marie <m@x.fr> wrote:\n"
        "> Can you deliver on Friday?\n\n"
        "> And the invoice?"
    )


def test_trailing_quoted_block_without_attribution() -> None:
    new, quoted, _ = split_reply("D'accord pour jeudi.\n\n> On se voit jeudi ?\n> Marie\n")
    assert (new, quoted) == ("D'accord pour jeudi.", "> On se voit jeudi ?\n> Marie")


@pytest.mark.parametrize("separator", ["-- ", "--", "__", "________"])
def test_signature_after_separator(separator: str) -> None:
    body = f"Merci pour votre retour.\n\n{separator}\nJean Martin\nAgence Lumen — 01 23 45 67 89\n"
    new, quoted, signature = split_reply(body)
    assert new == "Merci pour votre retour."
    assert quoted == ""
    assert signature == "Jean Martin\nAgence Lumen — 01 23 45 67 89"


@pytest.mark.parametrize(
    "footer",
    [
        "Envoyé de mon iPhone",
        "Sent from my iPhone",
        "Envoyé depuis mon appareil mobile",
        "Sent from Outlook for Android",
        "Get Outlook for iOS",
        "Envoyé de mon Galaxy",
        "Obtenir Outlook pour Android",
    ],
)
def test_mobile_footers_are_signatures(footer: str) -> None:
    body = (
        f"Je serai en retard de dix minutes.\n\n{footer}\n\n"
        "Le 3 mars 2025 à 10:12, Marie a écrit :\n> Rendez-vous à 14 h.\n"
    )
    new, quoted, signature = split_reply(body)
    assert new == "Je serai en retard de dix minutes."
    assert signature == footer
    assert quoted.startswith("Le 3 mars 2025 à 10:12, Marie a écrit :")


def test_signature_and_history_together() -> None:
    body = (
        "Parfait.\n\n-- \nJean\n\n"
        "On Mon, Mar 3, 2025 at 10:12 AM Marie <m@x.fr> wrote:\n> Le devis vous convient ?\n"
    )
    assert split_reply(body) == (
        "Parfait.",
        "On Mon, Mar 3, 2025 at 10:12 AM Marie <m@x.fr> wrote:\n> Le devis vous convient ?",
        "Jean",
    )


def test_wrote_mid_sentence_is_not_an_attribution() -> None:
    body = "As Paul wrote: the plan is fine.\nOn Monday he also wrote about the budget.\n"
    assert split_reply(body) == (body.strip(), "", "")


def test_attribution_looking_sentence_without_date_or_quote_is_kept() -> None:
    # Starts with "On", ends with "wrote:", but carries no date, time, address or quote.
    body = "On Monday, as Paul wrote:\nthe budget is approved.\n"
    assert split_reply(body) == (body.strip(), "", "")


def test_french_sentence_ending_with_a_ecrit_is_kept() -> None:
    body = "Le client a écrit :\nil souhaite annuler la commande.\n"
    assert split_reply(body) == (body.strip(), "", "")


def test_from_line_without_a_header_block_is_kept() -> None:
    body = "From: the sales team\nWe hope you enjoyed the event.\nSee you next year.\n"
    assert split_reply(body) == (body.strip(), "", "")


def test_long_text_after_double_dash_is_not_a_signature() -> None:
    lines = [f"Point {number} of the agenda." for number in range(30)]
    body = "Agenda below.\n--\n" + "\n".join(lines)
    assert split_reply(body) == (body, "", "")


def test_body_that_would_be_cut_away_entirely_is_kept() -> None:
    forward = (
        "---------- Forwarded message ---------\nFrom: Marie <m@x.fr>\n"
        "Date: Mon, 3 Mar 2025\nSubject: Devis\n\nVoici le devis.\n"
    )
    assert split_reply(forward) == (forward.strip(), "", "")
    assert split_reply("> only a quote\n> nothing else\n") == (
        "> only a quote\n> nothing else",
        "",
        "",
    )
    assert split_reply("Envoyé de mon iPhone\n") == ("Envoyé de mon iPhone", "", "")


def test_whitespace_is_tidied() -> None:
    body = "\r\n\r\n  Bonjour,   \r\n\r\n\r\n\r\nÀ demain.  \r\n\r\n-- \r\nJean  \r\n\r\n"
    assert split_reply(body) == ("Bonjour,\n\nÀ demain.", "", "Jean")


def test_empty_text() -> None:
    assert split_reply("") == ("", "", "")
