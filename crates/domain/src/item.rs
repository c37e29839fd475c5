//! The supervised item — a task of a task book or a rectification item of a ledger — and its
//! lifecycle (DOMAIN.md): draft → assigned → in progress → close-out requested → under review →
//! closed (销号) → re-check passed, or reopened; returned as not ours → reassigned; sent back;
//! extensions; suspend/resume; withdraw. Who may take each step is part of the rule. Nothing is
//! ever deleted: a transition only moves the item and is recorded by the caller.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Task (任务) or rectification item (整改事项): one lifecycle, two kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    Task,
    Rectification,
}

/// 立行立改 immediate, 限期 time-limited, 长期 long-term.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemType {
    Immediate,
    TimeLimited,
    LongTerm,
}

/// Where a problem or task came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    Research,
    SelfExamination,
    Inspection,
    PublicFeedback,
    SuperiorInstruction,
}

macro_rules! names {
    ($t:ty { $($v:ident = $s:literal),* $(,)? }) => {
        impl $t {
            pub const ALL: &'static [$t] = &[$(<$t>::$v),*];
            pub fn as_str(self) -> &'static str {
                match self { $(<$t>::$v => $s),* }
            }
            pub fn parse(s: &str) -> Option<$t> {
                match s.trim() { $($s => Some(<$t>::$v),)* _ => None }
            }
        }
    };
}

names!(ItemKind { Task = "task", Rectification = "rectification" });
names!(ItemType { Immediate = "immediate", TimeLimited = "time_limited", LongTerm = "long_term" });
names!(Source {
    Research = "research",
    SelfExamination = "self_examination",
    Inspection = "inspection",
    PublicFeedback = "public_feedback",
    SuperiorInstruction = "superior_instruction",
});

/// Where an item stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Draft,
    /// Awaiting sign-off by the responsible unit.
    Assigned,
    /// Returned by the unit as not its responsibility; awaiting reassignment.
    Returned,
    InProgress,
    CloseOutRequested,
    UnderReview,
    /// 销号: verified and closed.
    Closed,
    /// The effectiveness re-check (回头看) passed.
    Verified,
    Suspended,
    Withdrawn,
}

names!(Status {
    Draft = "draft",
    Assigned = "assigned",
    Returned = "returned",
    InProgress = "in_progress",
    CloseOutRequested = "close_out_requested",
    UnderReview = "under_review",
    Closed = "closed",
    Verified = "verified",
    Suspended = "suspended",
    Withdrawn = "withdrawn",
});

impl Status {
    /// Still to be delivered: counts for deadlines and lights.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            Status::Assigned
                | Status::Returned
                | Status::InProgress
                | Status::CloseOutRequested
                | Status::UnderReview
        )
    }
    /// Done (closed, possibly re-checked).
    pub fn is_done(self) -> bool {
        matches!(self, Status::Closed | Status::Verified)
    }
    /// Counted nowhere: not yet issued, paused, or withdrawn.
    pub fn is_out_of_play(self) -> bool {
        matches!(self, Status::Draft | Status::Suspended | Status::Withdrawn)
    }
}

/// The actor's relation to the item, worked out by the caller from roles and the tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Standing {
    /// Acts for the responsible unit (a liaison or responsible person inside it).
    pub responsible_unit: bool,
    /// Is the responsible person named on the item.
    pub responsible_person: bool,
    /// Supervises the responsible unit (campaign office or supervisor at or above it).
    pub supervisor: bool,
}

/// A step someone asks for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Action {
    Assign,
    SignOff,
    ReturnNotOurs {
        reason: String,
    },
    Reassign,
    /// 申请销号, with the unit's statement of what was done.
    RequestCloseOut {
        #[serde(default)]
        statement: String,
    },
    StartReview,
    /// 审核通过并销号, with the reviewer's opinion.
    Close {
        #[serde(default)]
        opinion: String,
    },
    SendBack {
        reason: String,
    },
    PassRecheck,
    Reopen {
        reason: String,
    },
    RequestExtension {
        new_due_on: NaiveDate,
        reason: String,
    },
    ApproveExtension,
    RejectExtension {
        reason: String,
    },
    Suspend {
        reason: String,
    },
    Resume,
    Withdraw {
        reason: String,
    },
}

