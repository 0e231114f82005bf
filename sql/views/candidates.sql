-- candidates over every turn (each turn writes turn_<n>.candidates).
create or replace view main.candidates as
select * from turn_1.candidates
union all by name
select * from turn_2.candidates
union all by name
select * from turn_3.candidates
union all by name
select * from turn_4.candidates
