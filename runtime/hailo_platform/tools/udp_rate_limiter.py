"""UDP rate limiter (P2, spec §5.4): Hailo-8 Ethernet only, which the simulator does not offer."""


class RateLimiterException(Exception):
    pass


class BadTCParamError(RateLimiterException):
    pass


class BadTCCallError(RateLimiterException):
    pass


class UDPRateLimiter:
    def __init__(self, remote_ip, port, rate_kbits_per_sec=0):
        self._remote_ip, self._port, self._rate = remote_ip, port, rate_kbits_per_sec

    def set_rate_limit(self):
        raise RateLimiterException("UDP rate limiting needs a Hailo-8 Ethernet device (not simulated)")

    def reset_rate_limit(self):
        raise RateLimiterException("UDP rate limiting needs a Hailo-8 Ethernet device (not simulated)")