/// Why a step could not be read from its name and fields: the field at fault and its code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ActionFieldError {
    pub field: &'static str,
    pub code: &'static str,
}

impl Action {
    /// The step named `name` (as [`Action::name`] gives it), with the reason and the new
    /// deadline a form or a request carries (each used only by the steps that take it).
    pub fn from_parts(
        name: &str,
        reason: &str,
        new_due_on: Result<Option<NaiveDate>, &'static str>,
    ) -> Result<Action, ActionFieldError> {
        let r = reason.to_owned();
        Ok(match name.trim() {
            "assign" => Action::Assign,
            "sign_off" => Action::SignOff,
            "return_not_ours" => Action::ReturnNotOurs { reason: r },
            "reassign" => Action::Reassign,
            "request_close_out" => Action::RequestCloseOut { statement: r },
            "start_review" => Action::StartReview,
            "close" => Action::Close { opinion: r },
            "send_back" => Action::SendBack { reason: r },
            "pass_recheck" => Action::PassRecheck,
            "reopen" => Action::Reopen { reason: r },
            "request_extension" => match new_due_on {
                Ok(Some(d)) => Action::RequestExtension {
                    new_due_on: d,
                    reason: r,
                },
                Ok(None) => {
                    return Err(ActionFieldError {
                        field: "new_due_on",
                        code: "required",
                    })
                }
                Err(code) => {
                    return Err(ActionFieldError {
                        field: "new_due_on",
                        code,
                    })
                }
            },
            "approve_extension" => Action::ApproveExtension,
            "reject_extension" => Action::RejectExtension { reason: r },
            "suspend" => Action::Suspend { reason: r },
            "resume" => Action::Resume,
            "withdraw" => Action::Withdraw { reason: r },
            _ => {
                return Err(ActionFieldError {
                    field: "action",
                    code: "unknown_value",
                })
            }
        })
    }

    pub fn name(&self) -> &'static str {
        match self {
            Action::Assign => "assign",
            Action::SignOff => "sign_off",
            Action::ReturnNotOurs { .. } => "return_not_ours",
            Action::Reassign => "reassign",
            Action::RequestCloseOut { .. } => "request_close_out",
            Action::StartReview => "start_review",
            Action::Close { .. } => "close",
            Action::SendBack { .. } => "send_back",
            Action::PassRecheck => "pass_recheck",
            Action::Reopen { .. } => "reopen",
            Action::RequestExtension { .. } => "request_extension",
            Action::ApproveExtension => "approve_extension",
            Action::RejectExtension { .. } => "reject_extension",
            Action::Suspend { .. } => "suspend",
            Action::Resume => "resume",
            Action::Withdraw { .. } => "withdraw",
        }
    }

    fn reason(&self) -> Option<&str> {
        match self {
            Action::ReturnNotOurs { reason }
            | Action::SendBack { reason }
            | Action::Reopen { reason }
            | Action::RequestExtension { reason, .. }
            | Action::RejectExtension { reason }
            | Action::Suspend { reason }
            | Action::Withdraw { reason } => Some(reason),
            _ => None,
        }
    }
}

/// What the lifecycle needs to know about an item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemState {
    pub status: Status,
    /// The status to resume to, while suspended.
    pub suspended_from: Option<Status>,
    /// The deadline as first set; never overwritten.
    pub original_due_on: NaiveDate,
    /// The deadline in force (after approved extensions).
    pub due_on: NaiveDate,
    /// A pending extension request, if any.
    pub pending_extension: Option<NaiveDate>,
    pub has_responsible_person: bool,
    pub evidence_count: u32,
    pub closed_on: Option<NaiveDate>,
    /// Earliest date of the effectiveness re-check, set at close-out.
    pub recheck_due_on: Option<NaiveDate>,
    pub reopen_count: u32,
}

