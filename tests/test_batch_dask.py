"""`smtsched batch --dask ADDRESS` on a `distributed.LocalCluster` of two worker processes:
the same records as the local batch (times aside), every one written by the client side,
the hard kill working inside a Dask task (issue 17)."""
import pytest

from test_batch import essence, pigeons, read_lines, smtsched, tiny_inputs

distributed = pytest.importorskip(
    "distributed", reason="Dask distributed is not installed (pip install smtsched[dask]; "
                          "the [test] extra has it, so CI runs this)")


@pytest.fixture(scope="module")
def cluster():
    # processes=True: the workers are processes of their own, as on a real cluster;
    # one thread each, so that each runs one instance at a time
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as local:
        yield local


def test_dask_gives_the_same_lines_as_local(tmp_path, cluster):
    inputs = tiny_inputs(tmp_path)
    broken = tmp_path / "broken.sm"
    broken.write_text("not PSPLIB\n")
    inputs.append(str(broken))
    local, remote = tmp_path / "local.jsonl", tmp_path / "dask.jsonl"
    done = smtsched("batch", *inputs, "--out", str(local), "--workers", "2", "--timeout", "30")
    assert done.returncode == 0, done.stderr
    done = smtsched("batch", *inputs, "--out", str(remote), "--dask", cluster.scheduler_address,
                    "--timeout", "30")
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr

    def keyed(path):
        return {entry["input"]: (entry["exit"], entry["options"], essence(entry))
                for entry in read_lines(path)}

    here, there = keyed(local), keyed(remote)
    assert sorted(there) == sorted(inputs)
    assert here == there
    assert there[str(broken)][0] == "error"
    # resume works the same way against a Dask cluster
    again = smtsched("batch", *inputs, "--out", str(remote), "--dask", cluster.scheduler_address,
                     "--timeout", "30")
    assert "0 of 0 run" in again.stderr, again.stderr


def test_dask_task_ends_within_a_second_past_its_limit(tmp_path, cluster):
    hard = tmp_path / "pigeons.smt2"
    hard.write_text(pigeons())
    out = tmp_path / "results.jsonl"
    done = smtsched("batch", str(hard), "--out", str(out), "--dask", cluster.scheduler_address,
                    "--timeout", "1")
    assert done.returncode == 0, done.stderr
    (entry,) = read_lines(out)
    assert entry["exit"] in ("timeout", "killed"), entry
    assert entry["wall"] <= 1 + 1, entry   # the promise: the limit plus a second


def test_an_unreachable_scheduler_is_an_error_message(tmp_path, monkeypatch, capsys):
    from smtsched import cli
    from smtsched.batch import runner

    monkeypatch.setattr(runner, "CONNECT_TIMEOUT", "2s")
    inputs = tiny_inputs(tmp_path)[:1]
    code = cli.main(["batch", *inputs, "--out", str(tmp_path / "r.jsonl"),
                     "--dask", "tcp://127.0.0.1:9"])
    assert code == 1
    assert "cannot connect to the Dask scheduler at tcp://127.0.0.1:9" in capsys.readouterr().err
