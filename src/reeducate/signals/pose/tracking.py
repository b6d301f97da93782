"""Follow one person through a clip: the patient, never a passer-by.

A backend gives, per frame, zero or more candidate skeletons. Candidates are linked frame to frame
into tracks while the body centre (mid-hip) moves no faster than a person can (``max_speed_torso_s``
torso lengths per second, plus a margin for the jitter of a detector). A jump beyond that starts a new
track: that is how a single-person tracker that silently switches to someone else shows up.

The patient's track is the one the therapist marks (a point in one frame), else the most visible one
(sum over its frames of the mean landmark visibility: long, well-seen tracks win). After a break the
patient is picked up again only by a later track reachable from where the patient was last seen at a
human speed, and only when exactly one such track is there: when in doubt, frames are left out
rather than given to someone else.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from reeducate.signals.pose.landmarks import INDEX, LANDMARKS

#: Fastest plausible movement of the body centre, in torso lengths per second (a sprint is about
#: 8 m/s, a torso about 0.5 m: 16 torso/s; 12 covers running and jumping patients in a clinic).
MAX_SPEED_TORSO_S = 12.0
#: Frame-to-frame allowance for detector jitter, in torso lengths.
JITTER_TORSO = 0.6
#: A track not matched for this long (s) is closed.
MAX_TRACK_GAP_S = 0.5
#: After a break, the patient is looked for again for this long (s); later, anyone could be anywhere.
MAX_REACQUIRE_S = 2.0

_HIPS = [INDEX["left_hip"], INDEX["right_hip"]]
_SHOULDERS = [INDEX["left_shoulder"], INDEX["right_shoulder"]]


@dataclass(frozen=True)
class Mark:
    """The therapist's pointer on the patient: a frame and an image point (pixels)."""

    frame: int
    x_px: float
    y_px: float


@dataclass(frozen=True)
class Selection:
    """The chosen person's landmarks and how they were chosen."""

    xy: np.ndarray           # (frames, 33, 2), NaN where the patient is not seen
    visibility: np.ndarray   # (frames, 33)
    n_tracks: int
    frames_of_others: int    # frames where someone was seen but was not the patient
    how: str
    xyz: np.ndarray | None = None  # (frames, 33, 3) when the candidates carry 3-D landmarks

    @property
    def warnings(self) -> tuple[str, ...]:
        """The sentence the result carries when someone else was in view."""
        if not self.frames_of_others:
            return ()
        return (f"{self.frames_of_others} frames showed someone other than the patient and were left out "
                f"(followed: {self.how}).",)


@dataclass
class _Track:
    frames: list[int]
    rows: list[np.ndarray]   # (33, 3) each: x, y, visibility
    torso: list[float]

    @property
    def last_centre(self) -> np.ndarray:
        return _centre(self.rows[-1])

    @property
    def torso_px(self) -> float:
        return float(np.median(self.torso[-15:]))

    @property
    def score(self) -> float:
        return float(sum(np.nanmean(r[:, 2]) for r in self.rows))


def _centre(row: np.ndarray) -> np.ndarray:
    return np.nanmean(row[_HIPS, :2], axis=0)


def _torso(row: np.ndarray) -> float:
    return float(np.hypot(*(np.nanmean(row[_SHOULDERS, :2], axis=0) - _centre(row))))


def _usable(row: np.ndarray) -> bool:
    return bool(np.all(np.isfinite(row[_HIPS + _SHOULDERS, :2])) and _torso(row) > 0)


def _reachable(track: _Track, row: np.ndarray, dt_s: float) -> bool:
    allowed = (MAX_SPEED_TORSO_S * dt_s + JITTER_TORSO) * track.torso_px
    return float(np.hypot(*(_centre(row) - track.last_centre))) <= allowed


