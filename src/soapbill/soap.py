"""
SOAP notes: the therapist's report of a visit, and what was done.

A :class:`SoapNote` holds the four sections as structured data plus free
text, and the :class:`Treatment` s given (code, minutes, regions), from which
billable units are computed. A note is a draft until :meth:`SoapNote.sign`
returns a signed copy; the :class:`Signature` holds a SHA-256 digest of the
signed content, so any later change (an ``attrs.evolve``) shows: the copy is no
longer :attr:`~SoapNote.is_signed`. A signed note is amended only through
:meth:`SoapNote.amend`, which adds an :class:`Addendum` and leaves the signed
content and its digest intact.

Note text is patient data: it is redacted in every ``repr``.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import enum
import hashlib
import json
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any, ClassVar, Final

import attrs

from soapbill._arguments import check_date, check_instance, tuple_of
from soapbill._enums import Choice
from soapbill._fields import redact, rules
from soapbill._model import model
from soapbill.codes._base import CodeValue
from soapbill.codes.cpt import CptCode
from soapbill.codes.icd10 import DiagnosisCode
from soapbill.errors import SoapbillError, ValidationError
from soapbill.parties import Provider

__all__ = [
    "Addendum",
    "Adherence",
    "Assessment",
    "BodyRegion",
    "Frequency",
    "FunctionalMeasure",
    "HomeExercise",
    "Joint",
    "Level",
    "Lifestyle",
    "Movement",
    "NoteStateError",
    "Objective",
    "PainReport",
    "Plan",
    "RangeOfMotion",
    "Side",
    "Signature",
    "SoapNote",
    "Subjective",
    "TissueFinding",
    "Treatment",
    "minutes_by_code",
]

_TEXT = rules(max_len=10_000)
_SHORT = rules(max_len=200)

# Fields added after notes were first signed say so in their metadata: at
# their default they stay out of the signing digest, so that the digest of a
# note written before they existed (its signature) does not change.
_LATER: Final = "soapbill.added"


def _later(metadata: dict[str, object] | None = None) -> dict[str, object]:
    return {**(metadata or {}), _LATER: True}


class NoteStateError(SoapbillError):
    """
    An operation does not fit the note's state.

    Signing a signed note, or amending a draft, raises it.

    .. versionadded:: 0.1.0
    """


class Side(Choice):
    """
    Laterality.

    .. versionadded:: 0.1.0
    """

    LEFT = "left"
    RIGHT = "right"
    BOTH = "both"


class BodyRegion(Choice):
    """
    A body region, with laterality where it matters.

    .. versionadded:: 0.1.0
    """

    HEAD = "head"
    JAW_LEFT = "jaw_left"
    JAW_RIGHT = "jaw_right"
    NECK = "neck"
    UPPER_BACK = "upper_back"
    MID_BACK = "mid_back"
    LOWER_BACK = "lower_back"
    SACRUM = "sacrum"
    CHEST = "chest"
    ABDOMEN = "abdomen"
    SHOULDER_LEFT = "shoulder_left"
    SHOULDER_RIGHT = "shoulder_right"
    UPPER_ARM_LEFT = "upper_arm_left"
    UPPER_ARM_RIGHT = "upper_arm_right"
    ELBOW_LEFT = "elbow_left"
    ELBOW_RIGHT = "elbow_right"
    FOREARM_LEFT = "forearm_left"
    FOREARM_RIGHT = "forearm_right"
    HAND_LEFT = "hand_left"
    HAND_RIGHT = "hand_right"
    HIP_LEFT = "hip_left"
    HIP_RIGHT = "hip_right"
    GLUTEAL_LEFT = "gluteal_left"
    GLUTEAL_RIGHT = "gluteal_right"
    THIGH_LEFT = "thigh_left"
    THIGH_RIGHT = "thigh_right"
    KNEE_LEFT = "knee_left"
    KNEE_RIGHT = "knee_right"
    CALF_LEFT = "calf_left"
    CALF_RIGHT = "calf_right"
    FOOT_LEFT = "foot_left"
    FOOT_RIGHT = "foot_right"

    @property
    def side(self) -> Side | None:
        """
        The side of a lateral region, ``None`` for a midline one.
        """
        if self.value.endswith("_left"):
            return Side.LEFT
        if self.value.endswith("_right"):
            return Side.RIGHT
        return None


class Level(Choice):
    """
    A graded finding (tissue tension, for example).

    .. versionadded:: 0.1.0
    """

    NONE = "none"
    MILD = "mild"
    MODERATE = "moderate"
    SEVERE = "severe"


class Joint(Choice):
    """
    A joint (or spinal region) whose range of motion is measured.

    The side, where it matters, is the measure's ``side``.

    .. versionadded:: 0.2.0
    """

    CERVICAL_SPINE = "cervical_spine"
    THORACIC_SPINE = "thoracic_spine"
    LUMBAR_SPINE = "lumbar_spine"
    JAW = "jaw"
    SHOULDER = "shoulder"
    ELBOW = "elbow"
    WRIST = "wrist"
    HIP = "hip"
    KNEE = "knee"
    ANKLE = "ankle"


class Movement(Choice):
    """
    A movement of a joint, as goniometry names it.

    .. versionadded:: 0.2.0
    """

    FLEXION = "flexion"
    EXTENSION = "extension"
    LATERAL_FLEXION = "lateral_flexion"
    ROTATION = "rotation"
    ABDUCTION = "abduction"
    ADDUCTION = "adduction"
    INTERNAL_ROTATION = "internal_rotation"
    EXTERNAL_ROTATION = "external_rotation"
    OPENING = "opening"


class Adherence(Choice):
    """
    How well the patient kept to the home exercise program.

    .. versionadded:: 0.2.0
    """

    NONE = "none"
    PARTIAL = "partial"
    FULL = "full"


@model
class Frequency:
    """
    How often: visits per week for a number of weeks.

    .. versionadded:: 0.1.0
    """

    per_week: int = attrs.field(metadata=rules(ge=1, le=7))
    weeks: int = attrs.field(metadata=rules(ge=1, le=104))

    @property
    def visits(self) -> int:
        """
        The number of visits this frequency amounts to.
        """
        return self.per_week * self.weeks


@model
class PainReport:
    """
    Pain the patient reports in one region, 0 (none) to 10 (worst).

    .. versionadded:: 0.1.0
    """

    region: BodyRegion
    intensity: int = attrs.field(metadata=rules(ge=0, le=10))
    description: str | None = attrs.field(default=None, repr=redact, metadata=_SHORT)


@model
class Subjective:
    """
    What the patient reports.

    Attributes:
        chief_complaint: The main complaint, in the patient's words.
        pain: Pain reports by region.
        limitations: Loss of function ("cannot lift the child").
        goals: The patient's goals.
        text: Free text.
        exercise_adherence: How well the patient reports keeping to the home
            exercise program since the last visit.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0 ``exercise_adherence``.
    """

    chief_complaint: str = attrs.field(repr=redact, metadata=rules(max_len=1_000))
    pain: tuple[PainReport, ...] = ()
    limitations: tuple[str, ...] = attrs.field(default=(), repr=redact)
    goals: tuple[str, ...] = attrs.field(default=(), repr=redact)
    text: str | None = attrs.field(default=None, repr=redact, metadata=_TEXT)
    exercise_adherence: Adherence | None = attrs.field(default=None, metadata=_later())


@model
class Lifestyle:
    """
    Lifestyle factors the therapist notes.

    Attributes:
        diet: Diet, in words.
        stress: Stress level.
        sleep: Sleep quality, in words.

    .. versionadded:: 0.1.0
    """

    diet: str | None = attrs.field(default=None, repr=redact, metadata=_SHORT)
    stress: Level | None = None
    sleep: str | None = attrs.field(default=None, repr=redact, metadata=_SHORT)


@model
class FunctionalMeasure:
    """
    The score of a standard functional measure, on its scale.

    A scale is given by its two ends: ``worst`` and ``best`` (the Neck
    Disability Index runs from 50, worst, to 0; the Patient-Specific
    Functional Scale from 0, worst, to 10). The score lies between them.

    Attributes:
        name: The measure's name ("Neck Disability Index").
        score: The patient's score.
        worst: The worst score of the scale.
        best: The best score of the scale.

    .. versionadded:: 0.2.0
    """

    name: str = attrs.field(metadata=rules(max_len=100))
    score: int = attrs.field(metadata=rules(ge=-1000, le=1000))
    worst: int = attrs.field(metadata=rules(ge=-1000, le=1000))
    best: int = attrs.field(metadata=rules(ge=-1000, le=1000))

    def _check_fields(self) -> None:
        if self.worst == self.best:
            raise ValidationError.single("best", "not_allowed", "a scale has two different ends")
        if not min(self.worst, self.best) <= self.score <= max(self.worst, self.best):
            raise ValidationError.single("score", "out_of_range", "must lie on the scale")


@model
class Objective:
    """
    What the therapist observes.

    Attributes:
        posture: Posture findings ("forward head").
        gait: Gait deviations.
        raised_shoulder: Which shoulder is raised, if any.
        lifestyle: Lifestyle factors.
        text: Free text.
        functional: Scores of standard functional measures.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0 ``functional``.
    """

    posture: tuple[str, ...] = attrs.field(default=(), repr=redact)
    gait: tuple[str, ...] = attrs.field(default=(), repr=redact)
    raised_shoulder: Side | None = None
    lifestyle: Lifestyle | None = None
    text: str | None = attrs.field(default=None, repr=redact, metadata=_TEXT)
    functional: tuple[FunctionalMeasure, ...] = attrs.field(
        default=(), metadata=_later(rules(max_len=20))
    )


@model
class TissueFinding:
    """
    What the tissues of one region show.

    .. versionadded:: 0.1.0
    """

    region: BodyRegion
    tension: Level = Level.NONE
    inflammation: bool = False
    trigger_points: int = attrs.field(default=0, metadata=rules(ge=0, le=100))


@model
class RangeOfMotion:
    """
    Range of motion of one joint movement: full or limited, degrees optional.

    ``joint`` and ``movement`` are the therapist's words; ``joint_code``,
    ``movement_code`` and ``side`` code the same measure, so that visits can
    be compared (:func:`soapbill.care.progress_report`).

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0 ``joint_code``, ``movement_code`` and ``side``.
    """

    joint: str = attrs.field(repr=redact, metadata=rules(max_len=60))
    movement: str | None = attrs.field(default=None, repr=redact, metadata=rules(max_len=60))
    full: bool
    degrees: int | None = attrs.field(default=None, metadata=rules(ge=0, le=360))
    joint_code: Joint | None = attrs.field(default=None, metadata=_later())
    movement_code: Movement | None = attrs.field(default=None, metadata=_later())
    side: Side | None = attrs.field(default=None, metadata=_later())


@model
class Assessment:
    """
    What the therapist concludes.

    Attributes:
        tissue: Tissue findings per region.
        range_of_motion: Range of motion per joint.
        breathing: Breathing, in words.
        asymmetries: Asymmetries ("right hip higher").
        progress: Progress toward goals.
        text: Free text.

    .. versionadded:: 0.1.0
    """

    tissue: tuple[TissueFinding, ...] = ()
    range_of_motion: tuple[RangeOfMotion, ...] = ()
    breathing: str | None = attrs.field(default=None, repr=redact, metadata=_SHORT)
    asymmetries: tuple[str, ...] = attrs.field(default=(), repr=redact)
    progress: str | None = attrs.field(default=None, repr=redact, metadata=rules(max_len=1_000))
    text: str | None = attrs.field(default=None, repr=redact, metadata=_TEXT)


@model
class HomeExercise:
    """
    An exercise for the patient to do at home, with its dosage.

    .. versionadded:: 0.1.0
    """

    name: str = attrs.field(repr=redact, metadata=rules(max_len=100))
    dosage: str = attrs.field(repr=redact, metadata=rules(max_len=100))


@model
class Plan:
    """
    What comes next.

    Attributes:
        focus: Regions to focus on next session.
        muscle_groups: Muscle groups to focus on next session.
        home_exercises: Exercises with dosage.
        frequency: Recommended frequency of visits.
        next_visit: Date of the next visit, if booked.
        text: Free text.

    .. versionadded:: 0.1.0
    """

    focus: tuple[BodyRegion, ...] = attrs.field(default=(), metadata=rules(unique=True))
    muscle_groups: tuple[str, ...] = attrs.field(default=(), repr=redact)
    home_exercises: tuple[HomeExercise, ...] = ()
    frequency: Frequency | None = None
    next_visit: date | None = None
    text: str | None = attrs.field(default=None, repr=redact, metadata=_TEXT)


@model
class Treatment:
    """
    One procedure given in a visit: its code, minutes of direct time and regions.

    .. versionadded:: 0.1.0
    """

    code: CptCode
    minutes: int = attrs.field(metadata=rules(ge=1, le=24 * 60))
    regions: tuple[BodyRegion, ...] = attrs.field(default=(), metadata=rules(unique=True))


@model
class Signature:
    """
    Who signed a note, when, and the SHA-256 digest of what they signed.

    .. versionadded:: 0.1.0
    """

    signer: Provider
    signed_on: date
    digest: str = attrs.field(metadata=rules(pattern=r"[0-9a-f]{64}"))


@model
class Addendum:
    """
    A later addition to a signed note.

    .. versionadded:: 0.1.0
    """

    author: Provider
    written_on: date
    text: str = attrs.field(repr=redact, metadata=_TEXT)


def _plain(value: Any) -> Any:  # noqa: ANN401 - any model or value
    """
    Turn a model into plain JSON-able data, for the signing digest only.
    """
    if attrs.has(type(value)):
        return {
            a.name: _plain(getattr(value, a.name))
            for a in attrs.fields(type(value))
            if not (a.metadata.get(_LATER) and getattr(value, a.name) == a.default)
        }
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    if isinstance(value, CodeValue | enum.Enum):
        return str(value.value)
    if isinstance(value, date | Decimal):
        return str(value)
    return value


@model
class SoapNote:
    """
    The record of one visit.

    Attributes:
        id: The practice's identifier of the note.
        patient_id: The :attr:`Patient.id <soapbill.Patient.id>` it is about.
        provider: The therapist who treated.
        date_of_service: The date of the visit.
        diagnoses: ICD-10-CM codes addressed (0-12).
        subjective: What the patient reports.
        objective: What the therapist observes.
        assessment: What the therapist concludes.
        plan: What comes next.
        treatments: The procedures given, with minutes.
        signature: The signature, once signed.
        addenda: Additions after signing.

    .. versionadded:: 0.1.0
    """

    #: A top-level JSON document: it carries ``"format_version"``.
    __soapbill_document__: ClassVar[bool] = True

    id: str = attrs.field(metadata=rules(max_len=50))
    patient_id: str = attrs.field(metadata=rules(max_len=50))
    provider: Provider
    date_of_service: date
    diagnoses: tuple[DiagnosisCode, ...] = attrs.field(
        default=(), metadata=rules(max_len=12, unique=True)
    )
    subjective: Subjective
    objective: Objective = Objective()
    assessment: Assessment = Assessment()
    plan: Plan = Plan()
    treatments: tuple[Treatment, ...] = ()
    signature: Signature | None = None
    addenda: tuple[Addendum, ...] = ()

    def _check_fields(self) -> None:
        if self.addenda and self.signature is None:
            raise ValidationError.single("addenda", "not_allowed", "a draft note has no addenda")

    @property
    def content_digest(self) -> str:
        """
        The SHA-256 digest of the signed content.

        The content is every field but the signature and the addenda.
        """
        content = _plain(attrs.evolve(self, signature=None, addenda=()))
        text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
        return hashlib.sha256(text.encode("ascii")).hexdigest()

    @property
    def is_signed(self) -> bool:
        """
        Whether the note carries a signature that matches its content.
        """
        return self.signature is not None and self.signature.digest == self.content_digest

    @property
    def treatment_minutes(self) -> int:
        """
        Total minutes of all treatments, timed or not.

        Which minutes count toward billable units is for
        :func:`soapbill.billing.units.allocate_units` to say.
        """
        return sum(t.minutes for t in self.treatments)

    def sign(self, signer: Provider, at: date) -> SoapNote:
        """
        Return a signed copy of this draft.

        Raises:
            NoteStateError: The note already has a signature.
            ValidationError: *signer* is not a Provider, *at* is not a date,
                or *at* is before the date of service.
        """
        if self.signature is not None:
            raise NoteStateError("the note is already signed; amend it instead")
        check_instance(signer, Provider, "signer")
        check_date(at, "at")
        if at < self.date_of_service:
            raise ValidationError.single(
                "at", "before_service", "a note is signed on or after its date of service"
            )
        signature = Signature(signer=signer, signed_on=at, digest=self.content_digest)
        return attrs.evolve(self, signature=signature)

    def amend(self, addendum: Addendum) -> SoapNote:
        """
        Return a copy with *addendum* added; the signed content is unchanged.

        Raises:
            NoteStateError: The note is a draft, or its content no longer
                matches its signature.
            ValidationError: *addendum* is not an Addendum, or it is dated
                before the signature.
        """
        check_instance(addendum, Addendum, "addendum")
        if not self.is_signed:
            raise NoteStateError("only a signed note is amended; edit a draft directly")
        signed_on = self.signature.signed_on  # type: ignore[union-attr] # is_signed says so
        if addendum.written_on < signed_on:
            raise ValidationError.single(
                "addendum.written_on", "before_signature", "an addendum follows the signature"
            )
        return attrs.evolve(self, addenda=(*self.addenda, addendum))


def minutes_by_code(notes: Iterable[SoapNote]) -> dict[CptCode, int]:
    """
    The minutes of each procedure code over *notes*, summed.

    The notes of one date of service are combined per code before units are
    allocated: the total timed minutes of a date set its units (Pub 100-04
    Ch. 5 §20.2). :func:`soapbill.billing.build.build_claim`, the rule
    ``units.unsupported_by_note`` and :func:`soapbill.care.progress_report`
    count this way; pass the result to
    :func:`soapbill.billing.units.allocate_units`.

    Raises:
        ValidationError: *notes* is not an iterable of
            :class:`SoapNote`; the path names the item (``notes[2]``).

    .. versionadded:: 0.2.0
    """
    minutes: dict[CptCode, int] = {}
    for note in tuple_of(notes, SoapNote, "notes"):
        for treatment in note.treatments:
            minutes[treatment.code] = minutes.get(treatment.code, 0) + treatment.minutes
    return minutes
