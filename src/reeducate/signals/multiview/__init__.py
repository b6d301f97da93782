"""Two or more calibrated cameras: 3-D landmarks and joint angles (docs/movement.md, "Two or more cameras").

The stages, one module each: calibration.py (cameras from Pose2Sim's TOML or Qualisys' .qca.txt),
synchronise.py (frame offsets from the movement), triangulate.py (weighted DLT, views that disagree
dropped, swapped sides put back, then the single-camera cleaning), angles3d.py (the single-camera angle
names measured in the body's planes) and analysis.py (``analyze_multiview``, the everyday entry point,
whose result has the single-camera JSON).
"""
