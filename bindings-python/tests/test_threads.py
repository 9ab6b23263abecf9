"""Thread safety under a pool, and the GIL released while the job runs."""

import faulthandler
import os
import threading
from concurrent.futures import ThreadPoolExecutor

import thumbsmith
from conftest import fixture_bytes, parity_cases


def test_a_thread_pool_gives_the_sequential_results():
    jobs = [
        (fixture_bytes(case["input"]), case["options"]) for case in parity_cases()
    ] * 6
    sequential = [thumbsmith.process(data, **options).data for data, options in jobs]
    with ThreadPoolExecutor(max_workers=4) as pool:
        parallel = list(pool.map(lambda job: thumbsmith.process(job[0], **job[1]).data, jobs))
    assert parallel == sequential


def test_errors_in_threads_stay_in_their_thread():
    inputs = [fixture_bytes(name) for name in ("photo.jpg", "empty.bin", "text.txt", "scene.png")] * 8

    def attempt(data: bytes) -> str:
        try:
            thumbsmith.process(data, width=24)
            return "ok"
        except thumbsmith.Error as error:
            return error.code

    with ThreadPoolExecutor(max_workers=4) as pool:
        codes = list(pool.map(attempt, inputs))
    assert codes == ["ok", "ERR_CORRUPT_INPUT", "ERR_UNSUPPORTED_FORMAT", "ok"] * 8


def test_the_gil_is_released_while_the_job_runs(tmp_path):
    # The job blocks reading a FIFO until this thread writes the photo into it. Were the GIL
    # held during the job, this thread could never run to write it: a deadlock, which the
    # faulthandler watchdog turns into a failed run instead of a hang.
    fifo = tmp_path / "upload.jpg"
    os.mkfifo(fifo)
    photo = fixture_bytes("photo.jpg")
    results = []
    faulthandler.dump_traceback_later(60, exit=True)
    try:
        worker = threading.Thread(target=lambda: results.append(thumbsmith.process(fifo, width=32)))
        worker.start()
        with open(fifo, "wb") as pipe:
            pipe.write(photo)
        worker.join()
    finally:
        faulthandler.cancel_dump_traceback_later()
    assert [result.data for result in results] == [thumbsmith.process(photo, width=32).data]
