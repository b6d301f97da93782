"""Gait stages: foot-sensor strides and events, zero-velocity trajectories, lower-back steps, bouts, video."""
