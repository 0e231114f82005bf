-- contested_prompts (view): one row per contested item (see aggregates: countries whose favourites differ, or
-- no consensus among enough annotators), with the user's message, how spread the votes are, and each country's
-- favourite answer position.
create or replace view contested_prompts as
with favourites as (
    select item_id, string_agg(cohort || ': ' || position, ', ' order by cohort) as country_favourites
    from aggregates
    where cohort <> 'all' and plurality
    group by item_id
)

select
    g.item_id,
    g.prompt_id,
    g.turn,
    g.lang,
    g.sampler,
    g.contested_reason,
    g.annotations,
    round(g.entropy_bits, 3) as entropy_bits,
    round(g.jsd_countries, 3) as jsd_countries,
    f.country_favourites,
    s.messages[-1].content as prompt_text
from aggregates as g
inner join candidate_sets as s using (set_id)
left join favourites as f using (item_id)
where g.contested and g.cohort = 'all' and g.plurality
qualify row_number() over (partition by g.item_id order by g.position) = 1
order by g.contested_reason, g.entropy_bits desc, g.item_id
