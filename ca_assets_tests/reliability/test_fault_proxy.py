"""The first-turn generation stage (nc and iid) through a proxy that injects faults in front of a real llama.cpp
server. Transient faults must be retried by the client with the same request; bad answers by the sampler with
a new seed; every requested set must end kept or quarantined with its reason, none lost; and a backend that
fails everything must stop the run, not quarantine the bank."""

from collections import Counter, defaultdict

import dagster as dg
import pytest

from ca_assets.defs.generation.sampling_run import BACKEND_DOWN_AFTER
from ca_assets.defs.prompts.assets import prompts
from ca_assets.defs.prompts.prompt_bank import PromptSources
from ca_assets.models.generation import Generator
from ca_assets.models.language import ALL_LANGS_TAGS
from ca_assets.models.samplers import SamplingSettings
from ca_assets_tests.support.fault_proxy import MALFORMED_TEXT, TRANSIENT, Request, fault_proxy, warm_llama_cpp_server
from ca_assets_tests.support.generation_run import FIRST_TURN, FIRST_TURN_CHECKS
from ca_assets_tests.support.local_server import SERVED_MODEL

pytestmark = pytest.mark.slow

SAMPLING = SamplingSettings(max_words=6, max_tokens=12)
# Well above a real answer's latency (up to ~10 s on a busy 2-core machine, queueing included): a client that
# gives up on a slow answer retries while llama.cpp's server still computes the first one, the queue grows and
# every request times out. Only the injected stall may time out; it overlaps the other worker's requests.
TIMEOUT_SECONDS = 30.0
MAX_RETRIES = 2


@pytest.fixture(scope="module")
def server():
    with warm_llama_cpp_server() as base_url:
        yield base_url


def _run(duckdb, base_url: str, max_retries: int) -> dg.ExecuteInProcessResult:
    generator = Generator(backend="openai", base_url=base_url, model=SERVED_MODEL, structured_output="json_object_schema",
                          concurrency=2, max_retries=max_retries, timeout_seconds=TIMEOUT_SECONDS)
    return dg.materialize(
        [prompts, FIRST_TURN, *FIRST_TURN_CHECKS],
        resources={"duckdb": duckdb, "prompt_sources": PromptSources(), "generator": generator, "sampling": SAMPLING},
        run_config={"ops": {"turn_1__generation": {"config": {"prompts_per_language": 1, "samplers": ["nc", "iid"]}}}},
        raise_on_error=False, tags=ALL_LANGS_TAGS,
    )


