-- comparisons (schema release): the comparisons a release carries (every conversation not in release.exclusions), with
-- `margin` (the chosen answer's vote share minus the rejected one's among everyone who saw the item, for
-- TRL's RewardTrainer) and the licence of the human-written and the model-written text of each row (responses
-- that came in human files carry the files' licence). Params: the release resource's licences. Not sorted:
-- every release file orders its rows itself, and sorting 600k wide rows here cost a third of the step.
create or replace table comparisons as
with final as (
    select
        c.*,
        (ch.vote_share - rj.vote_share)::double as margin,
        $human_text_license::varchar as human_text_license,
        (case when c.model is null then $file_text_license else $model_text_license end)::varchar as model_text_license
    from main.comparisons as c
    anti join release.exclusions as x using (conversation_id)
    inner join main.aggregates as ch
        on ch.item_id = c.item_id and ch.cohort = 'all' and ch.answer_key = sha256(c.chosen_text)[:16]
    inner join main.aggregates as rj
        on rj.item_id = c.item_id and rj.cohort = 'all' and rj.answer_key = sha256(c.rejected_text)[:16]
)

select * from final
