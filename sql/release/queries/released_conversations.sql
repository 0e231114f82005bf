-- released_conversations: how many conversations the release carries (the CA CSV has one row each).
select count(distinct conversation_id) as conversations
from release.comparisons
