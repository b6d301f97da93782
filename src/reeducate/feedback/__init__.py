"""Real-time biofeedback: a streaming engine that turns samples into events (repetitions, holds,
faults with their cues) and stops on a pain report. Pure: no database, no web."""
