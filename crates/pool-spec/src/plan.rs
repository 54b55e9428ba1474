//! The pure comparison of a desired state with what Cognito holds: what to create, what to change, and
//! what cannot be changed at all.

use std::collections::BTreeSet;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::features::{PlanFeature, Removal};
use crate::settings::{
    ClientSettings, EmailConfiguration, MfaSettings, PasswordPolicy, PoolSettings, Tags, TokenValidity, UserPoolTier,
    carries_tags, with_tags,
};
use crate::spec::DesiredState;
use crate::text::{Shown, list, set, tag_list};

/// What a live pool holds, converted by the `cognito` crate into the spec's shape.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Observed {
    /// From DescribeUserPool.
    pub pool: PoolSettings,
    /// From DescribeUserPool's `EmailConfiguration`.
    pub email: EmailConfiguration,
    /// From GetUserPoolMfaConfig.
    pub mfa: MfaSettings,
    /// From DescribeUserPool's `UserPoolTags`; empty on a pool made by hand.
    pub tags: Tags,
    /// From DescribeUserPoolClient of the client with the spec's name; `None` when the pool has none.
    pub client: Option<ClientSettings>,
    /// Features of a higher feature plan the pool uses, beyond the settings above (from DescribeUserPool
    /// and, for managed login, DescribeUserPoolDomain).
    pub plan_features: BTreeSet<PlanFeature>,
}

/// Which whole-state call applies a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ApplyCall {
    /// UpdateUserPool (with the whole pool configuration, tags included).
    UpdateUserPool,
    /// SetUserPoolMfaConfig.
    SetUserPoolMfaConfig,
    /// UpdateUserPoolClient (with the whole client configuration).
    UpdateUserPoolClient,
}

/// One setting that differs and can be changed in place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// Dotted path of the setting (`pool.password_policy.minimum_length`, `client.explicit_auth_flows`,
    /// `pool.mfa`, `pool.tags`); stable, so scripts can match on it.
    pub field: String,
    /// The live value, as text.
    pub current: String,
    /// The spec's value, as text.
    pub desired: String,
    /// The call that applies it.
    #[serde(skip)]
    pub call: ApplyCall,
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Live values come from Cognito: shown, so none can rewrite the line before the question.
        write!(
            f,
            "{}: {} -> {}",
            self.field,
            Shown(&self.current),
            Shown(&self.desired)
        )
    }
}

/// One setting that differs and that Cognito never changes after creation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Conflict {
    /// Dotted path of the setting (`pool.username_attributes`).
    pub field: String,
    /// The live value, as text.
    pub current: String,
    /// The spec's value, as text.
    pub desired: String,
    /// What the maintainer can do about it, in words.
    pub options: String,
}

impl fmt::Display for Conflict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} is {} but the spec says {}. {}",
            self.field,
            Shown(&self.current),
            Shown(&self.desired),
            Shown(&self.options)
        )
    }
}

/// What it takes to bring a pool to its desired state, as [`plan`] makes it.
///
/// `P` is the live pool the plan compared: pool-spec's own [`Observed`], or a caller's richer value that holds
/// one (the `cognito` crate keeps the described pool, which its updates start from). An update owns it, so
/// applying a plan needs nothing from beside it, and a plan with conflicts is a [`Refusal`], which no
/// [`Action`] can be made from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plan<P = Observed> {
    /// Everything differing can be created or changed (or nothing differs): it may be applied.
    Apply(Action<P>),
    /// The pool differs in settings Cognito never changes after creation: nothing may be applied.
    Refuse(Refusal<P>),
}

/// A plan without conflicts: what applying it does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action<P = Observed> {
    /// No pool was found: create everything.
    Create(Creation),
    /// The pool exists: create its app client if it has none, and change what differs.
    Update(Update<P>),
}

/// No pool was found, or a new one is wanted beside the one found ([`plan_new_pool`]): CreateUserPool (without
/// MFA, which it cannot turn on for authenticator apps), then SetUserPoolMfaConfig, then CreateUserPoolClient,
/// each sent the whole desired state, so no change is listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Creation {
    desired: DesiredState,
    beside: Option<String>,
}

/// An existing pool brought to the desired state in place: the client created if missing, and the
/// changes, in a stable order. Converged when there is neither.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Update<P = Observed> {
    desired: DesiredState,
    live: P,
    create_client: bool,
    changes: Vec<Change>,
}

/// An existing pool that differs in settings Cognito never changes after creation (at least one), with
/// the update it would otherwise need, shown but never applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal<P = Observed> {
    update: Update<P>,
    conflicts: Vec<Conflict>,
}

impl<P> Plan<P> {
    /// The state the plan brings the pool to.
    pub fn desired(&self) -> &DesiredState {
        match self {
            Plan::Apply(action) => action.desired(),
            Plan::Refuse(refusal) => &refusal.update.desired,
        }
    }

