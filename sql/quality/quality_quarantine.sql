-- quality_quarantine: one row per annotation that fails quality control, with its first reason, every reason,
-- a detail, its source and (for human files) the file and line it came from. Reasons:
--   careless_annotator    the annotator failed (annotator_quality.passed is false: attention checks or straight-lining)
--   too_fast              chosen faster than $max_words_per_second over the four answers' words
--   language_mismatch     the set's language, or (if $check_language) the detected language of the user's
--                         message, is not the annotator's
--   duplicate_submission  the same annotator already annotated the same conversation turn (same messages and
--                         answers), in a file earlier by name or earlier in the same file
-- Annotations not here are kept: annotations = kept + quarantined (checked on comparisons).
-- Input: `set_languages` (set_id, detected language of the turn's user message, null if unsure) from Python.
create or replace table quality_quarantine as
with words as (
    select
        set_id,
        sum(len(string_split(trim(text), ' '))) as words,
        string_agg(text, chr(31) order by position) as answers
    from candidates
    group by set_id
),

base as (
    select
        an.annotation_id,
        an.annotator_id,
        an.source,
        an.seconds,
        s.lang,
        an.file_sha,
        an.source_line,
        a.assigned_lang,
        q.passed as annotator_passed,
        q.flags as annotator_flags,
        d.detected_lang,
        w.words,
        row_number() over (
            partition by an.annotator_id, sha256(s.messages::varchar || chr(30) || w.answers)
            order by f.file_name nulls first, an.source_line nulls first, an.annotation_id
        ) as nth
    from annotations as an
    inner join candidate_sets as s using (set_id)
    left join annotation_files as f on f.file_sha = an.file_sha
    inner join words as w using (set_id)
    left join annotators as a using (annotator_id)
    left join annotator_quality as q using (annotator_id)
    left join set_languages as d using (set_id)
),

judged as (
    select
        *,
        list_filter(
            [
                case when not coalesce(annotator_passed, true) then 'careless_annotator' end,
                case when seconds > 0 and words / seconds > $max_words_per_second then 'too_fast' end,
                case
                    when assigned_lang is not null
                        and (
                            lang <> assigned_lang
                            or ($check_language and coalesce(detected_lang, assigned_lang) <> assigned_lang)
                        )
                        then 'language_mismatch'
                end,
                case when nth > 1 then 'duplicate_submission' end
            ],
            lambda reason: reason is not null
        ) as reasons
    from base
),

final as (
    select
        annotation_id::varchar as annotation_id,
        annotator_id::varchar as annotator_id,
        reasons[1]::varchar as reason,
        reasons::varchar[] as reasons,
        concat_ws(
            '; ',
            case
                when list_contains(reasons, 'careless_annotator')
                    then 'annotator flags: ' || array_to_string(annotator_flags, ', ')
            end,
            case when list_contains(reasons, 'too_fast') then round(words / seconds, 1) || ' words/s' end,
            case
                when list_contains(reasons, 'language_mismatch')
                    then 'annotator ' || assigned_lang || ', set ' || lang
                        || ', message ' || coalesce(detected_lang, '?')
            end
        )::varchar as detail,
        source::varchar as source,
        file_sha::varchar as file_sha,
        source_line::bigint as source_line
    from judged
    where len(reasons) > 0
)

select * from final
order by annotation_id
