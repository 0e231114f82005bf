-- conversations_per_turn: annotated conversations per turn by the annotator's country (a read, for the demo
-- summary and analysts).
pivot (
    select
        a.country,
        'turn_' || an.turn as turn
    from annotations as an
    inner join annotators as a using (annotator_id)
)
on turn
using count(*)
group by country
order by country
