#!/bin/sh
# The guide's §11.1 HailoNet usages as gst-launch-1.0 pipelines, on the simulated device (or a
# board: the same lines run with libgsthailo). HEFs: $1 (a directory with resnet_v1_18.hef and
# shortcut_net.hef); without it the sample HEFs are generated into a temporary directory.
#     examples/gstreamer/pipelines.sh [HEF_DIR]
set -eu
dir=${1:-}
if [ -z "$dir" ]; then
    dir=$(mktemp -d)
    trap 'rm -rf "$dir"' EXIT
    python3 -m hailort_sim.hef.samples "$dir" >/dev/null
fi
resnet=$dir/resnet_v1_18.hef shortcut=$dir/shortcut_net.hef
run() { echo "+ gst-launch-1.0 $*"; gst-launch-1.0 -q "$@"; }

# One network, inferred according to the HEF (hef-path); the lone hailonet is active.
run videotestsrc num-buffers=30 ! hailonet hef-path="$resnet" ! fakesink

# A chosen device (device-id, as lspci prints it) and a batch size for a multi-context network.
device=$(hailortcli scan | sed -n 's/.*Device: \([0-9a-f:.]*\).*/\1/p' | head -n 1)
run videotestsrc num-buffers=30 ! hailonet hef-path="$resnet" device-id="$device" batch-size=4 ! fakesink

# Two networks in parallel sharing one VDevice (the same vdevice-group-id) under the model
# scheduler; after a tee the frame is shared, so hailonet needs force-writable to attach tensors.
run videotestsrc num-buffers=30 ! tee name=t \
    t. ! queue ! hailonet hef-path="$resnet" vdevice-group-id=shared force-writable=true ! fakesink \
    t. ! queue ! hailonet hef-path="$shortcut" vdevice-group-id=shared force-writable=true scheduler-priority=20 ! fakesink

# Without the scheduler each hailonet says whether it is active (is-active).
run videotestsrc num-buffers=30 ! tee name=t \
    t. ! queue ! hailonet hef-path="$resnet" vdevice-group-id=g scheduling-algorithm=HAILO_SCHEDULING_ALGORITHM_NONE \
        is-active=true force-writable=true ! fakesink \
    t. ! queue ! hailonet hef-path="$shortcut" vdevice-group-id=g scheduling-algorithm=HAILO_SCHEDULING_ALGORITHM_NONE \
        is-active=false force-writable=true ! fakesink

# Device statistics (power, temperature) beside a network.
run videotestsrc num-buffers=30 ! hailonet hef-path="$resnet" ! fakesink hailodevicestats silent=true

# Sharing between processes: multi-process-service through hailort_service (started if needed),
# and the same vdevice-group-id in each process.
address=${HAILORT_SERVICE_ADDRESS:-unix:///tmp/hailort_uds.sock}
sock=${address#unix://}
started=""
if [ ! -S "$sock" ]; then
    hailort_service standalone & started=$!
    n=0
    while [ ! -S "$sock" ] && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
fi
echo "+ two processes: gst-launch-1.0 ... hailonet multi-process-service=true vdevice-group-id=SHARED ..."
for i in 1 2; do
    gst-launch-1.0 -q videotestsrc num-buffers=30 ! hailonet hef-path="$resnet" multi-process-service=true \
        vdevice-group-id=SHARED ! fakesink &
    eval "p$i=\$!"
done
status=0
wait "$p1" || status=1
wait "$p2" || status=1
[ -z "$started" ] || kill "$started"
[ $status -eq 0 ]
echo "all pipelines ran"
