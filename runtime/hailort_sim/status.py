"""HailoRT status codes and the exceptions that carry them.

The numbers, names and exception classes are libhailort 4.21.0's (``hailort.h`` and
``hailo_platform.pyhailort.pyhailort``). Every error the runtime raises is a
``HailoRTException`` with a ``status``; ``hailo_platform`` re-exports these classes under
their real names, and the CLI turns them into ``NAME(code)`` and its exit status.
"""
from enum import IntEnum
from typing import NoReturn, Optional


class HailoStatus(IntEnum):
    """``hailo_status``."""
    HAILO_SUCCESS = 0
    HAILO_UNINITIALIZED = 1
    HAILO_INVALID_ARGUMENT = 2
    HAILO_OUT_OF_HOST_MEMORY = 3
    HAILO_TIMEOUT = 4
    HAILO_INSUFFICIENT_BUFFER = 5
    HAILO_INVALID_OPERATION = 6
    HAILO_NOT_IMPLEMENTED = 7
    HAILO_INTERNAL_FAILURE = 8
    HAILO_DATA_ALIGNMENT_FAILURE = 9
    HAILO_CHUNK_TOO_LARGE = 10
    HAILO_INVALID_LOGGER_LEVEL = 11
    HAILO_CLOSE_FAILURE = 12
    HAILO_OPEN_FILE_FAILURE = 13
    HAILO_FILE_OPERATION_FAILURE = 14
    HAILO_UNSUPPORTED_CONTROL_PROTOCOL_VERSION = 15
    HAILO_UNSUPPORTED_FW_VERSION = 16
    HAILO_INVALID_CONTROL_RESPONSE = 17
    HAILO_FW_CONTROL_FAILURE = 18
    HAILO_ETH_FAILURE = 19
    HAILO_ETH_INTERFACE_NOT_FOUND = 20
    HAILO_ETH_RECV_FAILURE = 21
    HAILO_ETH_SEND_FAILURE = 22
    HAILO_INVALID_FIRMWARE = 23
    HAILO_INVALID_CONTEXT_COUNT = 24
    HAILO_INVALID_FRAME = 25
    HAILO_INVALID_HEF = 26
    HAILO_PCIE_NOT_SUPPORTED_ON_PLATFORM = 27
    HAILO_INTERRUPTED_BY_SIGNAL = 28
    HAILO_START_VDMA_CHANNEL_FAIL = 29
    HAILO_SYNC_VDMA_BUFFER_FAIL = 30
    HAILO_STOP_VDMA_CHANNEL_FAIL = 31
    HAILO_CLOSE_VDMA_CHANNEL_FAIL = 32
    HAILO_ATR_TABLES_CONF_VALIDATION_FAIL = 33
    HAILO_EVENT_CREATE_FAIL = 34
    HAILO_READ_EVENT_FAIL = 35
    HAILO_DRIVER_OPERATION_FAILED = 36
    HAILO_INVALID_FIRMWARE_MAGIC = 37
    HAILO_INVALID_FIRMWARE_CODE_SIZE = 38
    HAILO_INVALID_KEY_CERTIFICATE_SIZE = 39
    HAILO_INVALID_CONTENT_CERTIFICATE_SIZE = 40
    HAILO_MISMATCHING_FIRMWARE_BUFFER_SIZES = 41
    HAILO_INVALID_FIRMWARE_CPU_ID = 42
    HAILO_CONTROL_RESPONSE_MD5_MISMATCH = 43
    HAILO_GET_CONTROL_RESPONSE_FAIL = 44
    HAILO_GET_D2H_EVENT_MESSAGE_FAIL = 45
    HAILO_MUTEX_INIT_FAIL = 46
    HAILO_OUT_OF_DESCRIPTORS = 47
    HAILO_UNSUPPORTED_OPCODE = 48
    HAILO_USER_MODE_RATE_LIMITER_NOT_SUPPORTED = 49
    HAILO_RATE_LIMIT_MAXIMUM_BANDWIDTH_EXCEEDED = 50
    HAILO_ANSI_TO_UTF16_CONVERSION_FAILED = 51
    HAILO_UTF16_TO_ANSI_CONVERSION_FAILED = 52
    HAILO_UNEXPECTED_INTERFACE_INFO_FAILURE = 53
    HAILO_UNEXPECTED_ARP_TABLE_FAILURE = 54
    HAILO_MAC_ADDRESS_NOT_FOUND = 55
    HAILO_NO_IPV4_INTERFACES_FOUND = 56
    HAILO_SHUTDOWN_EVENT_SIGNALED = 57
    HAILO_THREAD_ALREADY_ACTIVATED = 58
    HAILO_THREAD_NOT_ACTIVATED = 59
    HAILO_THREAD_NOT_JOINABLE = 60
    HAILO_NOT_FOUND = 61
    HAILO_COMMUNICATION_CLOSED = 62
    HAILO_STREAM_ABORT = 63
    HAILO_DRIVER_NOT_INSTALLED = 64
    HAILO_NOT_AVAILABLE = 65
    HAILO_TRAFFIC_CONTROL_FAILURE = 66
    HAILO_INVALID_SECOND_STAGE = 67
    HAILO_INVALID_PIPELINE = 68
    HAILO_NETWORK_GROUP_NOT_ACTIVATED = 69
    HAILO_VSTREAM_PIPELINE_NOT_ACTIVATED = 70
    HAILO_OUT_OF_FW_MEMORY = 71
    HAILO_STREAM_NOT_ACTIVATED = 72
    HAILO_DEVICE_IN_USE = 73
    HAILO_OUT_OF_PHYSICAL_DEVICES = 74
    HAILO_INVALID_DEVICE_ARCHITECTURE = 75
    HAILO_INVALID_DRIVER_VERSION = 76
    HAILO_RPC_FAILED = 77
    HAILO_INVALID_SERVICE_VERSION = 78
    HAILO_NOT_SUPPORTED = 79
    HAILO_NMS_BURST_INVALID_DATA = 80
    HAILO_OUT_OF_HOST_CMA_MEMORY = 81
    HAILO_QUEUE_IS_FULL = 82
    HAILO_DMA_MAPPING_ALREADY_EXISTS = 83
    HAILO_CANT_MEET_BUFFER_REQUIREMENTS = 84
    HAILO_DRIVER_INVALID_RESPONSE = 85
    HAILO_DRIVER_INVALID_IOCTL = 86
    HAILO_DRIVER_TIMEOUT = 87
    HAILO_DRIVER_INTERRUPTED = 88
    HAILO_CONNECTION_REFUSED = 89
    HAILO_DRIVER_WAIT_CANCELED = 90
    HAILO_HEF_FILE_CORRUPTED = 91
    HAILO_HEF_NOT_SUPPORTED = 92
    HAILO_HEF_NOT_COMPATIBLE_WITH_DEVICE = 93

