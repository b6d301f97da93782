"""Devices and files as streams of samples for the feedback engine: one small module per device."""
