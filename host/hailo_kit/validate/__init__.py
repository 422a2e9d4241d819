"""hailo-validate: validates a Hailo target over SSH, the way the HailoRT guide's §10.6 table
says, automated and reported.

- ``hailo_kit.ssh`` (shared with the QEMU target): the paramiko connection (deadlines, no
  window deadlock, host key checks, SFTP) and the ``Transport`` protocol the runner needs;
- ``checks``: the data-driven check table (one row per check, two profiles);
- ``runner``: runs the table on a session and records PASS/FAIL/SKIP/NOT RUN per check;
- ``report``: the table, JSON and JUnit XML;
- ``qemu``: the main job (boot the QEMU target, validate it in the simulated profile, stop it);
- ``cli``: ``hailo-validate ssh ...`` and ``hailo-validate qemu ...``.
"""