impl ItemState {
    /// A new draft due on `due_on`.
    pub fn draft(due_on: NaiveDate) -> Self {
        ItemState {
            status: Status::Draft,
            suspended_from: None,
            original_due_on: due_on,
            due_on,
            pending_extension: None,
            has_responsible_person: false,
            evidence_count: 0,
            closed_on: None,
            recheck_due_on: None,
            reopen_count: 0,
        }
    }
}

/// Why a step is refused. Each is a stable code for the user's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("this step is not possible in the item's current status")]
    WrongStatus,
    #[error("only the responsible unit may take this step")]
    NotResponsible,
    #[error("only the supervising organisation may take this step")]
    NotSupervisor,
    #[error("the person responsible cannot review their own close-out")]
    OwnReview,
    #[error("a reason is required")]
    ReasonRequired,
    #[error("close-out needs evidence")]
    EvidenceRequired,
    #[error("the item has no responsible person")]
    NoResponsiblePerson,
    #[error("an extension request is already pending")]
    ExtensionPending,
    #[error("no extension request is pending")]
    NoExtensionPending,
    #[error("the new deadline must be later than the current one")]
    ExtensionNotLater,
    #[error("the effectiveness re-check is not due yet")]
    RecheckNotDue,
}

impl Refusal {
    pub fn code(self) -> &'static str {
        match self {
            Refusal::WrongStatus => "wrong_status",
            Refusal::NotResponsible => "not_responsible",
            Refusal::NotSupervisor => "not_supervisor",
            Refusal::OwnReview => "own_review",
            Refusal::ReasonRequired => "reason_required",
            Refusal::EvidenceRequired => "evidence_required",
            Refusal::NoResponsiblePerson => "no_responsible_person",
            Refusal::ExtensionPending => "extension_pending",
            Refusal::NoExtensionPending => "no_extension_pending",
            Refusal::ExtensionNotLater => "extension_not_later",
            Refusal::RecheckNotDue => "recheck_not_due",
        }
    }
}

/// Settings of the lifecycle that a campaign may change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LifecycleRule {
    /// Days after close-out before the effectiveness re-check (30–90 in practice).
    pub recheck_after_days: i64,
}

impl Default for LifecycleRule {
    fn default() -> Self {
        Self {
            recheck_after_days: 30,
        }
    }
}

/// What a permitted step changes, besides the status (the caller stores it and records the step).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub from: Status,
    pub to: Status,
    /// A new deadline in force (an approved extension), recorded as a dated revision.
    pub new_due_on: Option<NaiveDate>,
}

fn need(cond: bool, r: Refusal) -> Result<(), Refusal> {
    if cond {
        Ok(())
    } else {
        Err(r)
    }
}

