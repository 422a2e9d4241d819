"""Runs ON THE TARGET (python3 >= 3.9 with numpy and hailo_platform): real InferModel inferences
(the guide's §5.3 flow) whose outputs are checked against a contract, optionally through the
multi-process service from several processes at once (§5.4, §6.12).

    python3 infer_model.py [--frames N] [HEF=CONTRACT ...] [--service HEF=CONTRACT ... --processes N]

Contracts: ``identity`` (outputs equal inputs exactly: the shortcut model), ``deterministic``
(the same input gives the same outputs, of the model's shapes and types), ``shape`` (outputs of
the model's shapes and types; for real hardware, where no value is known in advance).
Prints one JSON object on stdout; exit status 0 when every inference met its contract.
"""
import argparse
import json
import multiprocessing
import os
import sys
import time
import traceback

CONTRACTS = ("identity", "deterministic", "shape")


def _dtype(np, format_type):
    name = str(getattr(format_type, "name", format_type)).rsplit(".", 1)[-1].upper()
    return {"UINT8": np.uint8, "UINT16": np.uint16, "FLOAT32": np.float32}[name]


def _random_inputs(np, rng, infer_model):
    inputs = {}
    for stream in infer_model.inputs:
        dtype = _dtype(np, stream.format.type)
        shape = tuple(stream.shape)
        if dtype == np.float32:
            inputs[stream.name] = rng.random(shape, dtype=np.float32)
        else:
            inputs[stream.name] = rng.integers(0, np.iinfo(dtype).max + 1, size=shape, dtype=dtype)
    return inputs


def _infer(np, configured, infer_model, inputs):
    bindings = configured.create_bindings()
    outputs = {}
    for name, data in inputs.items():
        bindings.input(name).set_buffer(data)
    for stream in infer_model.outputs:
        if stream.is_nms:
            raise SystemExit(f"{stream.name}: NMS outputs are not checked by this script")
        outputs[stream.name] = np.empty(tuple(stream.shape), dtype=_dtype(np, stream.format.type))
        bindings.output(stream.name).set_buffer(outputs[stream.name])
    configured.run([bindings], 10000)
    return {name: bindings.output(name).get_buffer() for name in outputs}


def check_model(hef, contract, frames, service, seed):
    """Infers ``frames`` frames of one HEF; returns (ok, detail)."""
    import numpy as np
    from hailo_platform import HailoSchedulingAlgorithm, VDevice

    params = VDevice.create_params()
    params.scheduling_algorithm = HailoSchedulingAlgorithm.ROUND_ROBIN
    if service:
        params.multi_process_service = True
        params.group_id = "SHARED"
    rng = np.random.default_rng(seed)
    with VDevice(params) as vdevice:
        infer_model = vdevice.create_infer_model(hef)
        with infer_model.configure() as configured:
            for frame in range(frames):
                inputs = _random_inputs(np, rng, infer_model)
                outputs = _infer(np, configured, infer_model, inputs)
                for stream in infer_model.outputs:
                    out = outputs[stream.name]
                    if list(out.shape) != list(stream.shape):
                        return False, f"{stream.name}: output shape {list(out.shape)} != {list(stream.shape)}"
                if contract == "identity":
                    if len(inputs) != len(outputs):
                        return False, f"identity model has {len(inputs)} inputs but {len(outputs)} outputs"
                    for (iname, i), (oname, o) in zip(inputs.items(), outputs.items()):
                        if i.shape != o.shape or i.dtype != o.dtype or not np.array_equal(i, o):
                            diff = int(np.count_nonzero(i != o)) if i.shape == o.shape else "all"
                            return False, (f"frame {frame}: output {oname} differs from input {iname} "
                                           f"({diff} of {i.size} values)")
                elif contract == "deterministic":
                    again = _infer(np, configured, infer_model, inputs)
                    for name, out in outputs.items():
                        if not np.array_equal(out, again[name]):
                            return False, f"frame {frame}: {name} differs between two runs of the same input"
        names = ", ".join(f"{s.name} {list(s.shape)}" for s in infer_model.outputs)
    return True, f"{frames} frames, {contract} contract met ({names})"


