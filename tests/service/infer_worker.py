"""A hailo_platform application for the service tests: ``python infer_worker.py JSON-ARGS``.

Runs ``frames`` random frames (seeded) through each HEF with the async InferModel API, both
models at once from one VDevice (through the service if ``service`` is true), and saves
every output to ``out`` (.npz) so that the test can compare runs bit for bit.

With ``"loop": true`` it instead calls ``InferVStreams.infer`` (guide 5.6) on the first HEF
through the service until it raises, and prints when and what.
"""
import json
import sys
import time

import numpy as np
from hailo_platform import FormatType, HailoSchedulingAlgorithm, VDevice


DTYPES = {int(FormatType.UINT8): np.uint8, int(FormatType.UINT16): np.uint16,
          int(FormatType.FLOAT32): np.float32}


def main(args):
    params = VDevice.create_params()
    params.scheduling_algorithm = HailoSchedulingAlgorithm.ROUND_ROBIN
    params.group_id = "SHARED"
    params.multi_process_service = bool(args["service"])
    results = {}
    rng = np.random.default_rng(args["seed"])
    with VDevice(params) as vdevice:
        models = [vdevice.create_infer_model(path) for path in args["hefs"]]
        for model in models:
            model.set_batch_size(2)
            model.input().set_format_type(FormatType.FLOAT32)
        configured = [model.configure() for model in models]
        try:
            jobs = []
            for index in range(args["frames"]):
                for number, (model, cim) in enumerate(zip(models, configured)):
                    bindings = cim.create_bindings()
                    frame = rng.uniform(0, 1, model.input().shape).astype(np.float32)
                    bindings.input().set_buffer(frame)
                    for name in model.output_names:
                        output = model.output(name)
                        out = np.empty(output.shape, dtype=DTYPES[int(output.format.type)])
                        bindings.output(name).set_buffer(out)
                        results["{}_{}_{}".format(number, index, name)] = out
                    cim.wait_for_async_ready(timeout_ms=10000)
                    jobs.append(cim.run_async([bindings], lambda completion_info: None))
            for job in jobs:
                job.wait(10000)
        finally:
            for cim in configured:
                cim.shutdown()
    np.savez(args["out"], **results)
    print(json.dumps({"frames": len(results)}), flush=True)


def loop(args):
    from hailo_platform import (HEF, ConfigureParams, HailoStreamInterface, InferVStreams,
                                InputVStreamParams, OutputVStreamParams)
    hef = HEF(args["hefs"][0])
    params = VDevice.create_params()
    params.scheduling_algorithm = HailoSchedulingAlgorithm.ROUND_ROBIN
    params.multi_process_service = True
    params.group_id = "SHARED"
    with VDevice(params) as target:
        configure_params = ConfigureParams.create_from_hef(hef=hef, interface=HailoStreamInterface.PCIe)
        network_group = target.configure(hef, configure_params)[0]
        input_params = InputVStreamParams.make(network_group, format_type=FormatType.FLOAT32)
        output_params = OutputVStreamParams.make(network_group, format_type=FormatType.UINT8)
        info = hef.get_input_vstream_infos()[0]
        data = {info.name: np.zeros((4,) + tuple(info.shape), np.float32)}
        with InferVStreams(network_group, input_params, output_params) as pipeline:
            print(json.dumps({"ready": True}), flush=True)
            while True:
                try:
                    pipeline.infer(data)
                except Exception as error:
                    status = getattr(error, "status", None)
                    print(json.dumps({"failed_at": time.time(), "type": type(error).__name__,
                                      "status": getattr(status, "name", None)}), flush=True)
                    break


if __name__ == "__main__":
    arguments = json.loads(sys.argv[1])
    (loop if arguments.get("loop") else main)(arguments)
