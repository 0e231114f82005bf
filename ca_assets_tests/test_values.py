import numpy as np

from ca_assets.lib.values import POLES, judge, pole_texts


def test_judge_places_each_candidate_at_its_nearest_pole():
    poles = np.eye(4, dtype=np.float32)  # traditional, secular_rational, survival, self_expression
    candidates = np.array([[0.9, 0.1, 0.3, 0.3], [0.1, 0.9, 0.3, 0.3], [0.3, 0.3, 0.9, 0.1], [0.3, 0.3, 0.1, 0.9]])
    trad_secular, surv_self, closest = judge(candidates, poles)
    assert closest == list(POLES)
    assert trad_secular[0] < 0 < trad_secular[1]
    assert surv_self[2] < 0 < surv_self[3]


def test_every_pole_has_a_description():
    assert list(pole_texts()) == list(POLES)
    assert all(len(text) > 40 for text in pole_texts().values())
