"""Per-item aggregation and the `contested` flag: countries that disagree, items without consensus, and items
that are neither."""

import pandas as pd

from ca_assets.defs.aggregates.votes import ContestRules, aggregate


def _votes(item: str, by_cohort: dict[str, list[int]]) -> pd.DataFrame:
    rows = []
    for cohort, votes in by_cohort.items():
        for position, count in zip("abcd", votes, strict=True):
            rows.append({"item_id": item, "set_id": "s" + item, "prompt_id": "p", "turn": 1, "lang": "en", "sampler": "nc",
                         "cohort": cohort, "annotations": sum(votes), "answer_key": position, "candidate_id": item + position,
                         "position": position, "votes": count})  # fmt: skip
    return pd.DataFrame(rows)


def _item(frame: pd.DataFrame, item: str) -> pd.Series:
    return frame[(frame["item_id"] == item) & (frame["cohort"] == "all")].iloc[0]


def test_countries_with_different_favourites_make_an_item_contested():
    votes = pd.concat([
        _votes("x", {"all": [4, 4, 0, 0], "france": [4, 0, 0, 0], "india": [0, 4, 0, 0]}),
        _votes("y", {"all": [8, 0, 0, 0], "france": [4, 0, 0, 0], "india": [4, 0, 0, 0]}),
    ]).sort_values(["item_id", "cohort", "position"])  # fmt: skip
    frame = aggregate(votes, ContestRules())
    x, y = _item(frame, "x"), _item(frame, "y")
    assert (x["countries"], x["jsd_countries"], x["contested_reason"]) == (2, 1.0, "countries_disagree")
    assert (y["countries"], y["jsd_countries"], y["contested"], y["contested_reason"]) == (2, 0.0, False, None)
    assert frame.loc[frame["item_id"] == "x", "contested"].all()  # every row of the item carries the flag


def test_spread_votes_are_no_consensus_only_with_enough_annotators():
    votes = pd.concat([
        _votes("many", {"all": [3, 3, 2, 2], "united states": [3, 3, 2, 2]}),
        _votes("few", {"all": [1, 1, 1, 1], "united states": [1, 1, 1, 1]}),
    ]).sort_values(["item_id", "cohort", "position"])  # fmt: skip
    frame = aggregate(votes, ContestRules(min_annotations=5))
    assert _item(frame, "many")["contested_reason"] == "no_consensus"
    assert not _item(frame, "few")["contested"]  # four annotators: too few to call it
    assert pd.isna(_item(frame, "many")["jsd_countries"])  # one country only
    ties = frame[(frame["item_id"] == "many") & (frame["cohort"] == "all")]
    assert ties["plurality"].tolist() == [True, True, False, False]


def test_an_item_with_a_repeated_answer_is_aggregated_over_three():
    votes = _votes("r", {"all": [2, 1, 0, 0]}).iloc[:3].assign(annotations=3)
    frame = aggregate(votes, ContestRules())
    assert len(frame) == 3 and abs(frame["bt_strength"].sum() - 1) < 1e-9
    assert frame["borda"].iloc[0] == 1.5  # (2 x 2 points + 1 x 0.5) / 3
