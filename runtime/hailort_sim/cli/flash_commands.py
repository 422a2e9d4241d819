"""The firmware and board tools of hailortcli on the simulated flash (``hailort_sim.device.flash``):
``fw-update``, ``ssb-update``, ``board-config read|write``, ``fw-logger`` and ``sensor-config``
(fw_update_command.cpp, ssb_update_command.cpp, board_config_command.cpp, fw_logger_command.cpp,
sensor_config_command.cpp). Each is a DeviceCommand: it runs on every chosen device, printing
``Executing on device: <id>`` first.
"""
import sys

from .common import UsageError, add_device_options, add_subcommands, requested_device_ids, run_on_devices

READ_LOG_CHUNK = 256     # AMOUNT_OF_BYTES_TO_READ
SENSOR_TYPES = {"SENSOR_GENERIC": 0, "ONSEMI_AR0220AT": 1, "SENSOR_RASPICAM": 2, "ONSEMI_AS0149AT": 3,
                "HAILO8_ISP": 0x80000000}


def _existing_file(name):
    def check(value):
        import os
        if os.path.isfile(value):
            return value
        raise UsageError("{}: File does not exist: {}".format(name, value))
    return check


def _read_file(path):
    """``read_binary_file``: the bytes, or HAILO_OPEN_FILE_FAILURE naming the file."""
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError:
        from hailort_sim.device.errors import fail
        fail("HAILO_OPEN_FILE_FAILURE", "Failed to open file {} with errno {}".format(path, 2))


def _specific_device(args, what):
    """``validate_specific_device_is_given``: one device id, or exactly one device on the machine."""
    ids = requested_device_ids(args)
    if ids is None or len(ids) != 1:
        from hailort_sim.device import scan
        if len(scan()) != 1:
            from hailort_sim.status import HailoStatus, raise_status
            raise_status(HailoStatus.HAILO_INVALID_OPERATION, what)


def _status_text(error):
    from hailort_sim.status import format_status
    return format_status(error.status)


# --- fw-update / ssb-update ------------------------------------------------------------------

def execute_fw_update(args):
    def on_device(device, args):
        from hailort_sim.device import flash
        from hailort_sim.status import HailoRTException
        data = _read_file(args.firmware)
        print("Updating firmware", flush=True)
        try:
            flash.firmware_update(device.device_id, device.architecture.name, data,
                                  should_reset=not args.skip_reset)
        except HailoRTException as error:
            sys.stderr.write("Update firmware failed, error code {}\n".format(_status_text(error)))
            return int(error.status)
        print("Firmware has been updated")
        return 0
    return run_on_devices(args, on_device)


def execute_ssb_update(args):
    def on_device(device, args):
        from hailort_sim.device import flash
        from hailort_sim.status import HailoRTException
        data = _read_file(args.file_path)
        print("Updating second stage boot...", flush=True)
        try:
            flash.second_stage_update(device.device_id, device.architecture.name, data)
        except HailoRTException as error:
            sys.stderr.write("Update second stage boot failed with error: {}\n".format(_status_text(error)))
            return int(error.status)
        print("second stage boot has been updated successfully")
        return 0
    return run_on_devices(args, on_device)


# --- board-config ----------------------------------------------------------------------------

def execute_board_config_read(args):
    def on_device(device, args):
        from hailort_sim.device import flash
        _specific_device(args, "'board-config read' command should get a specific device-id.")
        device.require_control("read_board_config")
        data = flash.read_board_config(device.device_id)
        try:
            with open(args.output_file, "wb") as out:
                out.write(data)
        except OSError as error:
            from hailort_sim.device.errors import fail
            fail("HAILO_OPEN_FILE_FAILURE", "Failed opening output file {} with errno: {}".format(
                args.output_file, error.errno))
        return 0
    return run_on_devices(args, on_device)


def execute_board_config_write(args):
    def on_device(device, args):
        from hailort_sim.device import flash
        device.require_control("write_board_config")
        flash.write_board_config(device.device_id, _read_file(args.input_file))
        return 0
    return run_on_devices(args, on_device)


# --- fw-logger -------------------------------------------------------------------------------

