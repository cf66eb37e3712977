"""Where the benchmark data lives: ``--data``, else $SMTSCHED_DATA, else ../shared/data
relative to the checkout root."""

import os

CHECKOUT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class DataMissing(Exception):
    pass


def data_dir(override=None):
    if override:
        d = override
        origin = "--data"
    elif os.environ.get("SMTSCHED_DATA"):
        d = os.environ["SMTSCHED_DATA"]
        origin = "$SMTSCHED_DATA"
    else:
        d = os.path.join(CHECKOUT, "..", "shared", "data")
        origin = "default (../shared/data relative to the checkout %s)" % CHECKOUT
    d = os.path.abspath(d)
    if not os.path.isdir(d):
        raise DataMissing("data directory %s does not exist (from %s); pass --data DIR or set "
                          "SMTSCHED_DATA" % (d, origin))
    return d