class Schedule:
    """The first NC prompt seen gets malformed content every time and the first iid prompt a 500 every time
    (past the client's retries). Of the other requests, the first new one stalls into a timeout and every
    second new one after it gets the next fault of CYCLE; repeats (client retries) pass."""

    CYCLE = ("rate_limited", "server_error", "truncated", "not_json")

    def __init__(self):
        self.nc_prompt = self.iid_prompt = None
        self.fresh = 0

    def __call__(self, request: Request) -> str | None:
        if request.nc:
            self.nc_prompt = self.nc_prompt or request.prompt
            if request.prompt == self.nc_prompt:
                return "malformed"
        else:
            self.iid_prompt = self.iid_prompt or request.prompt
            if request.prompt == self.iid_prompt:
                return "server_error"
        if request.repeat:
            return None
        k, self.fresh = self.fresh, self.fresh + 1
        if k == 0:
            return "timeout"
        return self.CYCLE[(k // 2) % len(self.CYCLE)] if k % 2 else None


def test_faults_are_retried_or_quarantined_and_no_set_is_lost(server, duckdb):
    schedule = Schedule()
    with fault_proxy(server, schedule, stall_seconds=TIMEOUT_SECONDS + 2) as proxy:
        result = _run(duckdb, proxy.base_url, MAX_RETRIES)
    seen = proxy.seen
    assert result.success, [str(e.event_specific_data.error) for e in result.all_events if e.is_step_failure]
    assert all(e.passed for e in result.get_asset_check_evaluations())

    with duckdb.connect(read_only=True) as con:
        languages = con.sql("select count(distinct lang) from prompts").fetchall()[0][0]
        backends = con.sql("select distinct backend, model from turn_1.candidate_sets").fetchall()
        requested = {r for (r,) in con.sql("select request_id from turn_1.generation_requests").fetchall()}
        kept = dict(con.sql("select request_id, requests from turn_1.candidate_sets").fetchall())
        quarantined = {
            r[0]: r[1:] for r in con.sql(
                "select q.request_id, q.sampler, p.text, q.reason, q.raw_text, q.requests "
                "from turn_1.generation_quarantine q join prompts p using (prompt_id)"
            ).fetchall()
        }
        per_set = con.sql(
            "select count(*), string_agg(position, '' order by position) from turn_1.candidates group by set_id"
        ).fetchall()
        iid_texts = {t for (t,) in con.sql(
            "select c.text from turn_1.candidates c join turn_1.candidate_sets s using (set_id) where s.sampler = 'iid'"
        ).fetchall()}

    assert backends == [("openai", SERVED_MODEL)]
    # Every requested set is exactly one of kept (four answers, a–d) or quarantined (reason and raw text).
    assert len(requested) == 2 * languages
    assert kept.keys() | quarantined.keys() == requested and not kept.keys() & quarantined.keys()
    assert per_set == [(4, "abcd")] * len(kept)
    assert all(reason and raw for _, _, reason, raw, _ in quarantined.values()), quarantined

    # Every request the sampler made reached the server as its own body: none dropped, none invented.
    faults_by_body, answer_by_body = defaultdict(list), {}
    for s in seen:
        # A forwarded request the server answered after the client's timeout (a busy machine) is a timeout too.
        slow = s.fault is None and s.seconds >= TIMEOUT_SECONDS
        faults_by_body[s.request.digest].append("timeout" if slow else s.fault)
        answer_by_body[s.request.digest] = s.answer
    assert sum(kept.values()) + sum(q[-1] for q in quarantined.values()) == len(faults_by_body)

    # The client sends a body again only after a transient fault, until it succeeds or runs out of retries;
    # a 200 it cannot use (not JSON, malformed content) is the sampler's to retry, with a new seed.
    for faults in faults_by_body.values():
        assert all(f in TRANSIENT for f in faults[:-1]), faults
        assert faults[-1] not in TRANSIENT or len(faults) == MAX_RETRIES + 1, faults
    injected = Counter(s.fault for s in seen)
    assert all(injected[f] for f in (*TRANSIENT, "not_json", "malformed")), injected
    recovered = defaultdict(list)  # first fault -> what the server answered on a retry of the same body
    for digest, faults in faults_by_body.items():
        if faults[0] in TRANSIENT and faults[-1] is None:
            recovered[faults[0]].append(answer_by_body[digest].strip())
    assert set(recovered) == set(TRANSIENT), recovered
    assert iid_texts & {a for answers in recovered.values() for a in answers}, "no retried answer was kept"
    assert iid_texts <= {s.answer.strip() for s in seen if s.answer}, "an iid answer the server never sent"

    # Output that stays malformed is quarantined with the raw text; requests that always fail, with the error.
    assert [q for q in quarantined.values() if q[:2] == ("nc", schedule.nc_prompt)] == [
        ("nc", schedule.nc_prompt, "not_json", MALFORMED_TEXT, SAMPLING.max_attempts)
    ]
    [(reason, raw, requests)] = [q[2:] for q in quarantined.values() if q[:2] == ("iid", schedule.iid_prompt)]
    assert reason == "request_failed" and "InternalServerError" in raw and requests == SAMPLING.max_attempts
    exhausted = [faults for faults in faults_by_body.values() if faults == ["server_error"] * (MAX_RETRIES + 1)]
    assert len(exhausted) == SAMPLING.max_attempts


def test_a_backend_that_fails_everything_stops_the_run_explicitly(server, duckdb):
    with fault_proxy(server, lambda request: "server_error") as proxy:
        result = _run(duckdb, proxy.base_url, max_retries=1)
    assert not result.success
    [failure] = [e for e in result.all_events if e.is_step_failure]
    assert failure.step_key == f"{FIRST_TURN.node_def.name}.sample"  # the op that runs the model
    error = failure.event_specific_data.error.to_string()
    assert "is the openai backend up" in error and "InternalServerError" in error, error
    # Stopped, not quarantined: no turn-1 table was written, so nothing downstream can read a partial bank.
    assert not [e for e in result.get_asset_materialization_events() if e.asset_key.path[0] == "turn_1"]
    with duckdb.connect(read_only=True) as con:
        tables = con.sql("select table_name from information_schema.tables where table_schema = 'turn_1'").fetchall()
    assert tables == []
    sightings = Counter(s.request.digest for s in proxy.seen)
    assert len(sightings) >= BACKEND_DOWN_AFTER and set(sightings.values()) == {2}, sightings
