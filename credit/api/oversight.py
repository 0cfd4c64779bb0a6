"""GraphQL for oversight: expert draws, complaints, ratings and inspection plans.

Resolvers only translate and check that a purchaser or agency acts on its own procurement
(principal.organization against the project's parties); the rules live in credit.oversight."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import date
from typing import Any, ClassVar, TypeVar

import strawberry
from strawberry.types import Info

from credit.api import args
from credit.api.errors import bad_input
from credit.api.mirror import Differences, Mirror, mirror
from credit.api.types import ctx
from credit.domain import ids
from credit.domain.identifiers import validate_identity_number, validate_uscc
from credit.domain.records import ComplaintOutcome
from credit.oversight import service
from credit.oversight.deadlines import Deadline, Step, StepState, Unit
from credit.oversight.draws import DrawDocument

T = TypeVar("T")

strawberry.enum(ComplaintOutcome)
strawberry.enum(Step)
strawberry.enum(StepState)
strawberry.enum(Unit)


async def _call(fn: Callable[..., T], *args: Any) -> T:
    return await asyncio.to_thread(fn, *args)


async def _rated_project(
    info: Info, project_id: strawberry.ID, agency_may: bool
) -> tuple[str, str | None, str | None]:
    """The project a rating is about and its purchaser and agency, once the caller is known
    to be its purchaser (or its agency, where `agency_may`) or a supervisor."""
    project = ids.uid("project", str(project_id))
    c = ctx(info)
    purchaser, agency = await _call(service.project_parties, c.store, project)
    c.rows.require_own("projectId", purchaser, agency if agency_may else None)
    return project, purchaser, agency


async def _rate(
    info: Info,
    party: dict[str, str],
    subject: str,
    rater: str,
    project: str,
    score: int,
    rated_on: date,
    comment: str | None,
) -> Rating:
    """One rating through the normal intake (an Evaluation record), as the caller sees it."""
    uid = await _call(
        service.rate,
        ctx(info).intake,
        party,
        subject,
        rater,
        ids.key("project", project),
        _score(score),
        rated_on,
        comment,
    )
    return Rating(
        id=strawberry.ID(uid),
        subject_id=strawberry.ID(subject),
        project_id=strawberry.ID(project),
        score=score,
        rated_on=rated_on,
    )


# --- expert draws ------------------------------------------------------------------------------


@strawberry.type(description="An expert left out of a draw, with the reason and its legal basis.")
class DrawExclusion(Mirror):
    person_id: strawberry.ID
    code: str
    legal_basis: str
    detail: str | None  # why (kinship, employment): for supervisors only
    refs: list[strawberry.ID]

    differences: ClassVar[Differences] = {"person_id": "person"}


@strawberry.type(
    description="A verifiable expert draw. Until it is drawn only the seed's SHA-256 is shown; "
    "then the seed, pool, exclusions and panel, and `document` to check with `credit draw verify`."
)
class ExpertDraw:
    id: strawberry.ID
    lot_id: strawberry.ID
    specialties: list[str]
    size: int
    seed_hash: str
    status: str
    as_of: date | None
    seed: str | None
    pool: list[strawberry.ID]
    exclusions: list[DrawExclusion]
    panel: list[strawberry.ID]
    declined: list[strawberry.ID]
    withdrawals: list[DrawExclusion] = strawberry.field(
        description="Members withdrawn at the start of the review (Regs Art. 9 against the "
        "actual bidders), each replaced by the next in the ranking"
    )
    review_as_of: date | None
    document: str | None

    @staticmethod
    def of(state: service.DrawState) -> ExpertDraw:
        doc = state.document
        return mirror(ExpertDraw, state, lot_id=state.lot, **(_drawn(doc) if doc else _UNDRAWN))


# Committed, not drawn yet: only the seed's hash is shown.
_UNDRAWN: dict[str, Any] = {
    **dict.fromkeys(("as_of", "seed", "review_as_of", "document")),
    **{name: () for name in ("pool", "exclusions", "panel", "declined", "withdrawals")},
}


def _drawn(doc: DrawDocument) -> dict[str, Any]:
    review = doc.review_as_of
    return {
        "as_of": date.fromisoformat(doc.as_of),
        "seed": doc.seed,
        "pool": list(doc.pool),
        "exclusions": [DrawExclusion.of(e) for e in doc.exclusions],
        "panel": list(doc.panel),
        "declined": list(doc.declined),
        "withdrawals": [DrawExclusion.of(e) for e in doc.withdrawals],
        "review_as_of": date.fromisoformat(review) if review else None,
        "document": doc.to_json(),
    }


async def _draw_for_caller(info: Info, draw_id: str) -> service.DrawState:
    c = ctx(info)
    state = await _call(service.get_draw, c.store, draw_id)
    parties = await _call(service.lot_parties, c.store, state.lot)
    c.rows.require_own("drawId", parties.purchaser_uscc, parties.agency_uscc)
    return state


async def _draw_step(info: Info, draw_id: strawberry.ID, step: Any, *args: Any) -> ExpertDraw:
    """A step of a draw the caller runs (supervisors: any), answered with the draw after it."""
    store = ctx(info).store
    await _draw_for_caller(info, str(draw_id))
    return ExpertDraw.of(await _call(step, store, str(draw_id), *args))


# --- complaints ------------------------------------------------------------------------------


@strawberry.type(
    description="One statutory step of a challenge or complaint (MOF Order No. 94): due on the "
    "last day of its period (start day not counted); done on the due day is on time."
)
class ComplaintDeadline:
    step: Step
    days: int
    unit: Unit
    counted_from: str
    done_when: str
    article: str
    text: str
    legal_text_ids: list[str]
    starts: date | None
    due: date | None
    done_on: date | None
    state: StepState

    @staticmethod
    def of(d: Deadline) -> ComplaintDeadline:
        """The rule's fields, then the dates of this complaint."""
        return mirror(
            ComplaintDeadline,
            d.rule,
            legal_text_ids=list(d.rule.text_ids),
            starts=d.starts,
            due=d.due,
            done_on=d.done_on,
            state=d.state,
        )


