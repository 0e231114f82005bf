-- community_alignment: one row per released conversation in the public Community Alignment CSV layout
-- (formats/ca_csv.COLUMNS): identity, annotator fields, flags, and per turn the prompt, the four responses, the
-- preferred one (`response_a` … `response_d`) and the feedback. A conversation from a human file keeps its
-- file's id, language, wave and annotator fields as written; others take them from `annotators`. Flags are
-- written True/False as in the release. A conversation whose released turns do not run 1, 2, … without a gap
-- (quality control kept one of its turns out) is left out: the layout has no way to say a turn is missing.
with annotations as (
    select distinct
        annotation_id, conversation_id, annotator_id, turn, set_id, chosen_position, explanation, lang,
        is_pregenerated_first_prompt
    from release.comparisons
),

answers as (
    select
        set_id,
        max(text) filter (where position = 'a') as response_a,
        max(text) filter (where position = 'b') as response_b,
        max(text) filter (where position = 'c') as response_c,
        max(text) filter (where position = 'd') as response_d
    from candidates
    where set_id in (select set_id from annotations)
    group by set_id
),

turns as (
    select
        a.*,
        s.messages[-1].content as prompt,
        w.response_a,
        w.response_b,
        w.response_c,
        w.response_d,
        h.conversation_id as file_conversation_id,
        h.assigned_lang as file_lang,
        h.wave,
        h.country as file_country,
        h.age as file_age,
        h.gender as file_gender,
        h.education_level as file_education_level,
        h.ethnicity as file_ethnicity,
        h.political as file_political,
        h.in_balanced_subset,
        h.in_balanced_subset_10
    from annotations as a
    inner join candidate_sets as s using (set_id)
    inner join answers as w using (set_id)
    inner join main.annotations as an using (annotation_id)
    left join main.human_turns as h
        on h.file_sha = an.file_sha and h.source_line = an.source_line and h.turn = 1
),

final as (
    select
        coalesce(any_value(t.file_conversation_id), t.conversation_id) as conversation_id,
        any_value(t.annotator_id) as annotator_id,
        coalesce(any_value(t.file_lang), any_value(p.assigned_lang), any_value(t.lang)) as assigned_lang,
        any_value(t.wave) as wave,
        coalesce(any_value(t.file_country), any_value(p.country)) as annotator_country,
        coalesce(any_value(t.file_age), any_value(p.age)) as annotator_age,
        coalesce(any_value(t.file_gender), any_value(p.gender)) as annotator_gender,
        coalesce(any_value(t.file_education_level), any_value(p.education_level)) as annotator_education_level,
        coalesce(any_value(t.file_ethnicity), any_value(p.ethnicity)) as annotator_ethnicity,
        coalesce(any_value(t.file_political), any_value(p.political)) as annotator_political,
        case any_value(t.is_pregenerated_first_prompt) when true then 'True' when false then 'False' end
            as is_pregenerated_first_prompt,
        case any_value(t.in_balanced_subset) when true then 'True' when false then 'False' end as in_balanced_subset,
        case any_value(t.in_balanced_subset_10) when true then 'True' when false then 'False' end
            as in_balanced_subset_10,
        max(t.prompt) filter (where t.turn = 1) as first_turn_prompt,
        max(t.response_a) filter (where t.turn = 1) as first_turn_response_a,
        max(t.response_b) filter (where t.turn = 1) as first_turn_response_b,
        max(t.response_c) filter (where t.turn = 1) as first_turn_response_c,
        max(t.response_d) filter (where t.turn = 1) as first_turn_response_d,
        max('response_' || t.chosen_position) filter (where t.turn = 1) as first_turn_preferred_response,
        max(t.explanation) filter (where t.turn = 1) as first_turn_feedback,
        max(t.prompt) filter (where t.turn = 2) as second_turn_prompt,
        max(t.response_a) filter (where t.turn = 2) as second_turn_response_a,
        max(t.response_b) filter (where t.turn = 2) as second_turn_response_b,
        max(t.response_c) filter (where t.turn = 2) as second_turn_response_c,
        max(t.response_d) filter (where t.turn = 2) as second_turn_response_d,
        max('response_' || t.chosen_position) filter (where t.turn = 2) as second_turn_preferred_response,
        max(t.explanation) filter (where t.turn = 2) as second_turn_feedback,
        max(t.prompt) filter (where t.turn = 3) as third_turn_prompt,
        max(t.response_a) filter (where t.turn = 3) as third_turn_response_a,
        max(t.response_b) filter (where t.turn = 3) as third_turn_response_b,
        max(t.response_c) filter (where t.turn = 3) as third_turn_response_c,
        max(t.response_d) filter (where t.turn = 3) as third_turn_response_d,
        max('response_' || t.chosen_position) filter (where t.turn = 3) as third_turn_preferred_response,
        max(t.explanation) filter (where t.turn = 3) as third_turn_feedback,
        max(t.prompt) filter (where t.turn = 4) as fourth_turn_prompt,
        max(t.response_a) filter (where t.turn = 4) as fourth_turn_response_a,
        max(t.response_b) filter (where t.turn = 4) as fourth_turn_response_b,
        max(t.response_c) filter (where t.turn = 4) as fourth_turn_response_c,
        max(t.response_d) filter (where t.turn = 4) as fourth_turn_response_d,
        max('response_' || t.chosen_position) filter (where t.turn = 4) as fourth_turn_preferred_response,
        max(t.explanation) filter (where t.turn = 4) as fourth_turn_feedback
    from turns as t
    left join annotators as p using (annotator_id)
    group by t.conversation_id
    having min(t.turn) = 1 and count(distinct t.turn) = max(t.turn)
)

select * from final
order by conversation_id
