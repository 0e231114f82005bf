-- release_card_exclusions: conversations left out of the release, per reason (one conversation can have two).
select unnest(reasons) as reason, count(*) as conversations
from release.exclusions
group by reason
order by reason
