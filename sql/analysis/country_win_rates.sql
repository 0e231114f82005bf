-- country_win_rates (view): per sampler, annotator country and Inglehart–Welzel pole, how often an answer the
-- value judge labels with that pole was chosen over an answer without it (comparisons where only one side has
-- the pole). 0.5 = indifferent; countries that differ here want different values.
create or replace view country_win_rates as
with sides as (
    select
        cm.sampler,
        coalesce(cm.country, 'unknown') as country,
        vc.pole as chosen_pole,
        vr.pole as rejected_pole
    from comparisons as cm
    inner join candidates as cc on cc.set_id = cm.set_id and cc.position = cm.chosen_position
    inner join candidates as cr on cr.set_id = cm.set_id and cr.position = cm.rejected_position
    inner join candidate_values as vc on vc.candidate_id = cc.candidate_id
    inner join candidate_values as vr on vr.candidate_id = cr.candidate_id
),

contests as (
    select sampler, country, chosen_pole as pole, 1 as won
    from sides
    where chosen_pole <> rejected_pole
    union all
    select sampler, country, rejected_pole as pole, 0 as won
    from sides
    where chosen_pole <> rejected_pole
)

select
    sampler,
    country,
    pole,
    count(*) as comparisons,
    sum(won)::bigint as wins,
    round(avg(won), 3) as win_rate
from contests
where pole not in ('none', 'unjudged')
group by sampler, country, pole
order by sampler, pole, country