    /// What applying the plan does, or, when it has conflicts, the refusal.
    pub fn action(&self) -> Result<&Action<P>, &Refusal<P>> {
        match self {
            Plan::Apply(action) => Ok(action),
            Plan::Refuse(refusal) => Err(refusal),
        }
    }

    /// The live pool compared, `None` when there was none.
    pub fn live(&self) -> Option<&P> {
        self.update().map(|update| &update.live)
    }

    /// No pool was found, or a new one is wanted: it is created, with its MFA and client.
    pub fn creates_pool(&self) -> bool {
        matches!(self, Plan::Apply(Action::Create(_)))
    }

    /// The ID of the pool of the same name that a new pool is created beside (and that stays as it is).
    pub fn beside(&self) -> Option<&str> {
        match self {
            Plan::Apply(Action::Create(creation)) => creation.beside(),
            Plan::Apply(Action::Update(_)) | Plan::Refuse(_) => None,
        }
    }

    /// The app client is created (with a new pool, or in a pool that has none with the spec's name).
    pub fn creates_client(&self) -> bool {
        self.update().is_none_or(|update| update.create_client)
    }

    /// Settings to change in place, in a stable order (none when the pool is created).
    pub fn changes(&self) -> &[Change] {
        self.update().map_or(&[], |update| &update.changes)
    }

    /// Settings that differ and that Cognito never changes; none unless the plan is a [`Plan::Refuse`].
    pub fn conflicts(&self) -> &[Conflict] {
        match self {
            Plan::Apply(_) => &[],
            Plan::Refuse(refusal) => &refusal.conflicts,
        }
    }

    /// Nothing to create, change or refuse: the live pool matches the spec.
    pub fn is_converged(&self) -> bool {
        matches!(self, Plan::Apply(Action::Update(update)) if update.is_converged())
    }

    fn update(&self) -> Option<&Update<P>> {
        match self {
            Plan::Apply(Action::Create(_)) => None,
            Plan::Apply(Action::Update(update)) | Plan::Refuse(Refusal { update, .. }) => Some(update),
        }
    }
}

impl<P> Action<P> {
    /// The state the action brings the pool to.
    pub fn desired(&self) -> &DesiredState {
        match self {
            Action::Create(creation) => creation.desired(),
            Action::Update(update) => update.desired(),
        }
    }
}

impl Creation {
    /// The state the pool, its MFA and its client are created with.
    pub fn desired(&self) -> &DesiredState {
        &self.desired
    }

    /// The ID of the pool of the same name this one is created beside, which is left as it is: a pool found
    /// by name and tags after the creation is the new one only when it is not this one.
    pub fn beside(&self) -> Option<&str> {
        self.beside.as_deref()
    }
}

impl<P> Update<P> {
    /// The state the pool is brought to.
    pub fn desired(&self) -> &DesiredState {
        &self.desired
    }

    /// The live pool the update was planned from, and is applied to.
    pub fn live(&self) -> &P {
        &self.live
    }

    /// The pool has no app client with the spec's name: CreateUserPoolClient.
    pub fn creates_client(&self) -> bool {
        self.create_client
    }

    /// Settings to change in place, in a stable order.
    pub fn changes(&self) -> &[Change] {
        &self.changes
    }

    /// Nothing to create or change.
    pub fn is_converged(&self) -> bool {
        !self.create_client && self.changes.is_empty()
    }

    /// The pool needs UpdateUserPool (sent with the whole desired pool configuration).
    pub fn needs_pool_update(&self) -> bool {
        self.needs(ApplyCall::UpdateUserPool)
    }

    /// The pool needs SetUserPoolMfaConfig.
    pub fn needs_mfa_update(&self) -> bool {
        self.needs(ApplyCall::SetUserPoolMfaConfig)
    }

    /// The existing client needs UpdateUserPoolClient (sent with the whole desired client configuration).
    pub fn needs_client_update(&self) -> bool {
        self.needs(ApplyCall::UpdateUserPoolClient)
    }

    fn needs(&self, call: ApplyCall) -> bool {
        self.changes.iter().any(|change| change.call == call)
    }
}

impl<P> Refusal<P> {
    /// The settings that differ and that Cognito never changes: never empty.
    pub fn conflicts(&self) -> &[Conflict] {
        &self.conflicts
    }
}