/// Applies `action`, taken by someone of `standing` on `today`, to `s`. On success `s` is
/// updated and the outcome returned; on refusal `s` is untouched.
pub fn apply(
    s: &mut ItemState,
    action: &Action,
    standing: Standing,
    today: NaiveDate,
    rule: LifecycleRule,
) -> Result<Outcome, Refusal> {
    use Status::*;
    if let Some(r) = action.reason() {
        need(!r.trim().is_empty(), Refusal::ReasonRequired)?;
    }
    let from = s.status;
    let unit = || need(standing.responsible_unit, Refusal::NotResponsible);
    let sup = || need(standing.supervisor, Refusal::NotSupervisor);
    let status = |allowed: &[Status]| need(allowed.contains(&from), Refusal::WrongStatus);
    let mut new_due_on = None;
    let to = match action {
        Action::Assign => {
            status(&[Draft])?;
            sup()?;
            need(s.has_responsible_person, Refusal::NoResponsiblePerson)?;
            Assigned
        }
        Action::SignOff => {
            status(&[Assigned])?;
            unit()?;
            InProgress
        }
        Action::ReturnNotOurs { .. } => {
            status(&[Assigned])?;
            unit()?;
            Returned
        }
        Action::Reassign => {
            status(&[Returned])?;
            sup()?;
            need(s.has_responsible_person, Refusal::NoResponsiblePerson)?;
            Assigned
        }
        Action::RequestCloseOut { .. } => {
            status(&[InProgress])?;
            unit()?;
            need(s.evidence_count > 0, Refusal::EvidenceRequired)?;
            CloseOutRequested
        }
        Action::StartReview => {
            status(&[CloseOutRequested])?;
            sup()?;
            need(!standing.responsible_person, Refusal::OwnReview)?;
            UnderReview
        }
        Action::Close { .. } => {
            status(&[CloseOutRequested, UnderReview])?;
            sup()?;
            need(!standing.responsible_person, Refusal::OwnReview)?;
            need(s.evidence_count > 0, Refusal::EvidenceRequired)?;
            Closed
        }
        Action::SendBack { .. } => {
            status(&[CloseOutRequested, UnderReview])?;
            sup()?;
            need(!standing.responsible_person, Refusal::OwnReview)?;
            InProgress
        }
        Action::PassRecheck => {
            status(&[Closed])?;
            sup()?;
            need(
                s.recheck_due_on.is_some_and(|d| today >= d),
                Refusal::RecheckNotDue,
            )?;
            Verified
        }
        Action::Reopen { .. } => {
            status(&[Closed, Verified])?;
            sup()?;
            InProgress
        }
        Action::RequestExtension { new_due_on: d, .. } => {
            status(&[Assigned, InProgress])?;
            unit()?;
            need(s.pending_extension.is_none(), Refusal::ExtensionPending)?;
            need(*d > s.due_on, Refusal::ExtensionNotLater)?;
            from
        }
        Action::ApproveExtension => {
            status(&[Assigned, InProgress, CloseOutRequested, UnderReview])?;
            sup()?;
            need(!standing.responsible_person, Refusal::OwnReview)?;
            let d = s.pending_extension.ok_or(Refusal::NoExtensionPending)?;
            new_due_on = Some(d);
            from
        }
        Action::RejectExtension { .. } => {
            status(&[Assigned, InProgress, CloseOutRequested, UnderReview])?;
            sup()?;
            need(s.pending_extension.is_some(), Refusal::NoExtensionPending)?;
            from
        }
        Action::Suspend { .. } => {
            status(&[
                Assigned,
                Returned,
                InProgress,
                CloseOutRequested,
                UnderReview,
            ])?;
            sup()?;
            Suspended
        }
        Action::Resume => {
            status(&[Suspended])?;
            sup()?;
            s.suspended_from.unwrap_or(InProgress)
        }
        Action::Withdraw { .. } => {
            status(&[
                Draft,
                Assigned,
                Returned,
                InProgress,
                CloseOutRequested,
                UnderReview,
                Suspended,
            ])?;
            sup()?;
            Withdrawn
        }
    };
    // Every check passed: apply the effects.
    match action {
        Action::Close { .. } => {
            // Closing makes a pending extension moot.
            s.pending_extension = None;
            s.closed_on = Some(today);
            s.recheck_due_on = Some(today + chrono::Duration::days(rule.recheck_after_days));
        }
        Action::Reopen { .. } => {
            s.closed_on = None;
            s.recheck_due_on = None;
            s.reopen_count += 1;
        }
        Action::RequestExtension { new_due_on: d, .. } => s.pending_extension = Some(*d),
        Action::ApproveExtension => {
            if let Some(d) = new_due_on {
                s.due_on = d;
            }
            s.pending_extension = None;
        }
        Action::RejectExtension { .. } => s.pending_extension = None,
        Action::Suspend { .. } => s.suspended_from = Some(from),
        Action::Resume => s.suspended_from = None,
        Action::Withdraw { .. } => {
            s.pending_extension = None;
            s.suspended_from = None;
        }
        _ => {}
    }
    s.status = to;
    Ok(Outcome {
        from,
        to,
        new_due_on,
    })
}

