"""The learned text models: loading, scoring, explanations, held-out figures, speed, training."""

from __future__ import annotations

import itertools
import json
import random
import re
import subprocess
import sys
import time
import unicodedata
from importlib import resources
from pathlib import Path

import pytest
from django.core.management import call_command

from accalmie.analysis import training
from accalmie.analysis.learned import Contribution, LinearTextModel, available_models
from accalmie.analysis.public_eval import evaluate_public, roc_auc
from tests.corpora import external_data

MODELS = ["hostility_en", "hostility_fr", "politeness_en"]
MODELS_DIR = Path(str(resources.files("accalmie.analysis").joinpath("models")))
CARD = MODELS_DIR / "MODEL_CARD.md"

HOSTILE_FR = "Espèce d'attardé, votre site est de la merde, vous êtes complètement débiles !"
POLITE_FR = "Bonjour Claire, merci beaucoup pour la maquette, elle nous plaît. Bonne journée."
HOSTILE_EN = "This is fucking garbage, shut up, you dumb useless idiots."
POLITE_EN = "Hi Claire, thank you so much for the mockup, we really like it. Have a nice day!"
RUDE_EN = "Why is this still not done? Fix it now."
COURTEOUS_EN = "Hi, could you please take a look at the new draft when you have a chance? Thanks!"


def model(name: str) -> LinearTextModel:
    return LinearTextModel.load(name)


def test_the_three_models_ship_and_load_once():
    assert set(MODELS) <= set(available_models())  # other modules ship models there too
    assert available_models() == sorted(available_models())
    for name in MODELS:
        loaded = model(name)
        assert (loaded.name, loaded.lang) == (name, name.rsplit("_", 1)[1])
        assert loaded.version
        assert loaded is LinearTextModel.load(name)  # cached, read once
    with pytest.raises(KeyError):
        LinearTextModel.load("no_such_model")


def test_shipped_files_are_small_and_hold_no_text_longer_than_a_word_pair():
    """The tweets' licence: weights of words and word pairs may ship, the texts may not."""
    for name in MODELS:
        path = MODELS_DIR / f"{name}.json"
        assert path.stat().st_size < 2_000_000
        document = json.loads(path.read_text(encoding="utf-8"))
        assert max(len(key.split(" ")) for key in document["word_weights"]) == 2
        assert max(len(key) for key in document["char_weights"]) <= 5


@pytest.mark.parametrize("name", MODELS)
@pytest.mark.parametrize(
    "text",
    ["", "   ", "!!!", HOSTILE_FR, POLITE_EN, "Ça dépasse les bornes… œuvre ﬁnale 😡 " * 200],
)
def test_probabilities_are_between_zero_and_one(name, text):
    assert 0.0 <= model(name).probability(text) <= 1.0


def test_hostile_sentences_score_higher_than_polite_ones():
    assert model("hostility_fr").probability(HOSTILE_FR) > model("hostility_fr").probability(
        POLITE_FR
    )
    assert model("hostility_en").probability(HOSTILE_EN) > model("hostility_en").probability(
        POLITE_EN
    )
    assert model("politeness_en").probability(COURTEOUS_EN) > 0.5
    assert model("politeness_en").probability(RUDE_EN) < model("politeness_en").probability(
        COURTEOUS_EN
    )


@pytest.mark.parametrize(
    ("name", "text", "offending"),
    [
        ("hostility_fr", HOSTILE_FR, {"attardé", "merde", "débiles", "de la merde"}),
        ("hostility_en", HOSTILE_EN, {"fucking", "garbage", "shut", "dumb", "idiots"}),
        ("politeness_en", COURTEOUS_EN, {"Hi", "could you", "please", "Thanks"}),
    ],
)
def test_contributions_point_at_the_words_with_their_offsets(name, text, offending):
    contributions = model(name).contributions(text, top=3)
    assert contributions and len(contributions) <= 3
    for item in contributions:
        assert isinstance(item, Contribution)
        assert text[item.start : item.end] == item.text
        assert item.weight > 0
    assert [c.weight for c in contributions] == sorted(
        (c.weight for c in contributions), reverse=True
    )
    assert contributions[0].text in offending
    spans = sorted((c.start, c.end) for c in contributions)
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(spans))  # no overlap


def test_offsets_survive_accents_ligatures_and_tone_marks():
    text = "Cœur brisé !!! Vous êtes NULS, franchement nuls."
    for item in model("hostility_fr").contributions(text, top=10):
        assert text[item.start : item.end] == item.text


def test_decomposed_accents_score_like_composed_ones():
    decomposed = unicodedata.normalize("NFD", HOSTILE_FR)
    assert decomposed != HOSTILE_FR
    assert model("hostility_fr").probability(decomposed) == pytest.approx(
        model("hostility_fr").probability(HOSTILE_FR)
    )


def test_fast_score_equals_the_feature_dot_product_used_in_training():
    """Scoring per word (cached) gives the same logit as the features training builds."""
    for name in MODELS:
        loaded = model(name)
        for text in [HOSTILE_FR, POLITE_EN, RUDE_EN, "merci merci merci !", "x"]:
            (row,) = training.feature_rows([text], loaded.char_sizes, loaded.drop)
            weights = {"w": loaded.word_weights, "c": loaded.char_weights}
            expected = loaded.intercept + sum(
                value * weights[block].get(key, 0.0) for (block, key), value in row.items()
            )
            assert loaded.logit(text) == pytest.approx(expected, abs=1e-9)


