-- aggregates: one row per (item, cohort, answer): votes, vote share, Borda points, Bradley–Terry strength and
-- plurality for each answer, with the item's choice entropy for that cohort; on every row of an item, the
-- Jensen–Shannon divergence between the countries that voted enough on it and whether the item is contested
-- (and why). Input: `aggregate_rows` registered from Python (defs/aggregates/votes.py).
create or replace table aggregates as
with final as (
    select
        item_id::varchar as item_id,
        set_id::varchar as set_id,
        prompt_id::varchar as prompt_id,
        turn::bigint as turn,
        lang::varchar as lang,
        sampler::varchar as sampler,
        cohort::varchar as cohort,
        annotations::bigint as annotations,
        answer_key::varchar as answer_key,
        candidate_id::varchar as candidate_id,
        position::varchar as position,
        votes::bigint as votes,
        vote_share::double as vote_share,
        borda::double as borda,
        bt_strength::double as bt_strength,
        plurality::boolean as plurality,
        entropy_bits::double as entropy_bits,
        countries::bigint as countries,
        jsd_countries::double as jsd_countries,
        contested::boolean as contested,
        contested_reason::varchar as contested_reason
    from aggregate_rows
)

select * from final
order by item_id, cohort, position
