"""Spruce's space JSON, the one thing the TypeScript side reads from a Python problem: hyperparameters, starting points, conditions, forbidden clauses, defaults."""

from .errors import SpaceError


def space_json(space, starting_points):
    """The space and its starting points as Spruce's JSON; a SpaceError if a starting point is not a point of the space.

    starting_points: (point dict, (file, line) of the call that gave it or None) pairs.
    Keys that would be empty ("conditions", "forbidden", "defaults") are left out.
    """
    hyperparameters = space.get_hyperparameters()
    points = []
    for i, (point, where) in enumerate(starting_points):
        try:
            points.append(space.complete_point(point))
        except ValueError as e:
            raise SpaceError("starting point {}: {}".format(i + 1, e), STARTING_POINT_HINT, where=where)
    out = {
        "hyperparameters": [hp.to_json() for hp in hyperparameters],
        "startingPoints": points,
    }
    conditions = [{"child": c.child.name, "when": c.to_json()} for c in space.get_conditions()]
    if conditions:
        out["conditions"] = conditions
    forbidden = [clause.to_json() for clause in space.get_forbiddens()]
    if forbidden:
        out["forbidden"] = forbidden
    defaults = dict((hp.name, hp.default_value) for hp in hyperparameters if hp.default_given)
    if defaults:
        out["defaults"] = defaults
    return out


STARTING_POINT_HINT = (
    "give every active hyperparameter a value inside its range, no inactive one and no other name, "
    "and keep clear of the forbidden clauses"
)
