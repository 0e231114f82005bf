-- ca_row_problems: one row per (file line, reason) for Community Alignment rows that cannot become
-- annotations as they stand; `turn` names the turn at fault where there is one (a read, not a table).
-- Inputs: `ca_rows` (the file's rows) and `ca_turns` (queries/ca_turns.sql), registered from Python;
-- $langs: the languages the project collects in; $countries: the release's countries (lower case);
-- $max_chars: the longest cell accepted.
with identity as (
    select
        source_line,
        trim(conversation_id) as conversation_id,
        nullif(trim(annotator_id), '') as annotator_id,
        nullif(trim(assigned_lang), '') as assigned_lang,
        -- Capitalisation in the release is not confirmed; human_turns stores the country lower-cased.
        nullif(lower(trim(annotator_country)), '') as country,
        -- The first line holding a conversation id keeps it; later ones are resubmissions.
        row_number() over (partition by trim(conversation_id) order by source_line) as occurrence
    from ca_rows
),

row_problems as (
    select
        source_line, null::integer as turn, 'missing_field' as reason,
        'conversation_id, annotator_id or assigned_lang is empty' as detail
    from identity
    where nullif(conversation_id, '') is null or annotator_id is null or assigned_lang is null
    union all
    select
        source_line, null, 'unknown_language',
        'assigned_lang ' || assigned_lang || ' is not one of ' || array_to_string($langs, ', ')
    from identity
    where assigned_lang is not null and not list_contains($langs, assigned_lang)
    union all
    select
        source_line, null, 'unknown_country',
        'annotator_country ' || country || ' is not one of ' || array_to_string($countries, ', ')
    from identity
    where country is not null and not list_contains($countries, country)
    union all
    select
        source_line, null, 'duplicate_submission',
        'conversation ' || conversation_id || ' appeared on an earlier line'
    from identity
    where nullif(conversation_id, '') is not null and occurrence > 1
    union all
    select
        source_line, null, 'text_too_long',
        column_name || ' has ' || length(cell) || ' characters; at most ' || $max_chars || ' are accepted'
    from (unpivot ca_rows on columns(* exclude (source_line)) into name column_name value cell)
    where length(cell) > $max_chars
),

turn_problems as (
    select source_line, turn, 'empty_string' as reason, 'a prompt or response cell holds EMPTY STRING' as detail
    from ca_turns
    where used and has_empty_marker
    union all
    select source_line, turn, 'empty_text', 'a prompt or response cell is empty'
    from ca_turns
    where used
        and not has_empty_marker
        and (prompt is null or response_a is null or response_b is null or response_c is null or response_d is null)
    union all
    select
        source_line, turn, 'bad_label',
        'preferred response ' || coalesce('"' || preferred || '"', 'missing') || ' is not response_a..response_d'
    from ca_turns
    where used and (preferred is null or preferred not in ('response_a', 'response_b', 'response_c', 'response_d'))
    union all
    select source_line, turn, 'duplicate_responses', 'two of the four responses are the same text'
    from ca_turns
    where used
        -- list_distinct drops nulls, so only non-empty responses are compared
        and len(list_distinct([lower(response_a), lower(response_b), lower(response_c), lower(response_d)]))
        < len(list_filter([response_a, response_b, response_c, response_d], lambda r: r is not null))
    union all
    select source_line, turn, 'missing_middle_turn', 'turn ' || turn || ' is empty but a later turn is not'
    from (  -- noqa: AL10
        select source_line, turn, used, max(turn) filter (where used) over (partition by source_line) as last_used
        from ca_turns
    )
    where not used and turn < last_used
    union all
    select source_line, null, 'no_turns', 'the first turn is empty'
    from ca_turns
    where turn = 1 and not used
)

select * from row_problems
union all
select * from turn_problems
order by source_line, turn nulls first, reason
