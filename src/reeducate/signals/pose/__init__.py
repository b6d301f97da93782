"""Pose from one camera: keypoint time series, their readers, the pose backends and person selection."""
