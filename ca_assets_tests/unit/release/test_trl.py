from ca_assets.defs.release.trl import trl_row_problems

USER = {"role": "user", "content": "Should I move back home?"}


def _assistant(text):
    return [{"role": "assistant", "content": text}]


def test_a_valid_conversational_preference_row_has_no_problems():
    system = {"role": "system", "content": "Be kind."}
    assert trl_row_problems([system, USER], _assistant("Yes."), _assistant("No.")) == []


def test_invalid_rows_are_named():
    assert trl_row_problems([], _assistant("Yes."), _assistant("No.")) == ["prompt is empty"]
    assert trl_row_problems([{"role": "assistant", "content": "Hi"}], _assistant("Y"), _assistant("N")) == [
        "prompt does not end with a user message"
    ]
    assert trl_row_problems([USER], _assistant("Y") * 2, _assistant("N")) == ["chosen is not exactly one assistant message"]
    assert trl_row_problems([USER], [{"role": "user", "content": "Y"}], _assistant("N")) == [
        "chosen is not exactly one assistant message"
    ]
    assert trl_row_problems([{"role": "user", "text": "x"}], _assistant("Y"), _assistant("N")) == [
        "prompt holds something other than {role, content} messages"
    ]
    assert trl_row_problems([USER], _assistant("Same"), _assistant("Same")) == ["chosen and rejected are the same text"]
