"""``hailortcli udp-rate-limiter set|reset|autoset`` (udp_rate_limiter_command.cpp).

Rate limiting shapes the host's traffic to a Hailo *Ethernet* board (``tc`` on the interface
that reaches it). The simulated devices are PCIe or integrated, so no board answers: without
``--board-ip`` the scan of ``--interface-name`` finds none (HAILO_NOT_FOUND; an interface the
host does not have is HAILO_ETH_INTERFACE_NOT_FOUND), and with ``--board-ip`` each port fails
as the real tool does for an address no interface reaches ("Failed creating
TrafficControlUtil ... ; Continuing"), exiting with that status. The host's ``tc`` is never run.
"""
import os
import sys

from .common import EXIT_EXCLUDES_ERROR, EXIT_INVALID_ERROR, UsageError, add_subcommands

ETH_INPUT_BASE_PORT = 32401
PORTS_COUNT = 16


def _device_options(parser):
    parser.add_argument("--board-ip", help="board ip.\nIf not suplied the board ip will be found by scanning for "
                                           "connected boards.")
    parser.add_argument("--interface-name", help="Name of the interface on which to scan, if no board ip is "
                                                 "provided")
    parser.add_argument("--dport", type=int, default=0, help="destination port")


def register(subparsers):
    commands = add_subcommands(subparsers, "udp-rate-limiter", "Limit the UDP rate")
    set_command = commands.add_parser("set", help="Sets the udp rate limit")
    set_command.add_argument("--kbit-rate", type=int, required=True, help="rate in Kbit/s")
    set_command.add_argument("-f", "--force", action="store_true",
                             help="When forced the tool will reset the udp limit before setting it")
    _device_options(set_command)
    reset = commands.add_parser("reset", help="Resets the udp rate limit")
    _device_options(reset)
    autoset = commands.add_parser("autoset", help="Sets the udp limiter based on an existing HEF")
    autoset.add_argument("--hef", required=True, help="HEF path")
    autoset.add_argument("--fps", type=int, required=True, help="Required FPS")
    autoset.add_argument("--network-group-name", help="The name of the network_group to configure rates for")
    autoset.add_argument("-f", "--force", action="store_true",
                         help="When forced the tool will reset the udp limit before setting it")
    _device_options(autoset)
    for command in (set_command, reset, autoset):
        command.set_defaults(execute=execute)


def _validate(args):
    if args.board_ip and args.interface_name:
        raise UsageError("--interface-name excludes --board-ip", EXIT_EXCLUDES_ERROR)
    if not args.board_ip and not args.interface_name:
        raise UsageError("Either --board-ip or --interface-name must be set", EXIT_INVALID_ERROR)
    if args.board_ip:
        parts = args.board_ip.split(".")
        if len(parts) != 4 or not all(p.isdigit() and int(p) < 256 for p in parts):
            raise UsageError("--board-ip: Invalid IPV4 address must have four parts ({})".format(args.board_ip))
    if args.subcommand == "autoset" and not os.path.isfile(args.hef):
        raise UsageError("--hef: File does not exist: {}".format(args.hef))


def execute(args):
    from hailort_sim import log
    from hailort_sim.status import HailoStatus, format_status
    _validate(args)
    if args.subcommand == "autoset":
        from hailort_sim.pipeline.device_link import load_hef
        load_hef(args.hef)       # a bad HEF fails first, as calc_rate_from_hef reads it
    if not args.board_ip:
        if not os.path.exists(os.path.join("/sys/class/net", args.interface_name)):
            log.error("Interface {} not found".format(args.interface_name))
            status = HailoStatus.HAILO_ETH_INTERFACE_NOT_FOUND
            sys.stderr.write("Failed scanning ethernet device from interface name ({})\n".format(format_status(status)))
            return int(status)
        return int(HailoStatus.HAILO_NOT_FOUND)       # the scan found no Hailo Ethernet board
    ports = [args.dport] if args.dport else list(range(ETH_INPUT_BASE_PORT, ETH_INPUT_BASE_PORT + PORTS_COUNT))
    failure = HailoStatus.HAILO_ETH_INTERFACE_NOT_FOUND

    def create(port):       # TrafficControlUtil::create: no interface reaches a simulated board
        log.error("No Hailo Ethernet board at {} (the simulated devices are PCIe or integrated)".format(
            args.board_ip))
        print("Failed creating TrafficControlUtil for {}:{} with status {}; Continuing".format(
            args.board_ip, port, format_status(failure)))

    if args.subcommand == "reset":
        for port in ports:
            create(port)
        return int(HailoStatus.HAILO_INTERNAL_FAILURE)    # any failed port
    if args.force:    # every port's reset fails first, then each is skipped (status kept, as the real tool)
        for port in ports:
            create(port)
        for port in ports:
            print("Failed resetting {}:{}; won't set rate limit.".format(args.board_ip, port))
        return int(HailoStatus.HAILO_SUCCESS)
    for port in ports:
        create(port)
    return int(failure)
