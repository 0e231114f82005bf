import pandas as pd

from ca_assets.defs.values.diversity import distinct_n, set_text_stats, words


def test_words_keep_devanagari_words_whole_and_drop_punctuation():
    assert words("मेरे माता-पिता, नमस्ते। Hello!") == ["मेरे", "माता-पिता", "नमस्ते", "hello"]


def test_distinct_n_counts_repeats_across_the_answers():
    assert distinct_n(["a b c", "d e f"], 1) == 1.0
    assert distinct_n(["a b c", "a b c"], 1) == 0.5
    assert distinct_n(["a b c", "a b d"], 2) == 3 / 4
    assert distinct_n(["", ""], 2) == 0.0


def test_set_text_stats_counts_answers_in_the_prompts_language():
    english = "You should talk to your parents openly and explain what you need from them."
    french = "Vous devriez parler ouvertement avec vos parents et leur expliquer ce dont vous avez besoin."
    frame = pd.DataFrame(
        {"set_id": ["s1"] * 3, "text": [english, french, "Oui."], "lang": ["fr"] * 3}
    )
    [row] = set_text_stats(frame).to_dict("records")
    assert row["candidates"] == 3
    assert row["answers_in_language"] == 2  # the English answer is not French; "Oui." is too short to tell
