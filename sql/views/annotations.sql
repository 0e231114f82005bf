-- annotations over every turn (each turn writes turn_<n>.annotations).
create or replace view main.annotations as
select * from turn_1.annotations
union all by name
select * from turn_2.annotations
union all by name
select * from turn_3.annotations
union all by name
select * from turn_4.annotations