def execute_fw_logger(args):
    def on_device(device, args):
        from hailort_sim.device import flash
        _specific_device(args, "'fw-logger' command should get a specific device-id")
        if args.stdout:
            sys.stdout.flush()
            out = sys.stdout.buffer
        else:
            try:
                out = open(args.output_file, "wb" if args.overwrite else "ab")
            except OSError as error:
                from hailort_sim.device.errors import fail
                fail("HAILO_OPEN_FILE_FAILURE", "Failed opening file: {}, with errno: {}".format(
                    args.output_file, error.errno))
        try:
            cpus = (1,) if device.device_id == "[integrated]" else (0, 1)
            for cpu in cpus:
                while True:
                    chunk = flash.read_log(device.device_id, READ_LOG_CHUNK, cpu)
                    if not chunk:
                        if args.continuos:
                            import time
                            time.sleep(0.1)
                            continue
                        break
                    out.write(chunk)
                    out.flush()
        finally:
            if not args.stdout:
                out.close()
        return 0
    return run_on_devices(args, on_device, announce=not args.stdout)


# --- sensor-config ---------------------------------------------------------------------------

def execute_store_sensor_config(args):
    def on_device(device, args):
        from hailort_sim.device import flash
        with open(args.config_file_path) as config:
            entries = flash.parse_sensor_csv(config.read())
        flash.store_sensor_config(device.device_id, args.section_index, SENSOR_TYPES[args.sensor_type], entries,
                                  args.reset_config_size, args.config_height, args.config_width, args.config_fps,
                                  args.config_name)
        return 0
    return run_on_devices(args, on_device)


def execute_store_isp_config(args):
    def on_device(device, args):
        from hailort_sim.device import flash
        entries = []
        for path in (args.isp_static_config_file_path, args.isp_runtime_config_file_path):
            try:
                with open(path) as config:
                    lines = [line for line in config.read().splitlines() if line and not line.startswith("//")]
            except OSError as error:
                from hailort_sim.device.errors import fail
                fail("HAILO_OPEN_FILE_FAILURE", "Failed opening sensor ISP config file with errno: {}".format(
                    error.errno))
            entries += [(0, 16, 0, index, 0xFFFF, 0) for index, _ in enumerate(lines)]
        flash.store_sensor_config(device.device_id, flash.ISP_SECTION, SENSOR_TYPES["HAILO8_ISP"], entries,
                                  args.reset_config_size, args.config_height, args.config_width, args.config_fps,
                                  args.config_name)
        return 0
    return run_on_devices(args, on_device)


def execute_sensor_section_action(args):
    def on_device(device, args):
        from hailort_sim.device import flash
        flash.sensor_section(device.device_id, args.section_index)   # the section must hold a config
        return 0
    return run_on_devices(args, on_device)


def execute_get_sections_info(args):
    def on_device(device, args):
        from hailort_sim.device import flash
        for index, info in enumerate(flash.sensor_sections(device.device_id)):
            print("======== section_index: {} =========".format(index))
            if info is None:
                print("Section is not active\n")
                continue
            size = len(info["entries"]) * flash.OPERATION_SIZE
            print("Configuration Name:               {}".format(info["name"]))
            print("Sensor Type:                      {}".format(flash.SENSOR_TYPES[info["sensor_type"]]))
            print("Configuration lines number:       {}".format(len(info["entries"])))
            print("Configuration size in bytes:      {}".format(size))
            print("Reset configuration:              {}".format("valid" if info["reset_config_size"] else "not valid"))
            print("Reset configuration lines number: {}".format(info["reset_config_size"]))
            print("Configuration resolution:         [height {} : width {}]".format(info["height"], info["width"]))
            print("Configuration fps:                {}".format(info["fps"]))
            print("Section configuration version:    {}".format(1))
            print("Section is active\n")
        return 0
    return run_on_devices(args, on_device)


def execute_get_config(args):
    def on_device(device, args):
        from hailort_sim.device import flash
        _specific_device(args, "'sensor-config get-config' command should get a specific device-id.")
        info = flash.sensor_section(device.device_id, args.section_index)
        with open(args.config_file_path, "w") as out:
            out.write(flash.sensor_csv(info["entries"]))
        return 0
    return run_on_devices(args, on_device)


def execute_set_generic_slave(args):
    def on_device(device, args):
        from hailort_sim.device import flash
        flash.set_sensor_slave(device.device_id, slave_address=args.slave_address,
                               register_address_size=args.register_address_size, bus_index=args.bus_index,
                               should_hold_bus=args.should_hold_bus, endianness=args.slave_endianness)
        return 0
    return run_on_devices(args, on_device)


# --- parsers ---------------------------------------------------------------------------------

def _int_choice(name, choices):
    def check(value):
        if value in choices:
            return value
        raise UsageError("{}: {} not in {{{}}}".format(name, value, ",".join(sorted(choices))))
    return check


def register_fw_update(subparsers):
    parser = subparsers.add_parser("fw-update", help="Firmware update tool (only for flash based devices)")
    parser.add_argument("firmware", type=_existing_file("firmware"), help="The path to the firmware binary")
    parser.add_argument("--skip-reset", action="store_true", help="Don't reset after update")
    add_device_options(parser)
    parser.set_defaults(execute=execute_fw_update)


