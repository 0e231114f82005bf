-- trl_preferences: one row per comparison in TRL's conversational preference format:
-- prompt = the conversation up to the annotated turn, a list of {role, content} messages ending with the user; chosen / rejected = a list holding
-- one assistant message each. Extra columns keep the lineage back to comparisons.
with final as (
    select
        messages as prompt,
        [{'role': 'assistant', 'content': chosen_text}] as chosen,
        [{'role': 'assistant', 'content': rejected_text}] as rejected,
        comparison_id,
        prompt_id,
        turn,
        lang,
        sampler,
        country,
        annotator_id
    from comparisons
)

select * from final
order by comparison_id
