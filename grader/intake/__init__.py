"""Reading what students hand in, as learning management systems export it."""
