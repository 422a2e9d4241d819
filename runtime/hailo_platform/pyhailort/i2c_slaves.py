"""I2C slave descriptors (P2, spec §5.3). The simulated devices have no I2C bus: the control
transfers they would drive fail with HAILO_NOT_SUPPORTED."""
from hailo_platform.pyhailort._pyhailort import Endianness

NO_I2C_SWITCH = 5


class I2CSlavesException(Exception):
    pass


class I2CSlave:
    def __init__(self, name, bus_index, slave_address, switch_number=NO_I2C_SWITCH, register_address_size=1,
                 endianness=Endianness.LITTLE_ENDIAN, should_hold_bus=False):
        self._name, self._bus_index, self._slave_address = name, bus_index, slave_address
        self._switch_number, self._register_address_size = switch_number, register_address_size
        self._endianness, self._should_hold_bus = endianness, should_hold_bus

    name = property(lambda self: self._name)
    bus_index = property(lambda self: self._bus_index)
    slave_address = property(lambda self: self._slave_address)
    switch_number = property(lambda self: self._switch_number)
    register_address_size = property(lambda self: self._register_address_size)
    endianness = property(lambda self: self._endianness)
    should_hold_bus = property(lambda self: self._should_hold_bus)


I2C_SLAVE_MIPI_AVDD = I2CSlave("MIPI_AVDD", 0, 0x40)
I2C_SLAVE_USB_AVDD_IO = I2CSlave("USB_AVDD_IO", 0, 0x41)
I2C_SLAVE_VDD_CORE = I2CSlave("VDD_CORE", 0, 0x42)
I2C_SLAVE_VDD_TOP = I2CSlave("VDD_TOP", 0, 0x43)
I2C_SLAVE_MIPI_AVDD_H = I2CSlave("MIPI_AVDD_H", 0, 0x44)
I2C_SLAVE_USB_AVDD_IO_HV = I2CSlave("USB_AVDD_IO_HV", 0, 0x45)
I2C_SLAVE_VDD_IO = I2CSlave("VDD_IO", 0, 0x46)
I2C_SLAVE_AVDD_H = I2CSlave("AVDD_H", 0, 0x47)
I2C_SLAVE_SDIO_VDD_IO = I2CSlave("SDIO_VDD_IO", 0, 0x4D)
I2C_SLAVE_M_DOT_2_OVERCURREN_PROTECTION = I2CSlave("M_DOT_2_OVERCURREN_PROTECTION", 0, 0x40)
I2C_SLAVE_I2S_CODEC = I2CSlave("I2S_codec", 1, 0x18, should_hold_bus=True)
I2C_SLAVE_I2C_TO_GPIO = I2CSlave("I2C_to_GPIO", 0, 0x22)
I2C_SLAVE_SWITCH = I2CSlave("I2C_SWITCH", 1, 0x70)
I2C_SLAVE_TEMP_SENSOR_0 = I2CSlave("TEMP_SENSOR_0", 0, 0x29)
I2C_SLAVE_TEMP_SENSOR_1 = I2CSlave("TEMP_SENSOR_1", 0, 0x2A)
I2C_SLAVE_EEPROM = I2CSlave("EEPROM", 0, 0x50, register_address_size=2, endianness=Endianness.BIG_ENDIAN)
I2C_SLAVE_RASPICAM = I2CSlave("RaspiCam", 1, 0x36, switch_number=1, register_address_size=2,
                              endianness=Endianness.BIG_ENDIAN)


def set_i2c_switch(control_object, slave, slave_switch=None):
    """Route the board's I2C switch to ``slave`` (None: I2C_SLAVE_SWITCH)."""
    switch = slave_switch or I2C_SLAVE_SWITCH
    control_object.i2c_write(switch, slave.switch_number, bytes([1 << slave.switch_number]))
