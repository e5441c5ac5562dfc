"""The errors a problem file can meet (a definition Spruce cannot take, a ConfigSpace name Spruce does not offer) and the helpers that place and raise them."""

import os
import sys

# Frames from files under this folder are Spruce's, not the user's.
_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep


class SpaceError(ValueError):
    """A hyperparameter, condition, forbidden clause or starting point Spruce cannot take.

    The message is one line naming the hyperparameter and the field; ``hint`` says how to fix it;
    ``where`` is the (file, line) of the user's call that made the definition, when the error is
    found later than that call (a starting point checked once the whole space is known).
    """

    def __init__(self, message, hint=None, where=None):
        super().__init__(message)
        self.hint = hint
        self.where = where


class NotOfferedError(ImportError):
    """A part of ConfigSpace (or of DeepHyper's problem API) that Spruce does not offer.

    An ImportError, so that ``from spruce_hps.config_space import X`` keeps its message (Python
    replaces an AttributeError raised there by a generic one) and so that problem files that try
    a ConfigSpace feature inside ``try: ... except ImportError:`` take their fallback.
    """

    def __init__(self, message, hint=None):
        super().__init__(message)
        self.hint = hint


class NotOfferedAttributeError(AttributeError):
    """A method of ConfigSpace's ConfigurationSpace or DeepHyper's HpProblem that Spruce does not
    offer: an AttributeError (hasattr() and getattr(x, name, default) keep working) with a hint."""

    def __init__(self, message, hint=None):
        super().__init__(message)
        self.hint = hint


def caller_location():
    """(file, line) of the innermost frame outside this package: the user's call."""
    frame = sys._getframe(1)
    while frame is not None:
        filename = frame.f_code.co_filename
        if not os.path.abspath(filename).startswith(_PACKAGE_DIR) and not filename.startswith("<"):
            return (filename, frame.f_lineno)
        frame = frame.f_back
    return None


# ConfigSpace's public names (0.4 to 1.2, its package and its hyperparameters, conditions and
# forbidden modules): a name outside this list is a typo rather than a feature Spruce lacks.
CONFIGSPACE_NAMES = frozenset(
    """
    ActiveHyperparameterNotSetError AmbiguousConditionError AndConjunction Beta BetaFloatHyperparameter
    BetaIntegerHyperparameter Categorical CategoricalHyperparameter ChildNotFoundError Configuration
    ConfigurationSpace Constant CyclicDependancyError Distribution EqualsCondition Float
    FloatHyperparameter ForbiddenAndConjunction ForbiddenClause ForbiddenConjunction
    ForbiddenEqualsClause ForbiddenEqualsRelation ForbiddenGreaterThanClause
    ForbiddenGreaterThanEqualsClause ForbiddenGreaterThanEqualsRelation ForbiddenGreaterThanRelation
    ForbiddenInClause ForbiddenLessThanClause ForbiddenLessThanEqualsClause
    ForbiddenLessThanEqualsRelation ForbiddenLessThanRelation ForbiddenOrConjunction
    ForbiddenRelation ForbiddenValueError GreaterThanCondition Hyperparameter
    HyperparameterAlreadyExistsError HyperparameterIndexError HyperparameterNotFoundError
    IllegalValueError InCondition InactiveHyperparameterSetError Integer IntegerHyperparameter
    LessThanCondition Normal NormalFloatHyperparameter NormalIntegerHyperparameter NotEqualsCondition
    NumericalHyperparameter OrConjunction OrdinalHyperparameter ParentNotFoundError Uniform
    UniformFloatHyperparameter UniformIntegerHyperparameter UnParametrizedHyperparameter
    Condition ConditionComponent Conjunction AbstractCondition AbstractConjunction
    AbstractForbiddenComponent AbstractForbiddenClause AbstractForbiddenConjunction
    distributions types util read_and_write functional exceptions configuration_space
    hyperparameters conditions forbidden api c_util
    """.split()
)


def not_offered_getattr(module_name, offered, hints=None, origin="ConfigSpace"):
    """A module ``__getattr__`` that names what was asked for and says Spruce does not offer it
    (or, for a name ConfigSpace does not have either, that it is no name of either)."""
    hints = hints or {}

    def __getattr__(name):
        # Dunder and private names are probes by Python's own machinery (copy, pickle, doctest):
        # they must get the AttributeError those probes expect.
        if name.startswith("_"):
            raise AttributeError("module {!r} has no attribute {!r}".format(module_name, name))
        listed = "Spruce offers: " + ", ".join(sorted(offered))
        if origin == "ConfigSpace" and name not in CONFIGSPACE_NAMES:
            raise NotOfferedError(
                "{} has no {} (nor has ConfigSpace)".format(module_name, name), "check the spelling; " + listed
            )
        raise NotOfferedError(
            "{}'s {} is not offered by Spruce ({} has no {})".format(origin, name, module_name, name),
            hints.get(name, listed),
        )

    return __getattr__