/// One line per step: `+` what is created, `~` what changes, `!` what is refused, or `=` for nothing to do.
impl<P> fmt::Display for Plan<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let desired = self.desired();
        let mut lines = Vec::new();
        if self.creates_pool() {
            let which = match self.beside() {
                Some(beside) => format!(
                    "a SECOND user pool `{}` beside {} (which stays as it is)",
                    desired.pool().name,
                    Shown(beside)
                ),
                None => format!("user pool `{}`", desired.pool().name),
            };
            lines.push(format!("+ create {which}, then set its MFA to {}", desired.mfa()));
        }
        if self.creates_client() {
            let secret = if desired.client().generate_secret {
                "with"
            } else {
                "without"
            };
            lines.push(format!(
                "+ create app client `{}` {secret} a client secret",
                desired.client().name
            ));
        }
        lines.extend(self.changes().iter().map(|change| format!("~ {change}")));
        lines.extend(self.conflicts().iter().map(|conflict| format!("! {conflict}")));
        if self.is_converged() {
            lines.push("= nothing to change: the live pool matches the spec".to_owned());
        }
        f.write_str(&lines.join("\n"))
    }
}

/// A new pool (and its client) from `desired`, created beside the pool `beside` of the same name, which stays as
/// it is: how users are moved to a pool with settings Cognito never changes, or to another region.
pub fn plan_new_pool<P>(desired: DesiredState, beside: String) -> Plan<P> {
    Plan::Apply(Action::Create(Creation {
        desired,
        beside: Some(beside),
    }))
}

/// Compares `desired` with the `live` pool (`None` when no pool was found).
///
/// Tags converge when the pool carries every desired tag with its value; other tags are left alone, so an
/// adopted, untagged pool gets a `pool.tags` change rather than a conflict. Token validities compare by
/// duration, so `30 days` matches `720 hours`.
pub fn plan<P: AsRef<Observed>>(desired: DesiredState, live: Option<P>) -> Plan<P> {
    let Some(live) = live else {
        return Plan::Apply(Action::Create(Creation { desired, beside: None }));
    };
    let observed = live.as_ref();
    let mut diff = Diff::default();
    compare_pool(&mut diff, desired.pool(), &observed.pool);
    compare_plan_features(&mut diff, &desired.pool().tier, &observed.plan_features);
    diff.change(
        ApplyCall::UpdateUserPool,
        "pool.email",
        &observed.email,
        desired.email(),
        |e| e,
    );
    if !carries_tags(&observed.tags, desired.tags()) {
        diff.push(
            ApplyCall::UpdateUserPool,
            "pool.tags",
            tag_list(&observed.tags),
            tag_list(&with_tags(&observed.tags, desired.tags())),
        );
    }
    diff.change(
        ApplyCall::SetUserPoolMfaConfig,
        "pool.mfa",
        &observed.mfa,
        desired.mfa(),
        |m| m,
    );
    let create_client = match &observed.client {
        Some(client) => {
            compare_client(&mut diff, desired.client(), client);
            false
        }
        None => true,
    };
    let update = Update {
        desired,
        live,
        create_client,
        changes: diff.changes,
    };
    if diff.conflicts.is_empty() {
        Plan::Apply(Action::Update(update))
    } else {
        Plan::Refuse(Refusal {
            update,
            conflicts: diff.conflicts,
        })
    }
}

impl AsRef<Observed> for Observed {
    fn as_ref(&self) -> &Observed {
        self
    }
}

fn compare_pool(diff: &mut Diff, desired: &PoolSettings, observed: &PoolSettings) {
    // Destructured without `..`: a new setting does not compile until it is compared.
    let PoolSettings {
        name,
        username_attributes,
        case_sensitive_usernames,
        required_attributes,
        auto_verified_attributes,
        password_policy:
            PasswordPolicy {
                minimum_length,
                require_uppercase,
                require_lowercase,
                require_numbers,
                require_symbols,
                temporary_password_validity_days,
                password_history_size,
            },
        admin_create_user_only,
        account_recovery,
        deletion_protection,
        tier,
        attributes_require_verification_before_update,
    } = desired;
    let update = ApplyCall::UpdateUserPool;
    diff.immutable(
        "pool.username_attributes",
        &observed.username_attributes,
        username_attributes,
        set,
    );
    diff.immutable(
        "pool.case_sensitive_usernames",
        &observed.case_sensitive_usernames,
        case_sensitive_usernames,
        |b| b,
    );
    diff.immutable(
        "pool.required_attributes",
        &observed.required_attributes,
        required_attributes,
        set,
    );
    diff.change(update, "pool.name", &observed.name, name, |n| n);
    diff.change(
        update,
        "pool.auto_verified_attributes",
        &observed.auto_verified_attributes,
        auto_verified_attributes,
        set,
    );
    let current = &observed.password_policy;
    for (field, current, wanted) in [
        (
            "pool.password_policy.minimum_length",
            current.minimum_length,
            *minimum_length,
        ),
        (
            "pool.password_policy.temporary_password_validity_days",
            current.temporary_password_validity_days,
            *temporary_password_validity_days,
        ),
    ] {
        diff.change(update, field, &current, &wanted, |n| n);
    }
    for (field, current, wanted) in [
        (
            "pool.password_policy.require_uppercase",
            current.require_uppercase,
            *require_uppercase,
        ),
        (
            "pool.password_policy.require_lowercase",
            current.require_lowercase,
            *require_lowercase,
        ),
        (
            "pool.password_policy.require_numbers",
            current.require_numbers,
            *require_numbers,
        ),
        (
            "pool.password_policy.require_symbols",
            current.require_symbols,
            *require_symbols,
        ),
        (
            "pool.admin_create_user_only",
            observed.admin_create_user_only,
            *admin_create_user_only,
        ),
    ] {
        diff.change(update, field, &current, &wanted, |b| b);
    }
    let history = |size: &Option<u32>| size.map_or_else(|| "none".to_owned(), |size| size.to_string());
    diff.change(
        update,
        "pool.password_policy.password_history_size",
        &current.password_history_size,
        password_history_size,
        history,
    );
    diff.change(
        update,
        "pool.attributes_require_verification_before_update",
        &observed.attributes_require_verification_before_update,
        attributes_require_verification_before_update,
        set,
    );
    diff.change(update, "pool.tier", &observed.tier, tier, |t| t.as_str());
    diff.change(
        update,
        "pool.account_recovery",
        &observed.account_recovery,
        account_recovery,
        |r| list(r.iter().map(|m| m.as_str())),
    );
    diff.change(
        update,
        "pool.deletion_protection",
        &observed.deletion_protection,
        deletion_protection,
        |d| d.as_str(),
    );
}