def test_the_split_is_stable_and_keeps_duplicates_together():
    assert training.is_heldout("le voisin c'est un attardé") == training.is_heldout(
        "Le   voisin, c'est un ATTARDE !"
    )
    ratio = sum(training.is_heldout(f"message {i}") for i in range(5000)) / 5000
    assert 0.18 < ratio < 0.22


@pytest.fixture(scope="module")
def public_rows():
    return evaluate_public(external_data())


def card_auc() -> dict[tuple[str, str], float]:
    """Read the ROC-AUC column of the summary table of MODEL_CARD.md."""
    found = {}
    for line in CARD.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 8 and re.fullmatch(r"0\.\d{3}", cells[3]):
            found[(cells[0], cells[2])] = float(cells[3])
    return found


def test_shipped_models_reproduce_the_held_out_auc_of_the_model_card(public_rows):
    expected = card_auc()
    ours = [row for row in public_rows if row["method"].startswith("accalmie ")]
    assert {row["method"] for row in ours} == {f"accalmie {name}" for name in MODELS}
    for row in public_rows:
        assert row["roc_auc"] == pytest.approx(expected[(row["set"], row["method"])], abs=0.005)


def test_public_evaluation_rows_have_every_baseline(public_rows):
    methods = {(row["set"], row["method"]) for row in public_rows}
    assert methods == {
        ("mlma-fr hostility", "accalmie hostility_fr"),
        ("mlma-fr hostility", "vaderSentiment_fr"),
        ("mlma-fr hostility", "textblob-fr"),
        ("mlma-en hostility", "accalmie hostility_en"),
        ("mlma-en hostility", "VADER"),
        ("tydip-en politeness", "accalmie politeness_en"),
        ("tydip-en politeness", "VADER"),
    }
    for row in public_rows:
        assert set(row) >= {"set", "n", "method", "roc_auc", "precision", "recall", "f1"}
        assert row["n"] > 300
        assert all(0.0 <= row[key] <= 1.0 for key in ("roc_auc", "precision", "recall", "f1"))


def test_roc_auc_counts_ties_as_half():
    assert roc_auc([0, 1], [0.2, 0.8]) == 1.0
    assert roc_auc([0, 1], [0.8, 0.2]) == 0.0
    assert roc_auc([0, 1, 0, 1], [0.5, 0.5, 0.5, 0.5]) == 0.5


def email_texts(count: int) -> list[str]:
    """Return e-mail-length texts (about 800 characters) mixing French and English."""
    rng = random.Random(7)
    sentences = [
        "Bonjour, je reviens vers vous au sujet de la livraison prévue vendredi.",
        "Pouvez-vous m'envoyer la dernière version de la maquette avant ce soir ?",
        "Comme je l'ai déjà dit trois fois, ce n'est pas ce que nous avions demandé.",
        "Merci pour votre réactivité, l'équipe est ravie du résultat.",
        "Nous ne paierons pas la facture tant que les corrections ne sont pas faites.",
        "Hi team, thanks for the update on the migration schedule.",
        "This is unacceptable, we expected the report on Monday at the latest.",
        "Could you please confirm the budget for the second phase?",
        "Other agencies would do this for half the price, frankly.",
        "Let's schedule a call next week to go through the roadmap together.",
    ]
    texts = []
    for i in range(count):
        picked = rng.choices(sentences, k=11)
        texts.append(f"Réf. {i} — " + " ".join(picked) + f" Cordialement, Client n°{i}")
    return texts


@pytest.mark.parametrize("name", MODELS)
def test_scoring_two_thousand_emails_takes_under_a_second(name):
    texts = email_texts(2000)
    assert 700 < sum(map(len, texts)) / len(texts) < 1000
    fresh = LinearTextModel.from_json((MODELS_DIR / f"{name}.json").read_bytes())  # cold cache
    started = time.perf_counter()
    for text in texts:
        fresh.probability(text)
    assert time.perf_counter() - started < 1.0


def test_inference_needs_neither_the_training_stack_nor_django():
    code = (
        "import sys\n"
        "from accalmie.analysis.learned import LinearTextModel\n"
        "m = LinearTextModel.load('hostility_fr'); m.probability('x'); m.contributions('x')\n"
        "heavy = {'scipy', 'sklearn', 'django', 'nltk', 'vaderSentiment'}\n"
        "print(sorted(heavy & set(sys.modules)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_training_twice_gives_the_shipped_files_byte_for_byte(tmp_path):
    """GIVEN the public corpora WHEN `accalmie train` runs twice THEN the files are identical,
    and identical to the ones shipped (so the shipped models are what the code trains)."""
    first, second = tmp_path / "first", tmp_path / "second"
    for out in (first, second):
        call_command("train", out=out, corpora=external_data(), json=True)
    names = sorted(p.name for p in first.iterdir())
    assert names == ["MODEL_CARD.md", *(f"{name}.json" for name in MODELS)]
    for name in names:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
        assert (first / name).read_bytes() == (MODELS_DIR / name).read_bytes(), name
