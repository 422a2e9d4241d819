"""hailo-validate's checks as pytest tests on a labgrid target (see README.md)."""
pytest_plugins = ["hailo_kit.validate.labgrid_plugin"]
