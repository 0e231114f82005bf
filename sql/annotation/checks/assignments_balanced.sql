-- Offending cohorts: within one language's simulated cohort, the most- and least-loaded annotators' numbers
-- of assigned sets differ by more than one (an annotator with no set counts as zero).
with load as (
    select
        a.assigned_lang as lang,
        a.annotator_id,
        count(s.conversation_id) as sets
    from annotators as a
    left join assignments as s using (annotator_id)
    where a.source = 'simulated'
    group by a.assigned_lang, a.annotator_id
),

final as (
    select lang, min(sets) as fewest, max(sets) as most
    from load
    group by lang
    having max(sets) - min(sets) > 1
)

select * from final