def register_ssb_update(subparsers):
    parser = subparsers.add_parser("ssb-update", help="Second stage boot update command (only for flash based "
                                                      "devices)")
    parser.add_argument("file_path", type=_existing_file("file_path"),
                        help="The path to the second stage boot binary")
    add_device_options(parser)
    parser.set_defaults(execute=execute_ssb_update)


def register_board_config(subparsers):
    commands = add_subcommands(subparsers, "board-config", "Board configuration tool")
    read = commands.add_parser("read", help="Read board configuration from device")
    read.add_argument("output_file", help="File path to dump board configuration into.")
    add_device_options(read)
    read.set_defaults(execute=execute_board_config_read)
    write = commands.add_parser("write", help="Write board configuration to device")
    write.add_argument("input_file", type=_existing_file("input_file"), help="Board config binary file path.")
    add_device_options(write)
    write.set_defaults(execute=execute_board_config_write)


def register_fw_logger(subparsers):
    parser = subparsers.add_parser("fw-logger", help="Download fw logs to a file")
    parser.add_argument("output_file", help="File path to write binary firmware log into")
    parser.add_argument("--overwrite", action="store_true", help="Should overwrite the file or not")
    parser.add_argument("--stdout", action="store_true", help="Write the output to stdout instead of a file")
    parser.add_argument("--continuos", action="store_true", help="Write to file/stdout, until the process is killed")
    add_device_options(parser)
    parser.set_defaults(execute=execute_fw_logger)


def _config_options(parser):
    parser.add_argument("--reset-config-size", type=int, default=0, help="The size of the reset configuration data")
    parser.add_argument("--config-height", type=int, default=0, help="Configuration resolution height")
    parser.add_argument("--config-width", type=int, default=0, help="Configuration resolution width")
    parser.add_argument("--config-fps", type=int, default=0, help="Configuration resolution fps")
    parser.add_argument("--config-name", default="UNINITIALIZED", help="Configuration name")


def register_sensor_config(subparsers):
    commands = add_subcommands(subparsers, "sensor-config", "Config sensor attached to the Hailo chip")
    store = commands.add_parser("store-sensor-config", help="Store a sensor configuration to a Hailo device")
    store.add_argument("section_index", type=int, help="Sensor index")
    store.add_argument("config_file_path", type=_existing_file("config_file_path"), help="Config file path (csv)")
    store.add_argument("sensor_type", type=_int_choice("sensor_type", SENSOR_TYPES), help="Type of sensor")
    _config_options(store)
    store.set_defaults(execute=execute_store_sensor_config)
    for name, help_text in (("load-config", "Load the sensor configuration stored in the given section"),
                            ("reset-sensor", "Load reset configuration stored in the given section")):
        action = commands.add_parser(name, help=help_text)
        action.add_argument("section_index", type=int, help="Sensor index")
        add_device_options(action)
        action.set_defaults(execute=execute_sensor_section_action)
    info = commands.add_parser("get-sections-info", help="Get the flash sections information")
    add_device_options(info)
    info.set_defaults(execute=execute_get_sections_info)
    dump = commands.add_parser("get-config", help="Dumps the configuration stored in the given section into a csv "
                                                  "file")
    dump.add_argument("section_index", type=int, help="Sensor index")
    dump.add_argument("config_file_path", help="File path to write section configuration")
    add_device_options(dump)
    dump.set_defaults(execute=execute_get_config)
    isp = commands.add_parser("store_isp_config", help="Store an ISP configuration to Hailo device, in section "
                                                       "index 7")
    isp.add_argument("isp_static_config_file_path", help="ISP static config file path")
    isp.add_argument("isp_runtime_config_file_path", help="ISP runtime config file path")
    _config_options(isp)
    add_device_options(isp)
    isp.set_defaults(execute=execute_store_isp_config)
    slave = commands.add_parser("set_generic_slave", help="Set a custom i2c slave that can be used")
    slave.add_argument("slave_address", type=int, help="The address of the i2c slave")
    slave.add_argument("register_address_size", type=int, help="Slave offset length in bytes")
    slave.add_argument("bus_index", type=int, help="The bus number the i2c slave is connected to")
    slave.add_argument("--should-hold-bus", default="false", help="Should hold the bus during the read")
    slave.add_argument("--slave-endianness", default="BIG_ENDIAN",
                       type=_int_choice("--slave-endianness", {"BIG_ENDIAN", "LITTLE_ENDIAN"}))
    add_device_options(slave)
    slave.set_defaults(execute=execute_set_generic_slave)
    add_device_options(store)