/// Each feature the pool uses that the desired plan lacks: a change when the update turns it off, else a
/// conflict saying how to turn it off by hand (AWS refuses the move while it is on).
fn compare_plan_features(diff: &mut Diff, tier: &UserPoolTier, used: &BTreeSet<PlanFeature>) {
    for &feature in used.iter().filter(|feature| !tier.offers(**feature)) {
        let desired = format!("off (the {} plan lacks {feature})", tier.as_str());
        match feature.removal() {
            Removal::ByUpdate => diff.push(ApplyCall::UpdateUserPool, feature.field(), "on", desired),
            Removal::ByHand(how) => diff.conflicts.push(Conflict {
                field: feature.field().to_owned(),
                current: "on".to_owned(),
                desired,
                options: format!(
                    "AWS refuses to move a pool to a plan while it uses a feature the plan lacks, so nothing \
                     was applied. {how} Or change the spec's plan to {} or higher.",
                    feature.lowest_tier().as_str()
                ),
            }),
        }
    }
}

fn compare_client(diff: &mut Diff, desired: &ClientSettings, observed: &ClientSettings) {
    // Destructured without `..`: a new setting does not compile until it is compared.
    let ClientSettings {
        name,
        generate_secret,
        explicit_auth_flows,
        token_validity: TokenValidity { refresh, access, id },
        auth_session_validity_minutes,
        prevent_user_existence_errors,
        enable_token_revocation,
    } = desired;
    let update = ApplyCall::UpdateUserPoolClient;
    diff.immutable(
        "client.generate_secret",
        &observed.generate_secret,
        generate_secret,
        |b| b,
    );
    diff.change(update, "client.name", &observed.name, name, |n| n);
    diff.change(
        update,
        "client.explicit_auth_flows",
        &observed.explicit_auth_flows,
        explicit_auth_flows,
        set,
    );
    let current = &observed.token_validity;
    for (field, current, wanted) in [
        ("client.token_validity.refresh", current.refresh, *refresh),
        ("client.token_validity.access", current.access, *access),
        ("client.token_validity.id", current.id, *id),
    ] {
        if !current.same_duration(wanted) {
            diff.push(update, field, current, wanted);
        }
    }
    diff.change(
        update,
        "client.auth_session_validity_minutes",
        &observed.auth_session_validity_minutes,
        auth_session_validity_minutes,
        |n| n,
    );
    diff.change(
        update,
        "client.prevent_user_existence_errors",
        &observed.prevent_user_existence_errors,
        prevent_user_existence_errors,
        |p| p.as_str(),
    );
    diff.change(
        update,
        "client.enable_token_revocation",
        &observed.enable_token_revocation,
        enable_token_revocation,
        |b| b,
    );
}

/// What a fixed-at-creation difference leaves the maintainer to choose from.
fn options(field: &str, current: &str) -> String {
    format!(
        "Cognito never changes {field} after creation, so nothing was applied. Either change the spec to \
         {current} (what exists), or create a new pool and move the users to it \
         (not done by this tool). This tool never deletes or recreates a pool."
    )
}

#[derive(Default)]
struct Diff {
    changes: Vec<Change>,
    conflicts: Vec<Conflict>,
}

