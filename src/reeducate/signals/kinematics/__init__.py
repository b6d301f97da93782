"""2-D kinematics from a keypoint series: cleaning, joint angles, posture, range of motion, views."""
