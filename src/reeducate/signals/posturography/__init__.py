"""The posturography engine's stages: preprocessing, and the four domains of COP descriptors."""
