"""The library Reeducate ships: every `library/*.yaml`, validated once, cross-checked, looked up by id.

Each tag in ``addresses`` is an :class:`~reeducate.training.impairments.Impairment` (the schema refuses
an unknown one, naming the allowed values), and an exercise addresses nothing its technique does not."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml
from pydantic import ValidationError

from reeducate.training.models import Exercise, LibraryFile, Technique


class UnknownExercise(KeyError):
    """An exercise id the library does not have; the message lists the ids there are."""

    def __str__(self) -> str:
        return str(self.args[0])


@dataclass(frozen=True)
class Library:
    techniques: dict[str, Technique]
    exercises: dict[str, Exercise]


def _check(library: Library) -> None:
    for ex in library.exercises.values():
        if ex.technique not in library.techniques:
            raise ValueError(f"{ex.id}: unknown technique {ex.technique!r}")
        beyond = set(ex.addresses) - set(library.techniques[ex.technique].addresses)
        if beyond:
            raise ValueError(f"{ex.id} addresses {', '.join(sorted(beyond))}, which its technique {ex.technique!r} "
                             "does not list: add them to the technique's addresses (it retrains what its exercises do)")
        for other in (*ex.progressions, *ex.regressions):
            if other not in library.exercises:
                raise ValueError(f"{ex.id}: progression or regression {other!r} is not in the library")
            if other == ex.id:
                raise ValueError(f"{ex.id} cannot progress or regress to itself")


@cache
def library() -> Library:
    """All shipped techniques and exercises, in the order their files list them."""
    folder = resources.files("reeducate.training") / "library"
    techniques: dict[str, Technique] = {}
    exercises: dict[str, Exercise] = {}
    for path in sorted(folder.iterdir(), key=lambda p: p.name):
        if not path.name.endswith(".yaml"):
            continue
        try:
            part = LibraryFile.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
        except (ValidationError, yaml.YAMLError) as error:
            raise ValueError(f"training/library/{path.name} is not valid:\n{error}") from None
        for technique in part.techniques:
            if technique.id in techniques:
                raise ValueError(f"{path.name}: technique {technique.id!r} is defined twice")
            techniques[technique.id] = technique
        for exercise in part.exercises:
            if exercise.id in exercises:
                raise ValueError(f"{path.name}: exercise {exercise.id!r} is defined twice")
            exercises[exercise.id] = exercise
    found = Library(techniques, exercises)
    _check(found)
    return found


def exercise(exercise_id: str) -> Exercise:
    """The exercise with this id, or an error listing the ids there are."""
    try:
        return library().exercises[exercise_id]
    except KeyError:
        raise UnknownExercise(f"No exercise {exercise_id!r}. Known exercises: "
                              f"{', '.join(library().exercises)}.") from None
