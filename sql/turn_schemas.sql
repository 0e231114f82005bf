-- turn_schemas: one schema per conversation turn (the protocol's maximum is 4 turns). Each holds that turn's
-- user_turns, candidate_sets, candidates, generation_requests, generation_quarantine, candidate_values and
-- annotations; main holds views over all turns under the same names.
create schema if not exists turn_1;
create schema if not exists turn_2;
create schema if not exists turn_3;
create schema if not exists turn_4;
