"""`smtsched batch`: many instances, one process each, on this machine or on a Dask cluster.

- `instance`: run one instance as `smtsched solve --json` in its own process group, under a
  hard kill at the limit plus a grace, and turn what it printed into one result record;
- `child`: the entry point of that process (`python -m smtsched.batch.child`);
- `results`: the results file (JSON lines): what is already done, appending a line;
- `runner`: the queue of instances, the worker slots (threads here, tasks on Dask), progress.

docs/batch.md says how to use it, on one machine and on a cluster.
"""
