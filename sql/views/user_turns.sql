-- user_turns over every turn that has one (turn 1's user message is the prompt itself).
create or replace view main.user_turns as
select * from turn_2.user_turns
union all by name
select * from turn_3.user_turns
union all by name
select * from turn_4.user_turns