/// What must hold of every item, whatever happened to it.
pub fn check_invariants(s: &ItemState) -> Result<(), &'static str> {
    if s.original_due_on > s.due_on {
        return Err("the deadline in force moved before the original one");
    }
    if s.status.is_done() != s.closed_on.is_some() {
        return Err("a close-out date exactly when closed");
    }
    if s.status.is_done() != s.recheck_due_on.is_some() {
        return Err("a re-check date exactly when closed");
    }
    if (s.status == Status::Suspended) != s.suspended_from.is_some() {
        return Err("a status to resume to exactly when suspended");
    }
    if s.suspended_from.is_some_and(|f| !f.is_open()) {
        return Err("only open items are suspended");
    }
    if s.pending_extension.is_some() && !(s.status.is_open() || s.status == Status::Suspended) {
        return Err("a pending extension only on open items");
    }
    if s.pending_extension.is_some_and(|d| d <= s.due_on) {
        return Err("a pending extension is later than the deadline");
    }
    if s.status.is_done() && s.evidence_count == 0 {
        return Err("nothing is closed without evidence");
    }
    if (s.status.is_open() || s.status.is_done() || s.status == Status::Suspended)
        && !s.has_responsible_person
    {
        return Err("an issued item has a responsible person");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).expect("date")
    }

    const UNIT: Standing = Standing {
        responsible_unit: true,
        responsible_person: false,
        supervisor: false,
    };
    const PERSON: Standing = Standing {
        responsible_unit: true,
        responsible_person: true,
        supervisor: false,
    };
    const SUP: Standing = Standing {
        responsible_unit: false,
        responsible_person: false,
        supervisor: true,
    };
    const NOBODY: Standing = Standing {
        responsible_unit: false,
        responsible_person: false,
        supervisor: false,
    };
    const RULE: LifecycleRule = LifecycleRule {
        recheck_after_days: 30,
    };

    fn issued() -> ItemState {
        let mut s = ItemState::draft(d(10, 31));
        s.has_responsible_person = true;
        s
    }

    fn run(s: &mut ItemState, steps: &[(Action, Standing)]) {
        for (a, st) in steps {
            apply(s, a, *st, d(10, 1), RULE)
                .unwrap_or_else(|e| panic!("{} refused: {e:?} in {:?}", a.name(), s.status));
        }
    }

    fn why(r: &str) -> String {
        r.to_owned()
    }

    #[test]
    fn the_main_path_to_verified() {
        let mut s = issued();
        run(&mut s, &[(Action::Assign, SUP), (Action::SignOff, UNIT)]);
        assert_eq!(s.status, Status::InProgress);
        assert_eq!(
            apply(
                &mut s,
                &Action::RequestCloseOut {
                    statement: String::new()
                },
                UNIT,
                d(10, 2),
                RULE
            ),
            Err(Refusal::EvidenceRequired)
        );
        s.evidence_count = 1;
        run(
            &mut s,
            &[
                (
                    Action::RequestCloseOut {
                        statement: String::new(),
                    },
                    PERSON,
                ),
                (Action::StartReview, SUP),
            ],
        );
        let o = apply(
            &mut s,
            &Action::Close {
                opinion: String::new(),
            },
            SUP,
            d(10, 20),
            RULE,
        )
        .expect("close");
        assert_eq!((o.from, o.to), (Status::UnderReview, Status::Closed));
        assert_eq!(s.closed_on, Some(d(10, 20)));
        assert_eq!(s.recheck_due_on, Some(d(11, 19)));
        assert_eq!(
            apply(&mut s, &Action::PassRecheck, SUP, d(11, 18), RULE),
            Err(Refusal::RecheckNotDue)
        );
        apply(&mut s, &Action::PassRecheck, SUP, d(11, 19), RULE).expect("recheck");
        assert_eq!(s.status, Status::Verified);
        check_invariants(&s).expect("consistent");
    }

    #[test]
    fn side_paths() {
        // Returned as not ours, then reassigned.
        let mut s = issued();
        run(
            &mut s,
            &[
                (Action::Assign, SUP),
                (
                    Action::ReturnNotOurs {
                        reason: why("不属于本单位职责"),
                    },
                    UNIT,
                ),
            ],
        );
        assert_eq!(s.status, Status::Returned);
        run(&mut s, &[(Action::Reassign, SUP), (Action::SignOff, UNIT)]);
        // Sent back by the reviewer, resubmitted, closed; reopened by the re-check.
        s.evidence_count = 2;
        run(
            &mut s,
            &[
                (
                    Action::RequestCloseOut {
                        statement: String::new(),
                    },
                    UNIT,
                ),
                (
                    Action::SendBack {
                        reason: why("佐证不足"),
                    },
                    SUP,
                ),
            ],
        );
        assert_eq!(s.status, Status::InProgress);
        run(
            &mut s,
            &[
                (
                    Action::RequestCloseOut {
                        statement: String::new(),
                    },
                    UNIT,
                ),
                (
                    Action::Close {
                        opinion: String::new(),
                    },
                    SUP,
                ),
                (
                    Action::Reopen {
                        reason: why("问题反弹"),
                    },
                    SUP,
                ),
            ],
        );
        assert_eq!(
            (s.status, s.reopen_count, s.closed_on),
            (Status::InProgress, 1, None)
        );
        // Suspended and resumed to where it was.
        run(
            &mut s,
            &[
                (
                    Action::RequestCloseOut {
                        statement: String::new(),
                    },
                    UNIT,
                ),
                (
                    Action::Suspend {
                        reason: why("上级暂缓"),
                    },
                    SUP,
                ),
            ],
        );
        assert_eq!(s.suspended_from, Some(Status::CloseOutRequested));
        run(&mut s, &[(Action::Resume, SUP)]);
        assert_eq!(s.status, Status::CloseOutRequested);
        // Withdrawn: nothing is deleted, and nothing more happens to it.
        run(
            &mut s,
            &[(
                Action::Withdraw {
                    reason: why("重复立项"),
                },
                SUP,
            )],
        );
        assert_eq!(
            apply(&mut s, &Action::Resume, SUP, d(10, 1), RULE),
            Err(Refusal::WrongStatus)
        );
        check_invariants(&s).expect("consistent");
    }

    #[test]
    fn extensions_keep_the_original_deadline() {
        let mut s = issued();
        run(&mut s, &[(Action::Assign, SUP), (Action::SignOff, UNIT)]);
        let ask = Action::RequestExtension {
            new_due_on: d(11, 30),
            reason: why("需协调省级部门"),
        };
        assert_eq!(
            apply(
                &mut s,
                &Action::RequestExtension {
                    new_due_on: d(10, 31),
                    reason: why("x")
                },
                UNIT,
                d(10, 1),
                RULE
            ),
            Err(Refusal::ExtensionNotLater)
        );
        run(&mut s, &[(ask.clone(), UNIT)]);
        assert_eq!(
            apply(&mut s, &ask, UNIT, d(10, 1), RULE),
            Err(Refusal::ExtensionPending)
        );
        assert_eq!(
            apply(&mut s, &Action::ApproveExtension, UNIT, d(10, 1), RULE),
            Err(Refusal::NotSupervisor)
        );
        let o = apply(&mut s, &Action::ApproveExtension, SUP, d(10, 2), RULE).expect("approve");
        assert_eq!(o.new_due_on, Some(d(11, 30)));
        assert_eq!(
            (s.original_due_on, s.due_on, s.pending_extension),
            (d(10, 31), d(11, 30), None)
        );
        run(
            &mut s,
            &[
                (
                    Action::RequestExtension {
                        new_due_on: d(12, 31),
                        reason: why("再延"),
                    },
                    UNIT,
                ),
                (
                    Action::RejectExtension {
                        reason: why("不予批准"),
                    },
                    SUP,
                ),
            ],
        );
        assert_eq!((s.due_on, s.pending_extension), (d(11, 30), None));
        assert_eq!(
            apply(&mut s, &Action::ApproveExtension, SUP, d(10, 3), RULE),
            Err(Refusal::NoExtensionPending)
        );
    }

    #[test]
    fn actor_rules() {
        let mut s = issued();
        assert_eq!(
            apply(&mut s, &Action::Assign, UNIT, d(10, 1), RULE),
            Err(Refusal::NotSupervisor)
        );
        let mut nobody_assigned = ItemState::draft(d(10, 31));
        assert_eq!(
            apply(&mut nobody_assigned, &Action::Assign, SUP, d(10, 1), RULE),
            Err(Refusal::NoResponsiblePerson)
        );
        run(&mut s, &[(Action::Assign, SUP)]);
        assert_eq!(
            apply(&mut s, &Action::SignOff, SUP, d(10, 1), RULE),
            Err(Refusal::NotResponsible)
        );
        assert_eq!(
            apply(&mut s, &Action::SignOff, NOBODY, d(10, 1), RULE),
            Err(Refusal::NotResponsible)
        );
        run(&mut s, &[(Action::SignOff, UNIT)]);
        s.evidence_count = 1;
        run(
            &mut s,
            &[(
                Action::RequestCloseOut {
                    statement: String::new(),
                },
                PERSON,
            )],
        );
        // A supervisor who is also the person responsible cannot review their own close-out.
        let both = Standing {
            responsible_unit: true,
            responsible_person: true,
            supervisor: true,
        };
        assert_eq!(
            apply(
                &mut s,
                &Action::Close {
                    opinion: String::new()
                },
                both,
                d(10, 1),
                RULE
            ),
            Err(Refusal::OwnReview)
        );
        assert_eq!(
            apply(&mut s, &Action::StartReview, both, d(10, 1), RULE),
            Err(Refusal::OwnReview)
        );
        assert_eq!(
            apply(
                &mut s,
                &Action::Close {
                    opinion: String::new()
                },
                UNIT,
                d(10, 1),
                RULE
            ),
            Err(Refusal::NotSupervisor)
        );
        assert_eq!(
            apply(
                &mut s,
                &Action::SendBack { reason: " ".into() },
                SUP,
                d(10, 1),
                RULE
            ),
            Err(Refusal::ReasonRequired)
        );
        assert_eq!(
            s.status,
            Status::CloseOutRequested,
            "refusals change nothing"
        );
    }

    /// Every action in every status: exactly the allowed ones pass (for a fully entitled actor).
    #[test]
    fn transition_table() {
        use Status::*;
        let all_actions = || {
            vec![
                Action::Assign,
                Action::SignOff,
                Action::ReturnNotOurs { reason: why("r") },
                Action::Reassign,
                Action::RequestCloseOut {
                    statement: String::new(),
                },
                Action::StartReview,
                Action::Close {
                    opinion: String::new(),
                },
                Action::SendBack { reason: why("r") },
                Action::PassRecheck,
                Action::Reopen { reason: why("r") },
                Action::RequestExtension {
                    new_due_on: d(12, 31),
                    reason: why("r"),
                },
                Action::ApproveExtension,
                Action::RejectExtension { reason: why("r") },
                Action::Suspend { reason: why("r") },
                Action::Resume,
                Action::Withdraw { reason: why("r") },
            ]
        };
        let allowed: &[(Status, &[&str])] = &[
            (Draft, &["assign", "withdraw"]),
            (
                Assigned,
                &[
                    "sign_off",
                    "return_not_ours",
                    "request_extension",
                    "approve_extension",
                    "reject_extension",
                    "suspend",
                    "withdraw",
                ],
            ),
            (Returned, &["reassign", "suspend", "withdraw"]),
            (
                InProgress,
                &[
                    "request_close_out",
                    "request_extension",
                    "approve_extension",
                    "reject_extension",
                    "suspend",
                    "withdraw",
                ],
            ),
            (
                CloseOutRequested,
                &[
                    "start_review",
                    "close",
                    "send_back",
                    "approve_extension",
                    "reject_extension",
                    "suspend",
                    "withdraw",
                ],
            ),
            (
                UnderReview,
                &[
                    "close",
                    "send_back",
                    "approve_extension",
                    "reject_extension",
                    "suspend",
                    "withdraw",
                ],
            ),
            (Closed, &["pass_recheck", "reopen"]),
            (Verified, &["reopen"]),
            (Suspended, &["resume", "withdraw"]),
            (Withdrawn, &[]),
        ];
        // The unit for its steps, the supervisor for theirs: whoever is entitled.
        for (status, ok) in allowed {
            for a in all_actions() {
                let mut s = issued();
                s.status = *status;
                s.evidence_count = 1;
                s.pending_extension = Some(d(11, 15));
                if *status == Suspended {
                    s.suspended_from = Some(InProgress);
                }
                if status.is_done() {
                    s.closed_on = Some(d(9, 1));
                    s.recheck_due_on = Some(d(9, 30));
                }
                if matches!(a, Action::RequestExtension { .. }) {
                    s.pending_extension = None;
                }
                let passed = apply(&mut s.clone(), &a, UNIT, d(10, 1), RULE).is_ok()
                    || apply(&mut s, &a, SUP, d(10, 1), RULE).is_ok();
                assert_eq!(
                    passed,
                    ok.contains(&a.name()),
                    "{} in {:?}",
                    a.name(),
                    status
                );
            }
        }
    }

    /// A small deterministic generator, so that the property test needs no extra crate.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }
    }

    /// No sequence of actions, by anyone, on any day, reaches an inconsistent state; and a
    /// refused action leaves the item exactly as it was.
    #[test]
    fn no_sequence_reaches_an_inconsistent_state() {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        let standings = [
            UNIT,
            PERSON,
            SUP,
            NOBODY,
            Standing {
                responsible_unit: true,
                responsible_person: true,
                supervisor: true,
            },
        ];
        for _ in 0..3000 {
            let mut s = ItemState::draft(d(10, 31));
            s.has_responsible_person = rng.below(5) > 0;
            let mut today = d(9, 1);
            for _ in 0..40 {
                today += chrono::Duration::days(rng.below(6) as i64);
                if rng.below(4) == 0 && s.status == Status::InProgress {
                    s.evidence_count += 1;
                }
                let reason = if rng.below(10) == 0 {
                    String::new()
                } else {
                    why("理由")
                };
                let new_due = s.due_on + chrono::Duration::days(rng.below(40) as i64 - 5);
                let a = match rng.below(16) {
                    0 => Action::Assign,
                    1 => Action::SignOff,
                    2 => Action::ReturnNotOurs { reason },
                    3 => Action::Reassign,
                    4 => Action::RequestCloseOut {
                        statement: String::new(),
                    },
                    5 => Action::StartReview,
                    6 => Action::Close {
                        opinion: String::new(),
                    },
                    7 => Action::SendBack { reason },
                    8 => Action::PassRecheck,
                    9 => Action::Reopen { reason },
                    10 => Action::RequestExtension {
                        new_due_on: new_due,
                        reason,
                    },
                    11 => Action::ApproveExtension,
                    12 => Action::RejectExtension { reason },
                    13 => Action::Suspend { reason },
                    14 => Action::Resume,
                    _ => Action::Withdraw { reason },
                };
                let who = standings[rng.below(standings.len() as u64) as usize];
                let before = s.clone();
                match apply(&mut s, &a, who, today, RULE) {
                    Ok(o) => {
                        assert_eq!(o.from, before.status);
                        assert_eq!(o.to, s.status);
                        assert!(before.status != Status::Withdrawn, "withdrawn is final");
                    }
                    Err(_) => assert_eq!(s, before, "a refused {} changed the item", a.name()),
                }
                if let Err(e) = check_invariants(&s) {
                    panic!("{e}: after {} by {who:?}: {s:?}", a.name());
                }
            }
        }
    }
}