@strawberry.type
class ComplaintCase(Mirror):
    id: strawberry.ID
    complainant_uscc: str
    lot_id: strawberry.ID
    filed_on: date
    grounds: str
    outcome: ComplaintOutcome
    decided_on: date | None
    deadlines: list[ComplaintDeadline]
    overdue: bool

    differences: ClassVar[Differences] = {
        "id": "uid",
        "complainant_uscc": "complainant",
        "lot_id": "lot",
        "deadlines": lambda s: [ComplaintDeadline.of(d) for d in s.deadlines],
        "overdue": lambda s: any(d.state is StepState.OVERDUE for d in s.deadlines),
    }


@strawberry.input(description="Procedural dates of a complaint; omitted ones stay as they are.")
class ComplaintStepsInput:
    rights_known_on: date | None = strawberry.field(
        default=None,
        description="Arts. 10-11: the day the supplier knew or should have known of the harm "
        "(for the documents: obtained, or their announcement period ended)",
    )
    challenge_sent_on: date | None = strawberry.field(
        default=None, description="Art. 42: the day the challenge was sent (posted)"
    )
    challenge_received_on: date | None = None
    challenge_replied_on: date | None = None
    complaint_sent_on: date | None = strawberry.field(
        default=None, description="Art. 42: the day the complaint was sent (posted)"
    )
    accepted_on: date | None = strawberry.field(
        default=None, description="Art. 21: the day the review of the complaint concluded"
    )
    notice_sent_on: date | None = strawberry.field(
        default=None, description="Art. 21(4): notice to reply and complaint copy sent"
    )
    notice_received_on: date | None = strawberry.field(
        default=None, description="Art. 22: the day the respondent received them"
    )
    respondent_replied_on: date | None = None
    suspended_working_days: int | None = strawberry.field(
        default=None,
        description="Art. 27: working days of testing, appraisal, expert review or corrections, "
        "not counted in the decision period",
    )
    procurement_suspended_on: date | None = strawberry.field(
        default=None, description="Art. 28: the day the purchaser received the suspension notice"
    )
    procurement_resumed_on: date | None = None


@strawberry.input
class ComplaintInput:
    id: str
    complainant_uscc: str
    lot_id: str
    filed_on: date = strawberry.field(description="the day the finance department received it")
    grounds: str
    steps: ComplaintStepsInput | None = None


# --- ratings and inspections -----------------------------------------------------------------


@strawberry.type(description="A post-project rating, stored as an evaluation credit record.")
class Rating:
    id: strawberry.ID
    subject_id: strawberry.ID
    project_id: strawberry.ID
    score: int
    rated_on: date


