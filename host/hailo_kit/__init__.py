"""Host-side tools of meta-hailo-kit: the QEMU test target (`hailo_kit.qemu`) and the SSH
validation suite (`hailo_kit.validate`). Never installed on a target."""
