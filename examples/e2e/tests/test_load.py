"""The flow under load, in CI: 8 users upload 40 photos at once (scripts/load.py; `make -C
examples load` is the full 50 users × 500). Nothing lost, nothing done twice, and the database,
the buckets, the handler's log and the CDN agree on every upload. The timings and each server's
peak RSS are printed (pytest -s shows them), never asserted: a 2-core CI runner is no benchmark."""

import load


def test_concurrent_users_each_get_exactly_their_avatars(flow, capsys):
    photos = load.with_expected_avatars(load.generated_photos(8))
    report = load.run_load(flow.env, users=8, uploads=40, photos=photos, pids=flow.pids)
    with capsys.disabled():
        print("\n" + load.format_report(report))
    assert report["problems"] == []
    assert (report["ready"], report["served"], report["webhooks_acknowledged"]) == (40, 40, 40)
    assert (report["lost"], report["duplicated"]) == (0, 0)