STATUS_DESCRIPTIONS = {
    HailoStatus.HAILO_SUCCESS: 'Success - No error',
    HailoStatus.HAILO_UNINITIALIZED: 'No error code was initialized',
    HailoStatus.HAILO_INVALID_ARGUMENT: 'Invalid argument passed to function',
    HailoStatus.HAILO_OUT_OF_HOST_MEMORY: 'Cannot allocate more memory at host',
    HailoStatus.HAILO_TIMEOUT: 'Received a timeout',
    HailoStatus.HAILO_INSUFFICIENT_BUFFER: 'Buffer is insufficient',
    HailoStatus.HAILO_INVALID_OPERATION: 'Invalid operation',
    HailoStatus.HAILO_NOT_IMPLEMENTED: 'Code has not been implemented',
    HailoStatus.HAILO_INTERNAL_FAILURE: 'Unexpected internal failure',
    HailoStatus.HAILO_DATA_ALIGNMENT_FAILURE: 'Data is not aligned',
    HailoStatus.HAILO_CHUNK_TOO_LARGE: 'Chunk too large',
    HailoStatus.HAILO_INVALID_LOGGER_LEVEL: 'Used non-compiled level',
    HailoStatus.HAILO_CLOSE_FAILURE: 'Failed to close fd',
    HailoStatus.HAILO_OPEN_FILE_FAILURE: 'Failed to open file',
    HailoStatus.HAILO_FILE_OPERATION_FAILURE: 'File operation failure',
    HailoStatus.HAILO_UNSUPPORTED_CONTROL_PROTOCOL_VERSION: 'Unsupported control protocol version',
    HailoStatus.HAILO_UNSUPPORTED_FW_VERSION: 'Unsupported firmware version',
    HailoStatus.HAILO_INVALID_CONTROL_RESPONSE: 'Invalid control response',
    HailoStatus.HAILO_FW_CONTROL_FAILURE: 'Control failed in firmware',
    HailoStatus.HAILO_ETH_FAILURE: 'Ethernet operation has failed',
    HailoStatus.HAILO_ETH_INTERFACE_NOT_FOUND: 'Ethernet interface not found',
    HailoStatus.HAILO_ETH_RECV_FAILURE: 'Ethernet failed at recv operation',
    HailoStatus.HAILO_ETH_SEND_FAILURE: 'Ethernet failed at send operation',
    HailoStatus.HAILO_INVALID_FIRMWARE: 'Firmware bin is invalid',
    HailoStatus.HAILO_INVALID_CONTEXT_COUNT: 'Host build too many contexts',
    HailoStatus.HAILO_INVALID_FRAME: 'Part or all of the result data is invalid',
    HailoStatus.HAILO_INVALID_HEF: 'Invalid HEF',
    HailoStatus.HAILO_PCIE_NOT_SUPPORTED_ON_PLATFORM: 'PCIe not supported on platform',
    HailoStatus.HAILO_INTERRUPTED_BY_SIGNAL: 'Blocking syscall was interrupted by a signal',
    HailoStatus.HAILO_START_VDMA_CHANNEL_FAIL: 'Starting VDMA channel failure',
    HailoStatus.HAILO_SYNC_VDMA_BUFFER_FAIL: 'Synchronizing VDMA buffer failure',
    HailoStatus.HAILO_STOP_VDMA_CHANNEL_FAIL: 'Stopping VDMA channel failure',
    HailoStatus.HAILO_CLOSE_VDMA_CHANNEL_FAIL: 'Closing VDMA channel failure',
    HailoStatus.HAILO_ATR_TABLES_CONF_VALIDATION_FAIL: 'Validating address translation tables failure, for FW control use',
    HailoStatus.HAILO_EVENT_CREATE_FAIL: 'Creating event failure',
    HailoStatus.HAILO_READ_EVENT_FAIL: 'Reading event failure',
    HailoStatus.HAILO_DRIVER_OPERATION_FAILED: 'Driver operation (i.e ioctl) returned failure. Read driver log for more info (dmesg for linux)',
    HailoStatus.HAILO_INVALID_FIRMWARE_MAGIC: 'Invalid FW magic',
    HailoStatus.HAILO_INVALID_FIRMWARE_CODE_SIZE: 'Invalid FW code size',
    HailoStatus.HAILO_INVALID_KEY_CERTIFICATE_SIZE: 'Invalid key certificate size',
    HailoStatus.HAILO_INVALID_CONTENT_CERTIFICATE_SIZE: 'Invalid content certificate size',
    HailoStatus.HAILO_MISMATCHING_FIRMWARE_BUFFER_SIZES: 'FW buffer sizes mismatch',
    HailoStatus.HAILO_INVALID_FIRMWARE_CPU_ID: 'Invalid CPU ID in FW',
    HailoStatus.HAILO_CONTROL_RESPONSE_MD5_MISMATCH: 'MD5 of control response does not match expected MD5',
    HailoStatus.HAILO_GET_CONTROL_RESPONSE_FAIL: 'Get control response failed',
    HailoStatus.HAILO_GET_D2H_EVENT_MESSAGE_FAIL: 'Reading device-to-host message failure',
    HailoStatus.HAILO_MUTEX_INIT_FAIL: 'Mutex initialization failure',
    HailoStatus.HAILO_OUT_OF_DESCRIPTORS: 'Cannot allocate more descriptors',
    HailoStatus.HAILO_UNSUPPORTED_OPCODE: 'Unsupported opcode was sent to device',
    HailoStatus.HAILO_USER_MODE_RATE_LIMITER_NOT_SUPPORTED: 'User mode rate limiter not supported on platform',
    HailoStatus.HAILO_RATE_LIMIT_MAXIMUM_BANDWIDTH_EXCEEDED: 'Rate limit exceeded HAILO_DEFAULT_MAX_ETHERNET_BANDWIDTH_BYTES_PER_SEC',
    HailoStatus.HAILO_ANSI_TO_UTF16_CONVERSION_FAILED: 'Failed converting ANSI string to UNICODE',
    HailoStatus.HAILO_UTF16_TO_ANSI_CONVERSION_FAILED: 'Failed converting UNICODE string to ANSI',
    HailoStatus.HAILO_UNEXPECTED_INTERFACE_INFO_FAILURE: 'Failed retrieving interface info',
    HailoStatus.HAILO_UNEXPECTED_ARP_TABLE_FAILURE: 'Failed retrieving arp table',
    HailoStatus.HAILO_MAC_ADDRESS_NOT_FOUND: 'MAC address not found in the arp table',
    HailoStatus.HAILO_NO_IPV4_INTERFACES_FOUND: 'No interfaces found with an IPv4 address',
    HailoStatus.HAILO_SHUTDOWN_EVENT_SIGNALED: 'A shutdown event has been signaled',
    HailoStatus.HAILO_THREAD_ALREADY_ACTIVATED: 'The given thread has already been activated',
    HailoStatus.HAILO_THREAD_NOT_ACTIVATED: 'The given thread has not been activated',
    HailoStatus.HAILO_THREAD_NOT_JOINABLE: 'The given thread is not joinable',
    HailoStatus.HAILO_NOT_FOUND: 'Could not find element',
    HailoStatus.HAILO_COMMUNICATION_CLOSED: 'The communication between endpoints is closed',
    HailoStatus.HAILO_STREAM_ABORT: 'Stream recv/send was aborted',
    HailoStatus.HAILO_DRIVER_NOT_INSTALLED: 'Driver is not installed/running on the system.',
    HailoStatus.HAILO_NOT_AVAILABLE: 'Component is not available',
    HailoStatus.HAILO_TRAFFIC_CONTROL_FAILURE: 'Traffic control failure',
    HailoStatus.HAILO_INVALID_SECOND_STAGE: 'Second stage bin is invalid',
    HailoStatus.HAILO_INVALID_PIPELINE: 'Pipeline is invalid',
    HailoStatus.HAILO_NETWORK_GROUP_NOT_ACTIVATED: 'Network group is not activated',
    HailoStatus.HAILO_VSTREAM_PIPELINE_NOT_ACTIVATED: 'VStream pipeline is not activated',
    HailoStatus.HAILO_OUT_OF_FW_MEMORY: 'Cannot allocate more memory at fw',
    HailoStatus.HAILO_STREAM_NOT_ACTIVATED: 'Stream is not activated',
    HailoStatus.HAILO_DEVICE_IN_USE: 'The device is already in use',
    HailoStatus.HAILO_OUT_OF_PHYSICAL_DEVICES: 'There are not enough physical devices',
    HailoStatus.HAILO_INVALID_DEVICE_ARCHITECTURE: 'Invalid device architecture',
    HailoStatus.HAILO_INVALID_DRIVER_VERSION: 'Invalid driver version',
    HailoStatus.HAILO_RPC_FAILED: 'RPC failed',
    HailoStatus.HAILO_INVALID_SERVICE_VERSION: 'Invalid service version',
    HailoStatus.HAILO_NOT_SUPPORTED: 'Not supported operation',
    HailoStatus.HAILO_NMS_BURST_INVALID_DATA: 'Invalid data in NMS burst',
    HailoStatus.HAILO_OUT_OF_HOST_CMA_MEMORY: 'Cannot allocate more CMA memory at host',
    HailoStatus.HAILO_QUEUE_IS_FULL: 'Cannot push more items into the queue',
    HailoStatus.HAILO_DMA_MAPPING_ALREADY_EXISTS: 'DMA mapping already exists',
    HailoStatus.HAILO_CANT_MEET_BUFFER_REQUIREMENTS: "can't meet buffer requirements",
    HailoStatus.HAILO_DRIVER_INVALID_RESPONSE: 'Driver returned invalid response. Make sure the driver version is the same as libhailort',
    HailoStatus.HAILO_DRIVER_INVALID_IOCTL: 'Driver cannot handle ioctl. Can happen on libhailort vs driver version mismatch or when ioctl function is not supported',
    HailoStatus.HAILO_DRIVER_TIMEOUT: 'Driver operation returned a timeout. Device reset may be required.',
    HailoStatus.HAILO_DRIVER_INTERRUPTED: 'Driver operation interrupted by system request (i.e can happen on application exit)',
    HailoStatus.HAILO_CONNECTION_REFUSED: 'Connection was refused by other side',
    HailoStatus.HAILO_DRIVER_WAIT_CANCELED: 'Driver operation was canceled',
    HailoStatus.HAILO_HEF_FILE_CORRUPTED: 'HEF file is corrupted',
    HailoStatus.HAILO_HEF_NOT_SUPPORTED: 'HEF file is not supported. Make sure the DFC version is compatible.',
    HailoStatus.HAILO_HEF_NOT_COMPATIBLE_WITH_DEVICE: 'HEF file is not compatible with device.',}