@strawberry.type
class InspectionTarget(Mirror):
    inspection_id: strawberry.ID
    name: str
    uscc: str | None
    kind: str
    weight: str
    forced: bool
    inspectors: list[strawberry.ID]
    status: str
    result: str | None
    findings: str | None
    completed_on: date | None

    differences: ClassVar[Differences] = {
        "name": lambda t: t.subject.name,
        "uscc": lambda t: t.subject.uscc,
    }


@strawberry.type(description='A "double random, one public" plan, reproducible from its seed.')
class InspectionPlan(Mirror):
    id: strawberry.ID
    as_of: date
    seed: str
    algorithm: str
    targets: list[InspectionTarget]

    differences: ClassVar[Differences] = {
        "id": "plan_id",
        "targets": lambda r: [InspectionTarget.of(t) for t in r.targets],
    }


def _score(score: int) -> int:
    if not 0 <= score <= 100:
        raise bad_input("score", "range", "a rating is 0 to 100")
    return score


# --- roots -----------------------------------------------------------------------------------


@strawberry.type
class OversightQuery:
    @strawberry.field(description="An expert draw of a lot the caller runs (supervisors: any).")
    async def expert_draw(self, info: Info, id: strawberry.ID) -> ExpertDraw:
        return ExpertDraw.of(await _draw_for_caller(info, str(id)))

    @strawberry.field(description="A complaint with what is due when under MOF Order No. 94.")
    async def complaint(
        self, info: Info, id: strawberry.ID, as_of: date | None = None
    ) -> ComplaintCase:
        uid = ids.uid("complaint", str(id))
        status = await _call(service.complaint_status, ctx(info).store, uid, as_of or date.today())
        return ComplaintCase.of(status)

    @strawberry.field(description="Undecided complaints with their deadlines; overdue first.")
    async def open_complaints(
        self, info: Info, as_of: date | None = None, first: int = 50
    ) -> list[ComplaintCase]:
        c = ctx(info)
        found = await _call(
            service.open_complaints, c.store, as_of or date.today(), min(first, c.max_page_size)
        )
        cases = [ComplaintCase.of(s) for s in found]
        return sorted(cases, key=lambda x: not x.overdue)

    @strawberry.field
    async def inspection_plan(self, info: Info, id: strawberry.ID) -> InspectionPlan:
        return InspectionPlan.of(await _call(service.plan_record, ctx(info).store, str(id)))


