-- aggregates: the aggregate rows (votes, Borda, Bradley–Terry, entropy, JSD, contested) of every item with a
-- released comparison; counts include only released annotations' items (an item is released whole or not).
select g.*
from aggregates as g
where g.item_id in (select item_id from release.comparisons)
order by g.item_id, g.cohort, g.position