def get_status_message(code: int) -> str:
    """The status name for a code, as ``hailo_get_status_message`` returns it."""
    try:
        return HailoStatus(code).name
    except ValueError:
        raise HailoStatusInvalidValueException(f"Value {code} is not a valid status") from None


def format_status(status: int) -> str:
    """``NAME(code)``, the way hailortcli and the libhailort log print a status."""
    return f"{HailoStatus(status).name}({int(status)})"


class HailoStatusInvalidValueException(Exception):
    """An unknown status code (deliberately not a HailoRTException, as in pyhailort)."""


class HailoRTException(Exception):
    """Base of every runtime error. ``status`` is the hailo_status behind it."""
    status = HailoStatus.HAILO_INTERNAL_FAILURE
    message: Optional[str] = None  # fixed text of the real class; None: "libhailort failed with error"

    def __init__(self, *args, status: Optional[int] = None):
        if status is not None:
            self.status = HailoStatus(status)
        super().__init__(*args)


def _status_class(name, status, message, base=HailoRTException):
    cls = type(name, (base,), {"status": status, "message": message, "__module__": __name__})
    globals()[name] = cls
    return cls


_S = HailoStatus
_CLASSES = {
    _S.HAILO_ETH_RECV_FAILURE: ("UdpRecvError", "Failed to receive data"),
    _S.HAILO_UNSUPPORTED_CONTROL_PROTOCOL_VERSION: (
        "InvalidProtocolVersionException",
        "HailoRT has failed because an invalid protocol version was received from device"),
    _S.HAILO_FW_CONTROL_FAILURE: ("HailoRTFirmwareControlFailedException", "libhailort control operation failed"),
    _S.HAILO_INVALID_FRAME: ("HailoRTInvalidFrameException", "An invalid frame was received"),
    _S.HAILO_UNSUPPORTED_OPCODE: (
        "HailoRTUnsupportedOpcodeException",
        "HailoRT has failed because an unsupported opcode was sent to device"),
    _S.HAILO_TIMEOUT: ("HailoRTTimeout", "Received a timeout - hailort has failed because a timeout had occurred"),
    _S.HAILO_STREAM_ABORT: ("HailoRTStreamAborted", "Stream was aborted"),
    _S.HAILO_INVALID_OPERATION: (
        "HailoRTInvalidOperationException", "Invalid operation. See hailort.log for more information"),
    _S.HAILO_INVALID_ARGUMENT: (
        "HailoRTInvalidArgumentException", "Invalid argument. See hailort.log for more information"),
    _S.HAILO_NOT_FOUND: ("HailoRTNotFoundException", "Item not found. See hailort.log for more information"),
    _S.HAILO_INVALID_HEF: ("HailoRTInvalidHEFException", "Invalid HEF. See hailort.log for more information"),
    _S.HAILO_HEF_NOT_COMPATIBLE_WITH_DEVICE: (
        "HailoRTHEFNotCompatibleWithDevice",
        "HEF file is not compatible with device. See hailort.log for more information"),
    _S.HAILO_ETH_FAILURE: ("HailoRTEthException", "Ethernet failure. See hailort.log for more information"),
    _S.HAILO_DRIVER_OPERATION_FAILED: (
        "HailoRTDriverOperationFailedException",
        "Failure in hailort driver ioctl. run 'dmesg | grep hailo' for more information"),
    _S.HAILO_COMMUNICATION_CLOSED: (
        "HailoCommunicationClosedException", "Communication closed failure. Check server-client connection"),
    _S.HAILO_NETWORK_GROUP_NOT_ACTIVATED: (
        "HailoRTNetworkGroupNotActivatedException", "Network group is not activated"),
}
EXCEPTION_BY_STATUS = {status: _status_class(name, status, text) for status, (name, text) in _CLASSES.items()}
HailoRTPCIeDriverException = EXCEPTION_BY_STATUS[_S.HAILO_DRIVER_OPERATION_FAILED]
# Exported by pyhailort but never raised since HAILO_STREAM_ABORTED_BY_USER became HAILO_STREAM_ABORT (4.17).
HailoRTStreamAbortedByUser = _status_class("HailoRTStreamAbortedByUser", _S.HAILO_STREAM_ABORT, "Stream was aborted")


def exception_for(status: int, detail: str = "") -> HailoRTException:
    """The exception pyhailort would raise for ``status``, with ``detail`` saying what failed.

    The class's fixed text comes first, as in pyhailort; the detail (which the real
    runtime only writes to hailort.log) follows, so that the error says what to fix.
    """
    status = HailoStatus(status)
    cls = EXCEPTION_BY_STATUS.get(status, HailoRTException)
    head = cls.message or f"libhailort failed with error: {int(status)} ({status.name})"
    text = f"{head}: {detail}" if detail else head
    return cls(text, status=status)


def raise_status(status: int, detail: str = "") -> NoReturn:
    raise exception_for(status, detail)


class HailoRTStatusException(HailoRTException):
    """What pyhailort's native module raises where its Python layer does not translate the status
    (e.g. HEF's stream and vstream info queries): the text is the status number. (The real class
    derives from Exception only; ours stays a HailoRTException so that no caller misses it.)"""


def raise_native(status: int) -> NoReturn:
    raise HailoRTStatusException(str(int(status)), status=status)
