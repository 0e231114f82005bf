-- Offending conversations: every conversation of comparisons is either released with all its comparisons or in
-- release.exclusions with none (comparisons = released + excluded).
with per_conversation as (
    select
        c.conversation_id,
        count(*) as comparisons,
        count(r.comparison_id) as released,
        bool_or(x.conversation_id is not null) as excluded
    from main.comparisons as c
    left join release.comparisons as r using (comparison_id)
    left join release.exclusions as x on x.conversation_id = c.conversation_id
    group by c.conversation_id
)

select * from per_conversation
where (excluded and released <> 0) or (not excluded and released <> comparisons)