@strawberry.type
class OversightMutation:
    @strawberry.mutation(
        description="Commit to an expert draw for a lot: stores the request and publishes the "
        "SHA-256 of a secret seed, revealed only by drawPanel."
    )
    async def commit_draw(
        self, info: Info, lot_id: strawberry.ID, specialties: list[str], size: int
    ) -> ExpertDraw:
        c = ctx(info)
        lot = ids.uid("lot", str(lot_id))
        parties = await _call(service.lot_parties, c.store, lot)
        c.rows.require_own("lotId", parties.purchaser_uscc, parties.agency_uscc)
        state = await _call(service.commit_draw, c.store, lot, specialties, size, c.caller.subject)
        return ExpertDraw.of(state)

    @strawberry.mutation(
        description="Draw the panel: excludes conflicted experts (Regs Art. 9, review bans, own "
        "unit), records pool and exclusions, reveals the seed."
    )
    async def draw_panel(
        self, info: Info, draw_id: strawberry.ID, as_of: date | None = None
    ) -> ExpertDraw:
        day = as_of or date.today()
        return await _draw_step(info, draw_id, service.reveal_draw, day, ctx(info).caller.subject)

    @strawberry.mutation(
        description="Start the review: checks every drawn expert again against the lot's actual "
        "bidders (Regs Art. 9, review bans, bad-behaviour records); who must withdraw is "
        "recorded with the reason and replaced by the next in the ranking."
    )
    async def start_review(
        self, info: Info, draw_id: strawberry.ID, as_of: date | None = None
    ) -> ExpertDraw:
        day = as_of or date.today()
        return await _draw_step(info, draw_id, service.start_review, day, ctx(info).caller.subject)

    @strawberry.mutation(description="An expert declined: the next in the same ranking replaces.")
    async def replace_drawn_expert(
        self, info: Info, draw_id: strawberry.ID, expert_id: strawberry.ID
    ) -> ExpertDraw:
        return await _draw_step(info, draw_id, service.replace_member, str(expert_id))

    @strawberry.mutation(description="Record a supplier's complaint about a lot.")
    async def record_complaint(self, info: Info, input: ComplaintInput) -> ComplaintCase:
        c = ctx(info)
        record = {
            "id": input.id,
            "complainant": input.complainant_uscc,
            "lot": ids.key("lot", input.lot_id),
            "filed_on": input.filed_on.isoformat(),
            "grounds": input.grounds,
        }
        steps = vars(input.steps) if input.steps else {}
        uid = await _call(service.record_complaint, ctx(info).intake, c.store, record, steps)
        return ComplaintCase.of(await _call(service.complaint_status, c.store, uid, input.filed_on))

    @strawberry.mutation(description="Record procedural dates of a complaint.")
    async def update_complaint_steps(
        self, info: Info, id: strawberry.ID, steps: ComplaintStepsInput, as_of: date | None = None
    ) -> ComplaintCase:
        c = ctx(info)
        uid = ids.uid("complaint", str(id))
        await _call(service.complaint_status, c.store, uid, date.today())
        await _call(service.update_steps, c.store, uid, vars(steps))
        status = await _call(service.complaint_status, c.store, uid, as_of or date.today())
        return ComplaintCase.of(status)

    @strawberry.mutation(
        description="Decide a complaint; the outcome feeds the complainant's credit per policy."
    )
    async def decide_complaint(
        self, info: Info, id: strawberry.ID, outcome: ComplaintOutcome, decided_on: date
    ) -> ComplaintCase:
        uid = ids.uid("complaint", str(id))
        status = await _call(
            service.decide_complaint, ctx(info).intake, ctx(info).store, uid, outcome, decided_on
        )
        return ComplaintCase.of(status)

    @strawberry.mutation(description="The purchaser rates the agency that ran its project.")
    async def rate_agency(
        self,
        info: Info,
        project_id: strawberry.ID,
        score: int,
        rated_on: date,
        comment: str | None = None,
    ) -> Rating:
        project, purchaser, agency = await _rated_project(info, project_id, agency_may=False)
        if agency is None or purchaser is None:
            raise bad_input("projectId", "no_agency", "the project was not run by an agency")
        return await _rate(
            info, {"org": agency}, f"org:{agency}", purchaser, project, score, rated_on, comment
        )

    @strawberry.mutation(
        description="The purchaser or agency rates an expert who reviewed a lot of its project."
    )
    async def rate_expert(
        self,
        info: Info,
        project_id: strawberry.ID,
        expert_id_number: str,
        score: int,
        rated_on: date,
        comment: str | None = None,
    ) -> Rating:
        c = ctx(info)
        project, purchaser, agency = await _rated_project(info, project_id, agency_may=True)
        id_number = args.checked(validate_identity_number, "expertIdNumber", expert_id_number)
        subject = c.mapper.person_uid_for(id_number)
        if not await _call(service.expert_reviewed, c.store, subject, project):
            raise bad_input("expertIdNumber", "not_a_reviewer", "no review of this project")
        rater = args.checked(validate_uscc, "rater", c.rows.unit or agency or purchaser or "")
        return await _rate(
            info, {"person": id_number}, subject, rater, project, score, rated_on, comment
        )

    @strawberry.mutation(
        description="Draw and publish a double-random inspection plan with these inspectors."
    )
    async def create_inspection_plan(
        self, info: Info, inspector_ids: list[strawberry.ID], as_of: date | None = None
    ) -> InspectionPlan:
        c = ctx(info)
        if not inspector_ids:
            raise bad_input("inspectorIds", "min_items", "name the inspectors to draw from")
        record = await _call(
            service.create_plan,
            c.store,
            as_of or date.today(),
            [str(i) for i in inspector_ids],
            c.plan_rules,
            c.caller.subject,
        )
        return InspectionPlan.of(record)

    @strawberry.mutation(description="Record and publish the result of a planned inspection.")
    async def record_inspection_result(
        self,
        info: Info,
        inspection_id: strawberry.ID,
        result: str,
        completed_on: date,
        findings: str | None = None,
    ) -> InspectionPlan:
        c = ctx(info)
        record = await _call(
            service.record_result,
            c.store,
            str(inspection_id),
            result,
            findings,
            completed_on,
            c.caller.subject,
        )
        return InspectionPlan.of(record)