def _worker(args):
    hef, contract, frames, service, seed = args
    try:
        ok, detail = check_model(hef, contract, frames, service, seed)
    except BaseException as e:  # reported, not raised: the parent prints one JSON verdict
        ok, detail = False, f"{type(e).__name__}: {e}".strip() or traceback.format_exc(limit=2)
    return ok, detail, os.getpid()


def _process_main(jobs, conn):
    conn.send([_worker(job) for job in jobs])
    conn.close()


def _in_processes(groups):
    """One process per group of jobs, all processes running at once, each running its jobs
    one after another (the guide's §5.4 uses multiprocessing.Process)."""
    ctx = multiprocessing.get_context("fork")
    running = []
    for jobs in groups:
        parent, child = ctx.Pipe(duplex=False)
        proc = ctx.Process(target=_process_main, args=(jobs, child))
        proc.start()
        child.close()
        running.append((proc, parent, jobs))
    results = []
    for proc, conn, jobs in running:
        try:
            got = conn.recv()
        except EOFError:
            got = [(False, "the process died without a result", proc.pid)] * len(jobs)
        proc.join()
        if proc.exitcode != 0:
            got = [(False, f"process exit code {proc.exitcode}", proc.pid) if r[0] else r for r in got]
        results += got
    return results


def _jobs(ap, specs, frames, service, first_seed, processes=1):
    jobs = []
    for spec in specs:
        hef, _, contract = spec.rpartition("=")
        if not hef or contract not in CONTRACTS:
            ap.error(f"{spec!r}: expected HEF=CONTRACT with CONTRACT one of {', '.join(CONTRACTS)}")
        jobs += [(hef, contract, frames, service, first_seed + 1000 * p + len(jobs)) for p in range(processes)]
    return jobs


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("models", nargs="*", metavar="HEF=CONTRACT",
                    help="inferred one after another, each on its own VDevice")
    ap.add_argument("--service", action="append", default=[], metavar="HEF=CONTRACT",
                    help="then inferred through the multi-process service from --processes processes at once")
    ap.add_argument("--processes", type=int, default=2, help="processes per --service model")
    ap.add_argument("--frames", type=int, default=2)
    args = ap.parse_args(argv)
    direct = _jobs(ap, args.models, args.frames, False, 0)
    shared = _jobs(ap, args.service, args.frames, True, len(direct), args.processes)
    if not direct and not shared:
        ap.error("nothing to infer: give HEF=CONTRACT models, --service HEF=CONTRACT, or both")
    start = time.monotonic()
    # Imported once here, as the guide's §5.4 script does at its top, so the forked processes
    # start warm (one Python start with numpy: seconds on a slow target); every VDevice is made
    # in a child (§6.12): the direct models in one, then each service job in its own, at once.
    # The HEFs are read here too (HEF() needs no device): the HEF reader's modules load once for
    # all children, not in each. A bad HEF is still reported by the child that infers it.
    try:
        import numpy  # noqa: F401
        import hailo_platform
        for hef in {job[0] for job in direct + shared}:
            try:
                hailo_platform.HEF(hef)
            except Exception:
                pass
    except ImportError as e:
        results = [(False, f"ImportError: {e}", os.getpid())] * len(direct + shared)
    else:
        results = (_in_processes([direct]) if direct else []) + _in_processes([[job] for job in shared])
    ok = all(r[0] for r in results)
    print(json.dumps({"ok": ok, "seconds": round(time.monotonic() - start, 3),
                      "results": [{"hef": j[0], "contract": j[1], "service": j[3], "ok": r[0], "detail": r[1],
                                   "pid": r[2]} for j, r in zip(direct + shared, results)]}))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
