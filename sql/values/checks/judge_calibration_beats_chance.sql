-- Judges at or below chance on some measure and language: their labels there are no better than guessing.
select
    judge,
    lang,
    measure,
    items,
    round(accuracy, 3) as accuracy,
    round(chance, 3) as chance
from judge_calibration
where accuracy <= chance
order by judge, lang, measure
