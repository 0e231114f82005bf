-- release_card_counts: the dataset card's tables: per language, sampler, answer model, source, turn and
-- country, how many comparisons, annotations (best-of-4 choices), conversations and annotators the release has,
-- plus the total ('all').
with answers as (
    select comparison_id, annotation_id, conversation_id, annotator_id, chosen_model as model
    from release.comparisons
    union
    select comparison_id, annotation_id, conversation_id, annotator_id, rejected_model as model
    from release.comparisons
),

counts as (
    select
        'all' as dimension, 'all' as value, count(*) as comparisons, count(distinct annotation_id) as annotations,
        count(distinct conversation_id) as conversations, count(distinct annotator_id) as annotators
    from release.comparisons
    union all
    select
        'language', lang, count(*), count(distinct annotation_id),
        count(distinct conversation_id), count(distinct annotator_id)
    from release.comparisons
    group by lang
    union all
    select
        'sampler', sampler, count(*), count(distinct annotation_id),
        count(distinct conversation_id), count(distinct annotator_id)
    from release.comparisons
    group by sampler
    union all
    select
        'source', source, count(*), count(distinct annotation_id),
        count(distinct conversation_id), count(distinct annotator_id)
    from release.comparisons
    group by source
    union all
    select
        'turn', turn::varchar, count(*), count(distinct annotation_id),
        count(distinct conversation_id), count(distinct annotator_id)
    from release.comparisons
    group by turn
    union all
    select
        'country', coalesce(country, 'unknown'), count(*), count(distinct annotation_id),
        count(distinct conversation_id), count(distinct annotator_id)
    from release.comparisons
    group by coalesce(country, 'unknown')
    union all
    select
        'answer model', model, count(distinct comparison_id), count(distinct annotation_id),
        count(distinct conversation_id), count(distinct annotator_id)
    from answers
    group by model
)

select * from counts
order by dimension = 'all' desc, dimension, comparisons desc, value