impl Diff {
    fn push(&mut self, call: ApplyCall, field: &str, current: impl fmt::Display, desired: impl fmt::Display) {
        self.changes.push(Change {
            field: field.to_owned(),
            current: current.to_string(),
            desired: desired.to_string(),
            call,
        });
    }

    fn change<'a, T: PartialEq + ?Sized, D: fmt::Display>(
        &mut self,
        call: ApplyCall,
        field: &str,
        current: &'a T,
        desired: &'a T,
        show: impl Fn(&'a T) -> D,
    ) {
        if current != desired {
            self.push(call, field, show(current), show(desired));
        }
    }

    fn immutable<'a, T: PartialEq + ?Sized, D: fmt::Display>(
        &mut self,
        field: &str,
        current: &'a T,
        desired: &'a T,
        show: impl Fn(&'a T) -> D,
    ) {
        if current != desired {
            let current = show(current).to_string();
            self.conflicts.push(Conflict {
                field: field.to_owned(),
                options: options(field, &current),
                current,
                desired: show(desired).to_string(),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::PlanFeature;
    use crate::settings::{
        DeletionProtection, MfaConfiguration, PreventUserExistenceErrors, RecoveryMechanism, TimeUnit, UserPoolTier,
        Validity,
    };
    use crate::spec::{SES_IDENTITY, development, production, ses_identity_arn};

    fn desired() -> DesiredState {
        production()
            .resolve(Some(&ses_identity_arn("us-east-1", "123456789012", SES_IDENTITY)))
            .unwrap()
    }

    /// A live pool that matches `desired` exactly.
    fn matching(desired: &DesiredState) -> Observed {
        Observed {
            pool: desired.pool().clone(),
            email: desired.email().clone(),
            mfa: desired.mfa().clone(),
            tags: desired.tags().clone(),
            client: Some(desired.client().clone()),
            plan_features: BTreeSet::new(),
        }
    }

    fn plan_with(edit: impl FnOnce(&mut Observed)) -> Plan {
        let desired = desired();
        let mut observed = matching(&desired);
        edit(&mut observed);
        plan(desired, Some(observed))
    }

    fn client(observed: &mut Observed) -> &mut ClientSettings {
        observed.client.as_mut().unwrap()
    }

    /// The update a plan without conflicts makes of an existing pool.
    fn update(plan: &Plan) -> &Update {
        match plan {
            Plan::Apply(Action::Update(update)) => update,
            other => panic!("expected an update, got {other:?}"),
        }
    }

    fn refusal(plan: &Plan) -> &Refusal {
        match plan {
            Plan::Refuse(refusal) => refusal,
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn identical_state_is_converged() {
        for desired in [desired(), development().resolve(None).unwrap()] {
            let observed = matching(&desired);
            let plan = plan(desired, Some(observed.clone()));
            assert!(plan.is_converged(), "{plan:?}");
            let update = update(&plan);
            assert!(update.is_converged() && !update.creates_client() && update.changes().is_empty());
            assert!(!update.needs_pool_update() && !update.needs_mfa_update() && !update.needs_client_update());
            assert_eq!(update.live(), &observed);
            assert!(!plan.creates_pool() && !plan.creates_client());
            assert_eq!(plan.live(), Some(&observed));
            assert_eq!(plan.action(), Ok(&Action::Update(update.clone())));
            assert_eq!(plan.to_string(), "= nothing to change: the live pool matches the spec");
        }
    }

    #[test]
    fn no_pool_means_create_everything_and_nothing_else() {
        let desired = desired();
        let plan = plan(desired.clone(), None::<Observed>);
        assert_eq!(
            plan,
            Plan::Apply(Action::Create(Creation {
                desired: desired.clone(),
                beside: None
            }))
        );
        assert_eq!(plan.beside(), None);
        assert!(plan.creates_pool() && plan.creates_client());
        assert!(plan.changes().is_empty() && plan.conflicts().is_empty() && plan.live().is_none());
        assert!(matches!(plan.action(), Ok(Action::Create(creation)) if creation.desired() == &desired));
        assert!(!plan.is_converged());
        assert_eq!(plan.desired(), &desired);
        assert_eq!(
            plan.to_string(),
            "+ create user pool `credere-production`, then set its MFA to ON (authenticator apps on, SMS off, email off)\n\
             + create app client `credere-production` with a client secret"
        );
    }

    #[test]
    fn a_new_pool_beside_another_says_so_and_is_planned_as_a_creation() {
        let desired = desired();
        let plan = plan_new_pool::<Observed>(desired.clone(), "us-east-1_Old".to_owned());
        assert_eq!(plan.beside(), Some("us-east-1_Old"));
        assert!(plan.creates_pool() && plan.creates_client() && !plan.is_converged());
        assert!(matches!(plan.action(), Ok(Action::Create(creation)) if creation.beside() == Some("us-east-1_Old")));
        assert!(plan.live().is_none() && plan.changes().is_empty());
        assert_eq!(
            plan.to_string(),
            "+ create a SECOND user pool `credere-production` beside us-east-1_Old (which stays as it is), then set \
             its MFA to ON (authenticator apps on, SMS off, email off)\n\
             + create app client `credere-production` with a client secret"
        );
        assert_ne!(
            plan,
            super::plan(desired, None),
            "a plan beside a pool is not a first creation"
        );
    }

    #[test]
    fn a_created_pool_shows_what_it_is_created_with() {
        let mut spec = development();
        spec.client.generate_secret = false;
        spec.mfa.configuration = MfaConfiguration::Optional;
        let plan = plan(spec.resolve(None).unwrap(), None::<Observed>);
        assert_eq!(
            plan.to_string(),
            "+ create user pool `credere`, then set its MFA to OPTIONAL (authenticator apps on, SMS off, email off)\n\
             + create app client `credere` without a client secret"
        );
    }

    #[test]
    fn missing_client_means_create_client_only() {
        let plan = plan_with(|o| o.client = None);
        let update = update(&plan);
        assert!(!plan.creates_pool() && plan.creates_client() && update.creates_client());
        assert!(update.changes().is_empty() && plan.conflicts().is_empty());
        assert!(!plan.is_converged() && !update.is_converged());
        assert!(!update.needs_client_update());
        assert_eq!(
            plan.to_string(),
            "+ create app client `credere-production` with a client secret"
        );
    }

    type Edit = fn(&mut Observed);

    #[test]
    fn each_changeable_difference_is_exactly_that_change_with_its_call() {
        use ApplyCall::{SetUserPoolMfaConfig as Mfa, UpdateUserPool as Pool, UpdateUserPoolClient as Client};
        let cases: Vec<(&str, ApplyCall, Edit)> = vec![
            ("pool.name", Pool, |o| o.pool.name = "credere-old".into()),
            ("pool.auto_verified_attributes", Pool, |o| {
                o.pool.auto_verified_attributes.clear()
            }),
            ("pool.password_policy.minimum_length", Pool, |o| {
                o.pool.password_policy.minimum_length = 8
            }),
            ("pool.password_policy.require_uppercase", Pool, |o| {
                o.pool.password_policy.require_uppercase = true
            }),
            ("pool.password_policy.require_lowercase", Pool, |o| {
                o.pool.password_policy.require_lowercase = true
            }),
            ("pool.password_policy.require_numbers", Pool, |o| {
                o.pool.password_policy.require_numbers = true
            }),
            ("pool.password_policy.require_symbols", Pool, |o| {
                o.pool.password_policy.require_symbols = true
            }),
            ("pool.password_policy.temporary_password_validity_days", Pool, |o| {
                o.pool.password_policy.temporary_password_validity_days = 1;
            }),
            ("pool.admin_create_user_only", Pool, |o| {
                o.pool.admin_create_user_only = false
            }),
            ("pool.account_recovery", Pool, |o| {
                o.pool.account_recovery =
                    vec![RecoveryMechanism::VerifiedEmail, RecoveryMechanism::VerifiedPhoneNumber];
            }),
            ("pool.deletion_protection", Pool, |o| {
                o.pool.deletion_protection = DeletionProtection::Inactive
            }),
            ("pool.deletion_protection", Pool, |o| {
                o.pool.deletion_protection = DeletionProtection::Unrecognised("PENDING".into())
            }),
            ("pool.tier", Pool, |o| o.pool.tier = UserPoolTier::Essentials),
            ("pool.tier", Pool, |o| {
                o.pool.tier = UserPoolTier::Unrecognised("not reported".into())
            }),
            ("pool.password_policy.password_history_size", Pool, |o| {
                o.pool.password_policy.password_history_size = Some(5)
            }),
            ("pool.attributes_require_verification_before_update", Pool, |o| {
                o.pool.attributes_require_verification_before_update.clear()
            }),
            ("pool.email", Pool, |o| o.email = EmailConfiguration::CognitoDefault),
            ("pool.tags", Pool, |o| {
                o.tags.insert("environment".into(), "development".into());
            }),
            ("pool.mfa", Mfa, |o| o.mfa.configuration = MfaConfiguration::Optional),
            ("pool.mfa", Mfa, |o| o.mfa.software_token_enabled = false),
            ("pool.mfa", Mfa, |o| o.mfa.sms_enabled = true),
            ("pool.mfa", Mfa, |o| o.mfa.email_enabled = true),
            ("pool.passwordless_sign_in", Pool, |o| {
                o.plan_features.insert(PlanFeature::PasswordlessSignIn);
            }),
            ("pool.threat_protection", Pool, |o| {
                o.plan_features.insert(PlanFeature::ThreatProtection);
            }),
            ("client.name", Client, |o| client(o).name = "other".into()),
            ("client.explicit_auth_flows", Client, |o| {
                client(o).explicit_auth_flows.remove("ALLOW_USER_PASSWORD_AUTH");
            }),
            ("client.token_validity.refresh", Client, |o| {
                client(o).token_validity.refresh = Validity::days(5)
            }),
            ("client.token_validity.access", Client, |o| {
                client(o).token_validity.access = Validity::minutes(5)
            }),
            ("client.token_validity.id", Client, |o| {
                client(o).token_validity.id = Validity::minutes(5)
            }),
            ("client.auth_session_validity_minutes", Client, |o| {
                client(o).auth_session_validity_minutes = 15
            }),
            ("client.prevent_user_existence_errors", Client, |o| {
                client(o).prevent_user_existence_errors = PreventUserExistenceErrors::Legacy;
            }),
            ("client.enable_token_revocation", Client, |o| {
                client(o).enable_token_revocation = false
            }),
        ];
        for (field, call, edit) in cases {
            let plan = plan_with(edit);
            let update = update(&plan);
            let fields: Vec<&str> = update.changes().iter().map(|c| c.field.as_str()).collect();
            assert_eq!(fields, [field], "{plan:?}");
            let change = &update.changes()[0];
            assert_eq!(change.call, call, "{field}");
            assert_ne!(change.current, change.desired, "{field}");
            assert!(!plan.creates_pool() && !update.creates_client(), "{field}");
            assert!(!plan.is_converged() && !update.is_converged());
            assert_eq!(update.needs_pool_update(), call == Pool, "{field}");
            assert_eq!(update.needs_mfa_update(), call == Mfa, "{field}");
            assert_eq!(update.needs_client_update(), call == Client, "{field}");
            assert_eq!(plan.to_string(), format!("~ {change}"), "{field}");
        }
    }

    #[test]
    fn each_fixed_at_creation_difference_is_a_conflict_explaining_the_options() {
        let cases: Vec<(&str, Edit)> = vec![
            ("pool.username_attributes", |o| {
                o.pool.username_attributes = ["phone_number".to_owned()].into()
            }),
            ("pool.case_sensitive_usernames", |o| {
                o.pool.case_sensitive_usernames = true
            }),
            ("pool.required_attributes", |o| {
                o.pool.required_attributes.insert("name".into());
            }),
            ("client.generate_secret", |o| client(o).generate_secret = false),
        ];
        for (field, edit) in cases {
            let plan = plan_with(edit);
            let refusal = refusal(&plan);
            assert!(plan.changes().is_empty(), "{plan:?}");
            assert_eq!(refusal.conflicts().len(), 1, "{plan:?}");
            assert_eq!(plan.conflicts(), refusal.conflicts());
            let conflict = &refusal.conflicts()[0];
            assert_eq!(conflict.field, field);
            assert!(!plan.is_converged() && !plan.creates_pool() && !plan.creates_client());
            assert!(plan.live().is_some());
            assert_eq!(plan.to_string(), format!("! {conflict}"));
            let text = conflict.to_string();
            for expected in [
                "never changes",
                "change the spec",
                "create a new pool and move the users",
                "never deletes",
            ] {
                assert!(text.contains(expected), "{expected:?} missing from {text}");
            }
            assert!(text.contains(&conflict.current), "{text}");
        }
    }

    #[test]
    fn a_feature_the_plan_lacks_that_only_the_maintainer_can_turn_off_refuses_and_says_how() {
        for feature in [
            PlanFeature::AccessTokenCustomisation,
            PlanFeature::ManagedLogin,
            PlanFeature::DynamicClientRegistration,
            PlanFeature::CustomAcrNames,
        ] {
            let plan = plan_with(|o| {
                o.pool.tier = UserPoolTier::Essentials;
                o.plan_features.insert(feature);
            });
            let refusal = refusal(&plan);
            // The move itself is still shown, beside the refusal.
            assert_eq!(plan.changes().len(), 1, "{plan}");
            assert_eq!(plan.changes()[0].field, "pool.tier");
            let [conflict] = refusal.conflicts() else {
                panic!("one conflict: {plan}")
            };
            assert_eq!(conflict.field, feature.field());
            let text = conflict.to_string();
            for expected in [
                "the LITE plan lacks",
                "console",
                "then run again",
                "ESSENTIALS or higher",
            ] {
                assert!(text.contains(expected), "{expected:?} missing from {text}");
            }
        }
    }

    #[test]
    fn features_the_desired_plan_offers_are_left_alone() {
        let mut desired = production();
        desired.pool.tier = UserPoolTier::Plus;
        let desired = desired
            .resolve(Some(&ses_identity_arn("us-east-1", "123456789012", SES_IDENTITY)))
            .unwrap();
        let mut observed = matching(&desired);
        observed.plan_features = PlanFeature::ALL.into();
        assert!(plan(desired, Some(observed)).is_converged());
    }

    #[test]
    fn a_conflict_refuses_the_whole_plan_and_still_shows_every_difference() {
        let plan = plan_with(|o| {
            o.pool.case_sensitive_usernames = true;
            o.pool.password_policy.minimum_length = 8;
            o.client = None;
        });
        let refusal = refusal(&plan);
        assert_eq!(refusal.conflicts().len(), 1);
        assert_eq!(plan.action(), Err(refusal));
        assert!(plan.creates_client() && !plan.creates_pool() && !plan.is_converged());
        let lines: Vec<String> = plan.to_string().lines().map(str::to_owned).collect();
        assert_eq!(lines.len(), 3, "{lines:?}");
        assert_eq!(
            lines[0],
            "+ create app client `credere-production` with a client secret"
        );
        assert_eq!(lines[1], "~ pool.password_policy.minimum_length: 8 -> 14");
        assert!(
            lines[2].starts_with("! pool.case_sensitive_usernames is true but the spec says false."),
            "{lines:?}"
        );
    }

    #[test]
    fn an_email_sign_in_conflict_names_what_exists() {
        let plan = plan_with(|o| o.pool.username_attributes = ["phone_number".to_owned()].into());
        let conflict = &plan.conflicts()[0];
        assert_eq!(
            (conflict.current.as_str(), conflict.desired.as_str()),
            ("[phone_number]", "[email]")
        );
    }

    #[test]
    fn an_untagged_adopted_pool_gets_its_tags_as_a_change() {
        let plan = plan_with(|o| o.tags.clear());
        let update = update(&plan);
        assert_eq!(update.changes().len(), 1);
        let change = &update.changes()[0];
        assert_eq!(change.field, "pool.tags");
        assert_eq!(change.current, "{}");
        assert_eq!(change.desired, "{environment=production, managed-by=credere-cognito}");
        assert!(update.needs_pool_update());
    }

    #[test]
    fn extra_tags_are_kept_and_do_not_need_a_change() {
        assert!(
            plan_with(|o| {
                o.tags.insert("cost-centre".into(), "credere".into());
            })
            .is_converged()
        );
        let plan = plan_with(|o| {
            o.tags.remove("managed-by");
            o.tags.insert("cost-centre".into(), "credere".into());
        });
        assert_eq!(
            plan.changes()[0].desired,
            "{cost-centre=credere, environment=production, managed-by=credere-cognito}"
        );
    }

    #[test]
    fn token_validities_in_other_units_of_the_same_length_are_converged() {
        let plan = plan_with(|o| {
            let validity = &mut client(o).token_validity;
            validity.refresh = Validity {
                amount: 720,
                unit: TimeUnit::Hours,
            };
            validity.access = Validity {
                amount: 1,
                unit: TimeUnit::Hours,
            };
        });
        assert!(plan.is_converged(), "{plan:?}");
    }

    #[test]
    fn several_differences_are_all_listed_with_their_calls() {
        let plan = plan_with(|o| {
            o.pool.password_policy.minimum_length = 8;
            o.mfa.configuration = MfaConfiguration::Off;
            client(o).explicit_auth_flows.clear();
        });
        let update = update(&plan);
        let fields: Vec<&str> = update.changes().iter().map(|c| c.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "pool.password_policy.minimum_length",
                "pool.mfa",
                "client.explicit_auth_flows"
            ]
        );
        assert!(update.needs_pool_update() && update.needs_mfa_update() && update.needs_client_update());
    }

    #[test]
    fn unknown_live_values_show_verbatim() {
        let plan = plan_with(|o| {
            o.pool.tier = UserPoolTier::Unrecognised("GOLD".into());
            o.pool.password_policy.password_history_size = Some(5);
            client(o).prevent_user_existence_errors = PreventUserExistenceErrors::Unrecognised("STRICT".into());
        });
        let lines: Vec<String> = plan.changes().iter().map(ToString::to_string).collect();
        assert_eq!(
            lines,
            [
                "pool.password_policy.password_history_size: 5 -> none",
                "pool.tier: GOLD -> LITE",
                "client.prevent_user_existence_errors: STRICT -> ENABLED"
            ]
        );
    }

    #[test]
    fn changes_serialise_as_field_current_desired() {
        let plan = plan_with(|o| o.pool.password_policy.minimum_length = 8);
        let json = serde_json::to_value(plan.changes()).unwrap();
        assert_eq!(
            json,
            serde_json::json!([{
                "field": "pool.password_policy.minimum_length",
                "current": "8",
                "desired": "14"
            }])
        );
    }
}
