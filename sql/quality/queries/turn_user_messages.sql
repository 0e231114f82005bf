-- turn_user_messages: each candidate set's user message of that turn (the last message it answers), for the
-- language check of quality control (a read, not a table).
select
    set_id,
    lang,
    messages[-1].content as text
from candidate_sets
order by set_id