def link_tracks(candidates: list[np.ndarray], time_s: np.ndarray) -> list[_Track]:
    """Greedy frame-to-frame association of candidates (nearest reachable centre first)."""
    open_tracks: list[_Track] = []
    closed: list[_Track] = []
    for f, people in enumerate(candidates):
        still_open: list[_Track] = []
        for track in open_tracks:
            (still_open if time_s[f] - time_s[track.frames[-1]] <= MAX_TRACK_GAP_S else closed).append(track)
        open_tracks = still_open
        rows = [p for p in people if _usable(p)]
        pairs = sorted(
            ((float(np.hypot(*(_centre(r) - t.last_centre))), ti, ri)
             for ti, t in enumerate(open_tracks) for ri, r in enumerate(rows)
             if _reachable(t, r, time_s[f] - time_s[t.frames[-1]])),
        )
        used_t: set[int] = set()
        used_r: set[int] = set()
        for _, ti, ri in pairs:
            if ti in used_t or ri in used_r:
                continue
            used_t.add(ti)
            used_r.add(ri)
            track = open_tracks[ti]
            track.frames.append(f)
            track.rows.append(rows[ri])
            track.torso.append(_torso(rows[ri]))
        for ri, row in enumerate(rows):
            if ri not in used_r:
                open_tracks.append(_Track([f], [row], [_torso(row)]))
    return sorted(closed + open_tracks, key=lambda t: t.frames[0])


def _marked(tracks: list[_Track], mark: Mark) -> _Track | None:
    best, best_d = None, np.inf
    for track in tracks:
        if mark.frame in track.frames:
            row = track.rows[track.frames.index(mark.frame)]
            d = float(np.nanmin(np.hypot(row[:, 0] - mark.x_px, row[:, 1] - mark.y_px)))
            if d < best_d:
                best, best_d = track, d
    return best


def _continuations(chosen: _Track, tracks: list[_Track], time_s: np.ndarray) -> list[_Track]:
    """Later tracks that continue the patient after a break (one unambiguous candidate at a time)."""
    chain = [chosen]
    while True:
        last = chain[-1]
        end = last.frames[-1]
        later = [t for t in tracks if t.frames[0] > end]
        if not later:
            return chain
        reachable = [t for t in later
                     if time_s[t.frames[0]] - time_s[end] <= MAX_REACQUIRE_S
                     and _reachable(last, t.rows[0], time_s[t.frames[0]] - time_s[end])]
        if not reachable:
            return chain
        earliest = min(t.frames[0] for t in reachable)
        contenders = [t for t in reachable if t.frames[0] == earliest]
        if len(contenders) != 1:
            return chain
        chain.append(contenders[0])


def select_person(candidates: list[np.ndarray], time_s: np.ndarray, mark: Mark | None = None) -> Selection:
    """One person's landmarks per frame from the per-frame candidates ((k, 33, 3) arrays, pixels: x, y,
    visibility; or (k, 33, 6) with the 3-D landmarks after them, which are carried along)."""
    n = len(candidates)
    xy = np.full((n, len(LANDMARKS), 2), np.nan)
    vis = np.full((n, len(LANDMARKS)), np.nan)
    xyz = np.full((n, len(LANDMARKS), 3), np.nan)
    tracks = link_tracks(candidates, np.asarray(time_s, dtype=float))
    if not tracks:
        return Selection(xy, vis, 0, 0, "nobody detected")
    chosen = _marked(tracks, mark) if mark is not None else None
    if mark is None:
        how = "the most visible person"
    elif chosen is None:
        how = f"nobody at the marked point in frame {mark.frame}; the most visible person was followed"
    else:
        how = f"the person marked in frame {mark.frame}"
    chosen = chosen or max(tracks, key=lambda t: t.score)
    # The patient is followed forwards from the chosen track and, by the same rule, backwards.
    chain = _continuations(chosen, tracks, time_s)
    reversed_chain = _continuations(_reverse(chosen, n), [_reverse(t, n) for t in tracks], time_s[::-1] * -1)
    kept: list[tuple[int, np.ndarray]] = []
    for track in chain:
        kept.extend(zip(track.frames, track.rows, strict=True))
    for track in reversed_chain[1:]:
        kept.extend(((n - 1 - f), row) for f, row in zip(track.frames, track.rows, strict=True))
    for f, row in kept:
        xy[f] = row[:, :2]
        vis[f] = row[:, 2]
        if row.shape[1] >= 6:
            xyz[f] = row[:, 3:6]
    seen = {f for t in tracks for f in t.frames}
    others = len(seen - {f for f, _ in kept})
    return Selection(xy, vis, len(tracks), others, how, xyz if np.isfinite(xyz).any() else None)


def _reverse(track: _Track, n: int) -> _Track:
    return _Track([n - 1 - f for f in reversed(track.frames)], list(reversed(track.rows)), list(reversed(track.torso)))
