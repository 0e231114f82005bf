-- exclusions (schema release): one row per conversation the release leaves out, with every reason: `pii` (the scan
-- found personal details; release.exclude_pii) and `annotator_prompt` (the annotator wrote the opening prompt;
-- release.include_annotator_prompts = false). Params: $exclude_pii, $include_annotator_prompts.
create or replace table exclusions as
with reasons as (
    select conversation_id, 'pii' as reason, kind || ' in ' || field as detail
    from release.pii_findings
    where $exclude_pii
    union all
    select distinct conversation_id, 'annotator_prompt' as reason, 'the annotator wrote the opening prompt' as detail
    from main.comparisons
    where not $include_annotator_prompts and is_pregenerated_first_prompt = false
),

final as (
    select
        conversation_id::varchar as conversation_id,
        list(distinct reason order by reason)::varchar[] as reasons,
        string_agg(distinct detail, '; ' order by detail)::varchar as detail
    from reasons
    group by conversation_id
)

select * from final
order by conversation_id
