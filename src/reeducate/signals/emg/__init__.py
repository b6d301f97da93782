"""Surface EMG, pure: readers, conditioning at the file's own rate, onsets and offsets, muscle timing."""

from reeducate.signals.emg.analysis import EmgResult, analyze_emg, trigger_times
from reeducate.signals.emg.onsets import METHODS, Burst, Detection, detect_bursts
from reeducate.signals.emg.readers import read_emg
from reeducate.signals.emg.recording import EmgRecording

__all__ = ["METHODS", "Burst", "Detection", "EmgRecording", "EmgResult", "analyze_emg", "detect_bursts", "read_emg",
           "trigger_times"]
