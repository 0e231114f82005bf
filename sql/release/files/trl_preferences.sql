-- trl_preferences: one row per released comparison in TRL's conversational preference format: `prompt` = the
-- conversation up to the annotated turn ({role, content} messages ending with the user), `chosen` / `rejected`
-- = one assistant message each, `margin` for RewardTrainer. Extra columns keep the lineage and the licences.
with final as (
    select
        messages as prompt,
        [{'role': 'assistant', 'content': chosen_text}] as chosen,
        [{'role': 'assistant', 'content': rejected_text}] as rejected,
        margin,
        comparison_id,
        prompt_id,
        turn,
        lang,
        sampler,
        country,
        annotator_id,
        human_text_license,
        model_text_license
    from release.comparisons
)

select * from final
order by comparison_id
